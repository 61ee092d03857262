"""The summary caches at their size limits: full and churning, readers still see the truth.

A flood of unknown post ids keeps the summary cache full and evicting; each eviction must cost
the same however long the churn went on (it used to walk past every deleted slot of a dict:
12 -> 210 us), and what a reader sees must stay right.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS, voter
from widget.cache import Rendered, RenderedSummaries, SummaryCache
from widget.models import Site, Summary
from widget.runtime.app import create_app
from widget.settings import Settings


def _summary(post: str, count: int = 0) -> Summary:
    return Summary("default", post, count, count * 4, (0, 0, 0, count, 0))


def test_a_churning_full_cache_keeps_its_bound_and_the_newest_entries() -> None:
    cache = SummaryCache(100)
    for n in range(5000):
        cache.put(_summary(f"p{n}"))
        assert len(cache) <= 100
    assert list(cache.entries) == [("default", f"p{n}") for n in range(4900, 5000)]
    assert cache.get("default", "p4999") == _summary("p4999")
    assert cache.get("default", "p4899") is None
    # Evicting takes the oldest entry off a linked order, never a scan from the front.
    assert isinstance(cache.entries, OrderedDict)


def test_a_rewritten_entry_counts_as_new_and_outlives_older_ones() -> None:
    cache = SummaryCache(3)
    for post in ("a", "b", "c"):
        cache.put(_summary(post))
    cache.put(_summary("a", 2))  # a vote on "a": now the most recently written
    cache.put(_summary("d"))
    assert list(cache.entries) == [("default", "c"), ("default", "a"), ("default", "d")]
    assert cache.get("default", "a") == _summary("a", 2)


def test_loaded_values_at_the_limit_never_hide_a_newer_committed_one() -> None:
    cache = SummaryCache(2)
    since = cache.epoch()  # a reader starts loading "a" from the database
    cache.put(_summary("a", 1))  # meanwhile the writer commits a vote on it
    cache.put_loaded(_summary("a"), since)  # the older read does not win
    assert cache.get("default", "a") == _summary("a", 1)
    since = cache.epoch()
    cache.put(_summary("b", 1))
    cache.put(_summary("c", 1))  # evicts "a": the cache cannot tell which keys went
    cache.put_loaded(_summary("a"), since)  # so a read that began before is not kept
    assert cache.get("default", "a") is None
    cache.put_loaded(_summary("a", 1), cache.epoch())  # a fresh read fills the gap
    assert list(cache.entries) == [("default", "c"), ("default", "a")]
    assert len(cache) == 2


def test_readers_see_the_right_counts_while_unknown_ids_churn_the_cache(tmp_path: Path) -> None:
    settings = Settings(
        db=str(tmp_path / "c.db"), secret_key="k", access_log=False, cache_size=8, **NO_LIMITS
    )
    with TestClient(create_app(settings)) as client:

        def count(post: str) -> int:
            answer = client.get(f"/api/v1/summary?post={post}")
            return int(answer.json()["posts"][0]["count"])

        for _ in range(3):
            client.post("/api/v1/votes", json={"post": "real", "rating": 4, "voter": voter()})
        assert count("real") == 3
        for batch in range(40):  # 400 unknown ids through a cache of 8
            query = "&".join(f"post=junk-{batch}-{n}" for n in range(10))
            assert client.get(f"/api/v1/summary?{query}").status_code == 200
            if batch % 10 == 0:
                client.post("/api/v1/votes", json={"post": "real", "rating": 2, "voter": voter()})
        assert count("real") == 7
        assert count("real") == 7  # the second read is the rendered answer: still right
        services = client.app.state.services  # type: ignore[attr-defined]
        assert len(services.cache) <= 8


def test_a_cached_id_of_wide_characters_keeps_no_second_copy(tmp_path: Path) -> None:
    """The memory of a cache full of made-up 4-byte-character ids: one copy of each id.

    Binding an id to a query makes CPython keep its UTF-8 form inside the string (876 -> 1,677
    bytes for 200 such characters); the cache keeps a string without it.
    """
    settings = Settings(db=str(tmp_path / "w.db"), secret_key="k", access_log=False, **NO_LIMITS)
    read, voted = "\U0001f600" * 200, "\u00e9t\u00e9-" + "\U0001f680" * 190
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/summary", params={"post": read}).status_code == 200
        client.post("/api/v1/votes", json={"post": voted, "rating": 5, "voter": voter()})
        entries = client.app.state.services.cache.entries  # type: ignore[attr-defined]
        for post in (read, voted):
            cached = entries[("default", post)].post
            assert cached == post
            assert sys.getsizeof(cached) == sys.getsizeof(post.encode().decode())  # no UTF-8
        assert (
            client.get("/api/v1/summary", params={"post": voted}).json()["posts"][0]["count"] == 1
        )


def _rendered(body_bytes: int) -> Rendered:
    return Rendered(Site("default", "Default"), (), b"x" * body_bytes, '"e"')


def test_rendered_answers_keep_their_byte_bound_exactly() -> None:
    """Small answers first, then large ones: the bound holds after every put."""
    rendered = RenderedSummaries(1024)
    largest = RenderedSummaries.MAX_BYTES // 64 - 100
    for n in range(1000):
        rendered.put(f"q=small-{n}".encode(), _rendered(1000))
    for n in range(200):
        rendered.put(f"q=large-{n}".encode(), _rendered(largest))
        assert rendered.size_bytes <= RenderedSummaries.MAX_BYTES
    assert len(rendered) <= 1024
    kept = sum(len(key) + len(r.body) for key, r in rendered._entries.items())
    assert kept == rendered.size_bytes


def test_rendered_answers_keep_their_entry_bound_and_the_newest() -> None:
    rendered = RenderedSummaries(16)
    for n in range(100):
        rendered.put(f"q={n}".encode(), _rendered(10))
        assert len(rendered) <= 16
    assert list(rendered._entries) == [f"q={n}".encode() for n in range(84, 100)]
