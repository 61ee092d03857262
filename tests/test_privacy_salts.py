"""Address salts: one per UTC day, kept in the database, gone after 48 hours."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

from tests.conftest import voter
from tests.guard_support import FakeClock, client_from, guarded_settings, services_of, via_proxy
from widget import store
from widget.guard.keys import DAY, day_label
from widget.guard.service import Guard
from widget.store.sqlite.writer import open_database

DAY_ZERO = 30_000  # a day in 2052: after the real date, which the app starts with
MORNING = DAY_ZERO * DAY + 8 * 3600


def salt_days(db: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT day FROM ip_salts ORDER BY day")]
    finally:
        conn.close()


def cap_days(db: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT DISTINCT day FROM vote_caps ORDER BY day")]
    finally:
        conn.close()


def key_of(client: TestClient, address: str) -> bytes:
    guard = services_of(client).guard
    key: bytes = client.portal.call(guard.admit, "summary", address)  # type: ignore[union-attr]
    return key


def vote(client: TestClient, address: str) -> int:
    return client.post(
        "/api/v1/votes",
        json={"post": "p", "rating": 4, "voter": voter()},
        headers=via_proxy(address),
    ).status_code


def test_salts_rotate_daily_and_vanish_after_48_hours(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, daily_votes_per_post=5)
    with client_from(settings) as client:
        clock = FakeClock(MORNING)
        services_of(client).guard.clock = clock
        first = key_of(client, "198.51.100.1")
        assert key_of(client, "198.51.100.1") == first  # stable within the day
        assert key_of(client, "198.51.100.2") != first
        assert vote(client, "198.51.100.1") == 200
        assert day_label(DAY_ZERO) in salt_days(settings.db)
        assert cap_days(settings.db) == [day_label(DAY_ZERO)]

        clock.advance(DAY)  # the next morning: a new salt, so a new key for the same address
        second = key_of(client, "198.51.100.1")
        assert second != first
        assert salt_days(settings.db)[-2:] == [day_label(DAY_ZERO), day_label(DAY_ZERO + 1)]
        assert cap_days(settings.db) == []  # yesterday's counts are of no use any more

        clock.advance(DAY)  # 48 hours after day zero began, its salt is deleted
        third = key_of(client, "198.51.100.1")
        assert len({first, second, third}) == 3
        assert salt_days(settings.db) == [day_label(DAY_ZERO + 1), day_label(DAY_ZERO + 2)]

        clock.advance(5 * DAY)  # after five quiet days, only today's salt exists
        key_of(client, "198.51.100.1")
        assert salt_days(settings.db) == [day_label(DAY_ZERO + 7)]


def test_the_daily_cap_holds_across_a_restart(tmp_path: Path) -> None:
    """The salt and the counts are in the database: a restart does not reset anyone's cap."""
    settings = guarded_settings(tmp_path, daily_votes_per_post=2)
    with client_from(settings) as client:
        assert [vote(client, "198.51.100.9"), vote(client, "198.51.100.9")] == [200, 200]
        before = key_of(client, "198.51.100.9")
    with client_from(settings) as client:
        assert key_of(client, "198.51.100.9") == before
        assert vote(client, "198.51.100.9") == 429


def test_salt_seeds_are_not_the_salts(tmp_path: Path) -> None:
    """A copy of the database alone does not give the salt: it is derived with the secret."""
    settings = guarded_settings(tmp_path)
    with client_from(settings) as client:
        key = key_of(client, "198.51.100.1")
    other = guarded_settings(tmp_path, secret_key="another-secret")
    with client_from(other) as client:
        assert key_of(client, "198.51.100.1") != key


def test_a_quiet_server_still_drops_old_salts_at_midnight(tmp_path: Path) -> None:
    """No request after midnight: the guard's own timer rotates, so no salt outlives 48 hours."""
    settings = guarded_settings(tmp_path)
    conn = open_database(settings.db)
    day = DAY_ZERO + 10
    clock = FakeClock(day * DAY + DAY - 0.3)  # 0.3 s before the end of `day`
    store.salt_seed(conn, day_label(day - 1), "yesterday", clock.now)

    conn.close()

    async def scenario() -> list[str]:
        data = await store.open_store(settings.db)
        guard = Guard(settings, settings.secret_key, clock=clock)
        await guard.start(data)
        assert salt_days(settings.db) == [day_label(day - 1), day_label(day)]
        await asyncio.sleep(0.1)  # the timer now sleeps until just past midnight
        clock.advance(1.0)  # midnight passes; nobody sends a request
        for _ in range(100):
            if day_label(day + 1) in salt_days(settings.db):
                break
            await asyncio.sleep(0.05)
        days = salt_days(settings.db)
        await guard.close()
        await data.close()
        return days

    assert asyncio.run(scenario()) == [day_label(day), day_label(day + 1)]
