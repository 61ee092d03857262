"""Storage: migrations, exact aggregates under change and withdraw, the group-commit writer."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from functools import partial
from pathlib import Path

import pytest

from widget import store
from widget.errors import InvalidField, NotFound
from widget.models import VoteInput
from widget.store.sqlite.migrations import MIGRATIONS, current_version, migrate
from widget.store.sqlite.writer import Writer, open_database


def test_migrations_on_empty_and_existing_database(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    conn = open_database(path)
    assert current_version(conn) == len(MIGRATIONS)
    assert migrate(conn) == []  # nothing left to apply
    assert store.load_sites(conn)["default"].name
    conn.execute("INSERT INTO meta (key, value) VALUES ('marker', 'kept')")
    conn.close()
    again = open_database(path)
    assert again.execute("SELECT value FROM meta WHERE key = 'marker'").fetchone() == ("kept",)
    assert again.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert again.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert again.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    again.close()


def test_partially_migrated_database_catches_up(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()
    upgraded = open_database(path)
    assert current_version(upgraded) == len(MIGRATIONS)
    upgraded.close()


def _vote(conn: sqlite3.Connection, post: str, voter_key: str, rating: int) -> None:
    store.record_vote(conn, VoteInput("default", post, "t" * 16, rating), voter_key, 1.7e9)


def test_random_changes_and_withdrawals_match_recompute(tmp_path: Path) -> None:
    conn = open_database(str(tmp_path / "r.db"))
    rng = random.Random(7)
    conn.execute("BEGIN")
    for step in range(3000):
        post = f"p{rng.randrange(5)}"
        key = f"v{rng.randrange(200)}"
        if rng.random() < 0.2:
            store.withdraw_vote(conn, "default", post, key, 1.7e9 + step * 3600)
        else:
            store.record_vote(
                conn,
                VoteInput("default", post, "t" * 16, rng.randint(1, 5)),
                key,
                1.7e9 + step * 3600,
            )
    conn.execute("COMMIT")
    assert store.recompute(conn) == []
    posts = conn.execute("SELECT post, votes, total FROM posts ORDER BY post").fetchall()
    daily = conn.execute(
        "SELECT post, sum(votes), sum(total) FROM daily GROUP BY post ORDER BY post"
    ).fetchall()
    assert posts == daily  # daily rows add up to the aggregates, day by day
    conn.close()


def test_recompute_reports_and_fixes_drift(tmp_path: Path) -> None:
    conn = open_database(str(tmp_path / "d.db"))
    _vote(conn, "p", "a", 5)
    _vote(conn, "p", "b", 1)
    conn.execute("UPDATE posts SET votes = 7, r5 = 0")
    drifts = store.recompute(conn)
    assert drifts == [
        {
            "site": "default",
            "post": "p",
            "stored": (7, 6, 1, 0, 0, 0, 0),
            "recomputed": (2, 6, 1, 0, 0, 0, 1),
        }
    ]
    assert store.recompute(conn) == []
    conn.close()


def test_unknown_site_and_duplicate_author(tmp_path: Path) -> None:
    conn = open_database(str(tmp_path / "u.db"))
    with pytest.raises(NotFound):
        store.record_vote(conn, VoteInput("nope", "p", "t" * 16, 3), "k", 1.0)
    store.create_author(conn, "ana", "hash", True)
    with pytest.raises(InvalidField):
        store.create_author(conn, "ana", "hash", False)
    assert store.count_authors(conn) == 1
    conn.close()


def test_secret_key_is_generated_once(tmp_path: Path) -> None:
    conn = open_database(str(tmp_path / "k.db"))
    first = store.secret_key(conn)
    assert len(first) >= 48
    assert store.secret_key(conn) == first
    conn.close()


async def test_writer_batches_and_isolates_failures(tmp_path: Path) -> None:
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "w.db")), on_batch=sizes.append)
    writer.start()

    def boom(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('half-done', 'x')")
        raise InvalidField("x", "refused on purpose")

    jobs = [
        writer.submit(partial(_vote, post="p", voter_key=f"k{i}", rating=1 + i % 5))
        for i in range(100)
    ]
    failing = writer.submit(boom)
    results = await asyncio.gather(*jobs, failing, return_exceptions=True)
    assert isinstance(results[-1], InvalidField)
    assert all(r is None for r in results[:-1])
    assert sum(sizes) == 101
    assert max(sizes) > 1  # concurrent writes shared a commit
    count = await writer.submit(lambda conn: conn.execute("SELECT votes FROM posts").fetchone()[0])
    half = await writer.submit(
        lambda conn: conn.execute("SELECT count(*) FROM meta WHERE key = 'half-done'").fetchone()
    )
    assert (count, half) == (100, (0,))  # the failed operation left nothing behind
    await writer.close()


async def test_closed_writer_refuses_new_work(tmp_path: Path) -> None:
    from widget.errors import Unavailable

    writer = Writer(open_database(str(tmp_path / "c.db")))
    writer.start()
    pending = asyncio.ensure_future(
        writer.submit(partial(_vote, post="p", voter_key="k", rating=4))
    )
    await asyncio.sleep(0)
    await writer.close()
    assert (await pending) is None  # queued before close: still written
    with pytest.raises(Unavailable):
        await writer.submit(partial(_vote, post="p", voter_key="k2", rating=4))
