"""Seeding benchmark databases straight through SQLite, not through HTTP.

A million votes through the API would take minutes and measure the writer, not the read path
these databases exist for. Rows go in with one transaction and synchronous=OFF, then the
service's own `store.recompute` rebuilds the aggregates, so a seeded database is exactly what
the same votes cast one by one would have left.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from widget import store
from widget.store.sqlite.migrations import MIGRATIONS
from widget.store.sqlite.writer import open_database

SITE = "default"
SMALL_POST = "small"  # 10 votes
BIG_POST = "big"  # the million


def _fast(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA synchronous = OFF")


def _voter_key(n: int, salt: str) -> str:
    # Same shape as guard.voter_key: 32 hex characters, evenly spread like an HMAC.
    return hashlib.blake2b(f"{salt}:{n}".encode(), digest_size=16).hexdigest()


def _vote_rows(post: str, count: int, salt: str, now: float) -> Iterator[tuple[object, ...]]:
    for n in range(count):
        rating = 1 + (n * 7 + n // 3) % 5
        yield (SITE, post, _voter_key(n, salt), rating, now, now)


def add_votes(conn: sqlite3.Connection, post: str, count: int, now: float) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO posts (site, post, title) VALUES (?, ?, ?)",
        (SITE, post, f"Benchmark post {post}"),
    )
    conn.executemany(
        "INSERT INTO votes (site, post, voter_key, rating, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        _vote_rows(post, count, post, now),
    )
    conn.execute(
        "INSERT INTO daily (site, post, day, votes, total)"
        " SELECT site, post, ?, count(*), sum(rating) FROM votes WHERE site = ? AND post = ?",
        (store.day_of(now), SITE, post),
    )


def seed_posts(path: Path, posts: int, votes_each: int) -> None:
    """posts `post-0` ... with votes_each votes each (the read and write scenarios)."""
    conn = open_database(str(path))
    _fast(conn)
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    for n in range(posts):
        add_votes(conn, f"post-{n}", votes_each, now)
    store.recompute(conn)
    conn.execute("COMMIT")
    conn.close()


def seed_million(path: Path, votes: int = 1_000_000) -> Path:
    """`big` with `votes` votes and `small` with 10; built once and kept in bench/work."""
    cached = path.with_name(f"seed-{votes}-v{len(MIGRATIONS)}.db")
    if not cached.exists():
        building = cached.with_suffix(".building")
        for leftover in building.parent.glob(building.name + "*"):
            leftover.unlink()
        conn = open_database(str(building))
        _fast(conn)
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        add_votes(conn, SMALL_POST, 10, now)
        add_votes(conn, BIG_POST, votes, now)
        store.recompute(conn)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        building.rename(cached)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(cached, path)
    return path


def seed_dashboard(path: Path, posts: int, username: str, password: str) -> None:
    """`posts` posts with aggregates (no vote rows needed for the overview) and one author."""
    from widget.guard.auth import hash_password

    conn = open_database(str(path))
    _fast(conn)
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO posts (site, post, title, votes, total, r1, r2, r3, r4, r5, last_vote_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (SITE, f"post-{n}", f"Post number {n}", 15, 15 * 3, 3, 3, 3, 3, 3, now - n)
            for n in range(posts)
        ),
    )
    store.create_author(conn, username, hash_password(password), True, (SITE,))
    conn.execute("COMMIT")
    conn.close()
