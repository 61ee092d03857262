"""The Store on both backends: exact aggregates and the daily cap with two stores writing to one
database at once (two instances), the same migrations, and the cache's order of summaries."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from widget.cache import SummaryCache
from widget.errors import RateLimited
from widget.models import Summary, VoteInput
from widget.store import CapCheck, Store, open_store

pytestmark = pytest.mark.backends


async def _two(database: str) -> tuple[Store, Store]:
    return await open_store(database), await open_store(database)


async def test_votes_from_two_stores_at_once_keep_every_aggregate_exact(database: str) -> None:
    first, second = await _two(database)
    rng = random.Random(5)
    final: dict[tuple[str, str], int] = {}
    calls = []
    for step in range(600):
        post, key, rating = (
            f"p{rng.randrange(4)}",
            f"reader-{rng.randrange(150)}",
            rng.randint(1, 5),
        )
        final[(post, key)] = rating  # per reader the last vote sent is the one kept...
        store = first if step % 2 else second
        calls.append((store, post, key, rating))
    try:
        # ...as long as one reader's votes are not sent at once: each reader's go in order.
        by_reader: dict[str, list[tuple[Store, str, str, int]]] = {}
        for call in calls:
            by_reader.setdefault(call[2], []).append(call)

        async def reader(votes: list[tuple[Store, str, str, int]]) -> None:
            for store, post, key, rating in votes:
                await store.cast_vote(
                    VoteInput("default", post, "t" * 16, rating), key, time.time(), None
                )

        await asyncio.gather(*(reader(votes) for votes in by_reader.values()))
        summaries = await first.read_summaries("default", ["p0", "p1", "p2", "p3"])
        for post, summary in summaries.items():
            ratings = [r for (p, _), r in final.items() if p == post]
            assert summary.count == len(ratings)
            assert summary.total == sum(ratings)
            assert summary.distribution == tuple(ratings.count(n) for n in range(1, 6))
        assert await second.recompute() == []  # nothing drifted
    finally:
        await first.close()
        await second.close()


async def test_the_daily_cap_holds_across_two_stores(database: str) -> None:
    first, second = await _two(database)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    cap = CapCheck("default", "capped", day, "one-network", 5, 60)
    try:
        results = await asyncio.gather(
            *(
                (first if n % 2 else second).cast_vote(
                    VoteInput("default", "capped", "t" * 16, 4), f"reader-{n}", time.time(), cap
                )
                for n in range(20)
            ),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, RateLimited)]
        assert len(refused) == 15
        assert (await first.read_summaries("default", ["capped"]))["capped"].count == 5
    finally:
        await first.close()
        await second.close()


async def test_both_backends_have_the_same_schema_steps(database: str) -> None:
    data = await open_store(database)
    assert data.schema == (5, [1, 2, 3, 4, 5])
    await data.close()
    again = await open_store(database)
    assert again.schema == (5, [])  # opened again: nothing left to apply
    assert (await again.load_sites())["default"].name == "Default site"
    await again.close()


def test_an_older_summary_never_replaces_a_newer_one_in_the_cache() -> None:
    # Two votes on one post commit in one order, and their coroutines (or another instance's
    # notification) may arrive in the other: the later commit's numbers must stay.
    cache = SummaryCache()
    newer = Summary("default", "p", 2, 9, (0, 0, 0, 1, 1), seq=7)
    older = Summary("default", "p", 1, 4, (0, 0, 0, 1, 0), seq=6)
    cache.put(newer)
    cache.put(older)
    assert cache.get("default", "p") == newer
    cache.put(Summary("default", "p", 0, 0, seq=8))  # a reset after both
    assert cache.get("default", "p") == Summary("default", "p")
