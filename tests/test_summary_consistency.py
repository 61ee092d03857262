"""Under concurrent votes, withdrawals, forgets and reads, every number agrees.

The summary cache, the posts rows and the daily rows must all say what the votes table says,
whatever order the writer's commits and the read connection's queries interleave in.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

import httpx

from tests.conftest import NO_LIMITS
from widget import store
from widget.cache import Rendered, RenderedSummaries, SummaryCache
from widget.models import Site, Summary
from widget.runtime.app import create_app
from widget.settings import Settings

POSTS = [f"p{i}" for i in range(6)]


async def _storm(client: httpx.AsyncClient, rng: random.Random, tokens: list[str]) -> None:
    async def one(step: int) -> None:
        token = rng.choice(tokens)
        post = rng.choice(POSTS)
        roll = rng.random()
        if roll < 0.55:
            body = {"post": post, "rating": rng.randint(1, 5), "voter": token}
            answer = await client.post("/api/v1/votes", json=body)
        elif roll < 0.7:
            answer = await client.request(
                "DELETE", "/api/v1/votes", json={"post": post, "voter": token}
            )
        elif roll < 0.75:
            answer = await client.post("/api/v1/forget", json={"voter": token})
        else:
            query = "&".join(f"post={p}" for p in rng.sample(POSTS, 3))
            answer = await client.get(f"/api/v1/summary?{query}")
        assert answer.status_code == 200, answer.text

    await asyncio.gather(*(one(step) for step in range(400)))


async def test_cache_posts_and_daily_agree_with_the_votes_after_a_storm(tmp_path: Path) -> None:
    settings = Settings(
        db=str(tmp_path / "c.db"), secret_key="k", access_log=False, cache_size=1, **NO_LIMITS
    )
    app = create_app(settings)
    rng = random.Random(6)  # cache_size=1: evictions race with reads all the time
    tokens = [f"reader-{i:04d}-token-xx" for i in range(40)]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for _ in range(3):
                await _storm(client, rng, tokens)
            query = "&".join(f"post={p}" for p in POSTS)
            shown = {
                s["post"]: (s["count"], s["distribution"])
                for s in (await client.get(f"/api/v1/summary?{query}")).json()["posts"]
            }
    conn = sqlite3.connect(settings.db)
    assert store.recompute(conn) == []  # posts rows match the votes table
    truth = {post: (0, [0, 0, 0, 0, 0]) for post in POSTS}
    for post, rating, count in conn.execute(
        "SELECT post, rating, count(*) FROM votes GROUP BY post, rating"
    ):
        truth[post][1][rating - 1] = count
    truth = {post: (sum(dist), dist) for post, (_, dist) in truth.items()}
    assert shown == truth  # what readers are shown
    daily = dict(conn.execute("SELECT post, sum(votes) FROM daily GROUP BY post").fetchall())
    assert {post: daily.get(post, 0) for post in POSTS} == {p: truth[p][0] for p in POSTS}
    conn.close()


def test_a_slow_read_cannot_bring_back_a_summary_evicted_after_a_newer_vote() -> None:
    """The read began before a vote; the vote's summary was put, then evicted by others."""
    cache = SummaryCache(max_entries=2)
    since = cache.epoch()  # the read connection's query starts here and sees 1 vote
    loaded = Summary("default", "p", 1, 5, (0, 0, 0, 0, 1))
    cache.put(Summary("default", "p", 2, 6, (1, 0, 0, 0, 1)))  # a vote commits meanwhile
    cache.put(Summary("default", "q", 1, 3, (0, 0, 1, 0, 0)))
    cache.put(Summary("default", "r", 1, 3, (0, 0, 1, 0, 0)))  # p is evicted
    cache.put_loaded(loaded, since)  # the slow read comes back
    assert cache.get("default", "p") != loaded  # a miss (read again) beats an old count


def test_a_read_without_races_still_fills_the_cache() -> None:
    cache = SummaryCache(max_entries=2)
    since = cache.epoch()
    cache.put(Summary("default", "q", 1, 3, (0, 0, 1, 0, 0)))  # a write, but no eviction
    loaded = Summary("default", "p", 1, 5, (0, 0, 0, 0, 1))
    cache.put_loaded(loaded, since)
    assert cache.get("default", "p") is loaded


def test_encoded_answers_are_bounded_by_their_bytes_not_only_their_number() -> None:
    """1,000 reads of 25 long unknown post ids each once added 140 MB to the process."""
    rendered = RenderedSummaries()
    site = Site("default", "Default site")
    for n in range(1024):
        query = b"post=" + b"%F0%9F%98%80" * 4000 + str(n).encode()  # a 48 KB query string
        body = b"x" * 20_000
        rendered.put(query, Rendered(site, (), body, f'"{n}"'))
    assert rendered.size_bytes <= RenderedSummaries.MAX_BYTES
    assert rendered.size_bytes > RenderedSummaries.MAX_BYTES // 4  # still caching
