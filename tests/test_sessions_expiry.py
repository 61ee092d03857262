"""Server-side session lifetimes (issue 12, item 2): idle 3 days, absolute 30 days, hourly
last-seen writes, and expired rows pruned. The clock is moved by ageing the session's row."""

from __future__ import annotations

import time

import pytest

from tests.dashboard_support import login, running
from tests.session_support import author_id, logged_in, query, seed_people
from widget.guard.auth import SESSION_ABSOLUTE_SECONDS, SESSION_COOKIE, SESSION_IDLE_SECONDS
from widget.settings import Settings

HOUR = 3600.0


@pytest.fixture
def people(settings: Settings) -> Settings:
    return seed_people(settings)


def _age(settings: Settings, username: str, *, created: float, seen: float) -> None:
    """Make the author's sessions look `created` and `seen` seconds old."""
    now = time.time()
    query(
        settings,
        "UPDATE sessions SET created_at = ?, seen_at = ? WHERE author_id = ?",
        now - created,
        now - seen,
        author_id(settings, username),
    )


def _seen_at(settings: Settings, username: str) -> float:
    rows = query(
        settings, "SELECT seen_at FROM sessions WHERE author_id = ?", author_id(settings, username)
    )
    assert len(rows) == 1
    return float(rows[0][0])


def test_a_session_idle_for_three_days_is_refused(people: Settings) -> None:
    with running(people) as browser:
        login(browser, "alice")
        _age(people, "alice", created=SESSION_IDLE_SECONDS - HOUR, seen=SESSION_IDLE_SECONDS - HOUR)
        assert logged_in(browser)  # used a little under three days ago: still fine
        _age(people, "alice", created=SESSION_IDLE_SECONDS + 60, seen=SESSION_IDLE_SECONDS + 60)
        assert not logged_in(browser)


def test_a_session_in_daily_use_still_ends_after_thirty_days(people: Settings) -> None:
    with running(people) as browser:
        login(browser, "alice")
        _age(people, "alice", created=SESSION_ABSOLUTE_SECONDS - HOUR, seen=HOUR / 2)
        assert logged_in(browser)
        _age(people, "alice", created=SESSION_ABSOLUTE_SECONDS + 60, seen=HOUR / 2)
        assert not logged_in(browser)


def test_last_seen_is_written_at_most_hourly(people: Settings) -> None:
    with running(people) as browser:
        login(browser, "alice")
        _age(people, "alice", created=2 * HOUR, seen=HOUR / 2)
        before = _seen_at(people, "alice")
        answer = browser.get("/dashboard")
        assert answer.status_code == 200
        assert _seen_at(people, "alice") == before  # read, not written
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")

        _age(people, "alice", created=2 * HOUR, seen=HOUR + 60)
        answer = browser.get("/dashboard")
        assert answer.status_code == 200
        assert time.time() - _seen_at(people, "alice") < 60  # moved to now
        assert SESSION_COOKIE in answer.headers["set-cookie"]  # and the cookie re-signed


def test_expired_sessions_are_pruned_at_the_next_login(people: Settings) -> None:
    with running(people) as old, running(people) as older, running(people) as fresh:
        login(old, "alice")
        login(older, "bob")
        _age(people, "alice", created=4 * 86400, seen=SESSION_IDLE_SECONDS + 60)
        _age(people, "bob", created=SESSION_ABSOLUTE_SECONDS + 60, seen=60)
        assert len(query(people, "SELECT key FROM sessions")) == 2
        login(fresh, "root")
        assert not logged_in(old) and not logged_in(older)
    assert query(people, "SELECT author_id FROM sessions") == [(author_id(people, "root"),)]
