"""Rate limits and the daily per-post cap, as a ballot stuffer and as an office would meet them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import voter
from tests.guard_support import FakeClock, client_from, guarded_settings, services_of, via_proxy
from widget.errors import ConfigError
from widget.guard.keys import DAY
from widget.guard.limits import TokenBuckets, retry_after
from widget.settings import Settings

NOON = 30_000 * DAY + 12 * 3600  # a fixed UTC noon in 2052, after the real date

pytestmark = pytest.mark.backends  # every test here runs on SQLite and on PostgreSQL


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBuckets(per_minute=60, burst=3)
    key = b"reader"
    assert [bucket.take(key, 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take(key, 100.0)
    assert wait == 1.0  # one token a second
    assert bucket.take(key, 100.5) > 0  # still empty half a second later
    assert bucket.take(key, 101.6) == 0.0
    assert bucket.take(b"someone-else", 101.6) == 0.0  # buckets are per key


def test_a_burst_of_zero_turns_the_limit_off() -> None:
    bucket = TokenBuckets(per_minute=0, burst=0)
    assert all(bucket.take(b"k", 1.0) == 0.0 for _ in range(1000))
    assert len(bucket) == 0


def test_token_buckets_stay_bounded_and_keep_throttled_keys() -> None:
    bucket = TokenBuckets(per_minute=60, burst=2, max_keys=100)
    for _ in range(3):
        bucket.take(b"abuser", 0.0)
    assert bucket.take(b"abuser", 0.0) > 0
    for n in range(10_000):  # a flood of one-off addresses
        bucket.take(n.to_bytes(4, "big"), 0.0)
        assert len(bucket) <= 100
    # Full buckets are forgotten first; a key that is still throttled survives the sweep.
    small = TokenBuckets(per_minute=1, burst=2, max_keys=100)
    for _ in range(3):
        small.take(b"abuser", 0.0)  # empty now, full again after 120 s
    for n in range(99):
        small.take(n.to_bytes(4, "big"), 0.0)  # one token left each, full again after 60 s
    small.take(b"newcomer", 70.0)  # the sweep
    assert len(small) == 2
    assert small.take(b"abuser", 70.0) == 0.0  # 1.17 tokens refilled
    assert small.take(b"abuser", 70.0) > 0  # and no fresh bucket was handed out


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert retry_after(0.01) == 1
    assert retry_after(2.2) == 3
    assert retry_after(float("inf")) == 3600


def test_hundreds_of_fresh_tokens_from_one_address_are_capped(tmp_path: Path) -> None:
    """The classic ballot stuffing: new token per vote, same address. The cap holds."""
    settings = guarded_settings(tmp_path, vote_burst=1000, vote_per_minute=1000)
    cap = settings.daily_votes_per_post
    with client_from(settings) as client:
        answers = [
            client.post(
                "/api/v1/votes",
                json={"post": "stuffed", "rating": 5, "voter": voter()},
                headers=via_proxy("198.51.100.66"),
            )
            for _ in range(300)
        ]
        statuses = [a.status_code for a in answers]
        assert statuses.count(200) == cap
        assert statuses[cap:] == [429] * (300 - cap)
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= DAY  # until the next UTC day
        summary = client.get("/api/v1/summary?post=stuffed").json()["posts"][0]
        assert summary["count"] == cap
        # Another post, and other readers on the same post, are not affected.
        other_post = client.post(
            "/api/v1/votes",
            json={"post": "another", "rating": 5, "voter": voter()},
            headers=via_proxy("198.51.100.66"),
        )
        assert other_post.status_code == 200
        neighbour = client.post(
            "/api/v1/votes",
            json={"post": "stuffed", "rating": 1, "voter": voter()},
            headers=via_proxy("198.51.100.67"),
        )
        assert neighbour.status_code == 200
    conn = sqlite3.connect(settings.db)
    stored = conn.execute("SELECT count(*) FROM votes WHERE post = 'stuffed'").fetchone()[0]
    assert stored == cap + 1  # refused votes left no rows behind


def test_changing_a_vote_does_not_use_up_the_cap(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, daily_votes_per_post=2)
    with client_from(settings) as client:
        reader = voter()
        for rating in (1, 2, 3, 4, 5, 4, 3):
            response = client.post(
                "/api/v1/votes",
                json={"post": "p", "rating": rating, "voter": reader},
                headers=via_proxy("198.51.100.9"),
            )
            assert response.status_code == 200
        second = client.post(
            "/api/v1/votes",
            json={"post": "p", "rating": 5, "voter": voter()},
            headers=via_proxy("198.51.100.9"),
        )
        assert second.status_code == 200
        third = client.post(
            "/api/v1/votes",
            json={"post": "p", "rating": 5, "voter": voter()},
            headers=via_proxy("198.51.100.9"),
        )
        assert third.status_code == 429


def test_the_cap_starts_over_the_next_day(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, daily_votes_per_post=1)
    with client_from(settings) as client:
        clock = FakeClock(NOON)
        services_of(client).guard.clock = clock

        def fresh_vote() -> int:
            return client.post(
                "/api/v1/votes",
                json={"post": "daily", "rating": 3, "voter": voter()},
                headers=via_proxy("198.51.100.20"),
            ).status_code

        assert (fresh_vote(), fresh_vote()) == (200, 429)
        clock.advance(DAY)
        assert (fresh_vote(), fresh_vote()) == (200, 429)


def test_vote_burst_gives_429_with_retry_after_then_recovers(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, vote_burst=3, vote_per_minute=6)
    with client_from(settings) as client:
        clock = FakeClock(NOON)
        services_of(client).guard.clock = clock
        reader = voter()

        def vote() -> tuple[int, str | None]:
            response = client.post(
                "/api/v1/votes",
                json={"post": "p", "rating": 4, "voter": reader},
                headers=via_proxy("198.51.100.30"),
            )
            return response.status_code, response.headers.get("Retry-After")

        assert [vote() for _ in range(3)] == [(200, None)] * 3
        assert vote() == (429, "10")  # 6 a minute: one every 10 seconds
        clock.advance(10)
        assert vote() == (200, None)
        withdraw = client.request(
            "DELETE",
            "/api/v1/votes",
            json={"post": "p", "voter": reader},
            headers=via_proxy("198.51.100.30"),
        )
        assert withdraw.status_code == 429  # withdrawals spend from the same bucket


def test_summary_reads_are_limited_per_address(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, summary_burst=5, summary_per_minute=60)
    with client_from(settings) as client:
        services_of(client).guard.clock = FakeClock(NOON)
        codes = [
            client.get("/api/v1/summary?post=a", headers=via_proxy("198.51.100.40")).status_code
            for _ in range(7)
        ]
        assert codes == [200] * 5 + [429] * 2
        limited = client.get("/api/v1/summary?post=a", headers=via_proxy("198.51.100.40"))
        assert limited.headers["Retry-After"] == "1"
        assert limited.json()["error"]["code"] == "rate_limited"
        other = client.get("/api/v1/summary?post=a", headers=via_proxy("198.51.100.41"))
        assert other.status_code == 200


def test_feedback_is_limited_per_address(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, feedback_burst=2, feedback_per_minute=1)
    with client_from(settings) as client:
        services_of(client).guard.clock = FakeClock(NOON)
        body = {"post": "p", "voter": voter(), "text": "More examples, please.", "open_ms": 9000}
        codes = [
            client.post("/api/v1/feedback", json=body, headers=via_proxy("198.51.100.50"))
            for _ in range(3)
        ]
        assert [c.status_code for c in codes] == [201, 201, 429]
        assert codes[-1].headers["Retry-After"] == "60"


def test_an_ipv6_reader_cannot_escape_by_changing_address(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, daily_votes_per_post=3)
    with client_from(settings) as client:
        codes = [
            client.post(
                "/api/v1/votes",
                json={"post": "v6", "rating": 5, "voter": voter()},
                headers=via_proxy(f"2001:db8:77:1::{n:x}"),
            ).status_code
            for n in range(1, 7)
        ]
        assert codes == [200] * 3 + [429] * 3


def test_limits_do_not_need_a_database_round_trip_for_reads(client: TestClient) -> None:
    """Summary reads only touch memory once the post is cached (the hot path stays cheap)."""
    client.get("/api/v1/summary?post=warm")
    svc = services_of(client)
    before = svc.cache.hits
    for _ in range(5):
        assert client.get("/api/v1/summary?post=warm").status_code == 200
    assert svc.cache.hits == before + 5


def test_an_embed_on_another_origin_can_read_the_429(tmp_path: Path) -> None:
    """Retry-After is not a CORS-safelisted header: without exposing it a page could not wait."""
    settings = guarded_settings(tmp_path, summary_burst=1, summary_per_minute=60)
    with client_from(settings) as client:
        headers = via_proxy("198.51.100.60", Origin="https://blog.example")
        assert client.get("/api/v1/summary?post=a", headers=headers).status_code == 200
        limited = client.get("/api/v1/summary?post=a", headers=headers)
        assert limited.status_code == 429
        assert limited.headers["access-control-allow-origin"] == "https://blog.example"
        assert limited.headers["access-control-expose-headers"] == "Retry-After"


@pytest.mark.parametrize(
    "env",
    [
        {"WIDGET_VOTE_BURST": "10", "WIDGET_VOTE_PER_MINUTE": "0"},
        {"WIDGET_SUMMARY_BURST": "-1"},
        {"WIDGET_DAILY_VOTES_PER_POST": "-5"},
        {"WIDGET_RETENTION_DAYS": "many"},
        {"WIDGET_AKISMET_URL": "ftp://akismet.example"},
    ],
)
def test_bad_limit_settings_stop_the_start(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="WIDGET_"):
        Settings.from_env(env)


def test_a_burst_of_zero_is_a_valid_way_to_turn_a_limit_off() -> None:
    assert Settings.from_env({"WIDGET_VOTE_BURST": "0", "WIDGET_VOTE_PER_MINUTE": "0"})
