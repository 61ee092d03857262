"""Votes and the aggregates that move with them (posts, daily), and summary reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

from widget.errors import NotFound
from widget.models import Summary, VoteInput, VoteResult
from widget.store.sqlite.sites import site_exists
from widget.store.tally import day_of, move

POST_COLUMNS = "votes, total, r1, r2, r3, r4, r5"
# A post's aggregates and its day's row moved by a tally.Move (a vote cast, changed or
# withdrawn); record_vote runs them per vote, record_votes (vote_batch.py) once per post and day.
MOVE_POST = (
    "INSERT INTO posts (site, post, title, url, votes, total, r1, r2, r3, r4, r5, last_vote_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (site, post) DO UPDATE SET"
    " title = coalesce(excluded.title, title), url = coalesce(excluded.url, url),"
    " votes = votes + excluded.votes, total = total + excluded.total,"
    " r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3,"
    " r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, last_vote_at = excluded.last_vote_at"
)
MOVE_DAILY = (
    "INSERT INTO daily (site, post, day, votes, total) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (site, post, day) DO UPDATE SET"
    " votes = votes + excluded.votes, total = total + excluded.total"
)


def _summary(site: str, post: str, row: Any) -> Summary:
    if row is None:
        return Summary(site, post)
    return Summary(site, post, row[0], row[1], (row[2], row[3], row[4], row[5], row[6]))


# -----------------------------------------------------------------------------------


def _apply_to_aggregates(
    conn: sqlite3.Connection,
    site: str,
    post: str,
    old: int | None,
    new: int | None,
    now: float,
    title: str | None = None,
    url: str | None = None,
) -> Summary:
    """Move one reader's vote from `old` to `new` (either may be None) in posts and daily."""
    change = move(old, new)
    row = conn.execute(
        f"{MOVE_POST} RETURNING {POST_COLUMNS}", (site, post, title, url, *change.post, now)
    ).fetchone()
    if change.day is not None:
        conn.execute(MOVE_DAILY, (site, post, day_of(now), *change.day))
    return _summary(site, post, row)


def record_vote(
    conn: sqlite3.Connection,
    vote: VoteInput,
    voter_key: str,
    now: float,
    on_new_vote: Callable[[sqlite3.Connection], None] | None = None,
) -> VoteResult:
    """Insert or change one reader's vote; aggregates move in the same transaction.

    on_new_vote runs only for a reader's first vote on the post (the per-address daily cap
    lives there, see store/privacy.py); if it raises, the whole vote is rolled back.
    """
    if not site_exists(conn, vote.site):
        raise NotFound(f"site {vote.site!r} does not exist", field="site")
    found = conn.execute(
        "SELECT rating FROM votes WHERE site = ? AND post = ? AND voter_key = ?",
        (vote.site, vote.post, voter_key),
    ).fetchone()
    old = found[0] if found else None
    if old is None and on_new_vote is not None:
        on_new_vote(conn)
    summary = _apply_to_aggregates(
        conn, vote.site, vote.post, old, vote.rating, now, vote.title, vote.url
    )
    if old is None:
        conn.execute(
            "INSERT INTO votes (site, post, voter_key, rating, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (vote.site, vote.post, voter_key, vote.rating, now, now),
        )
    elif old != vote.rating:
        conn.execute(
            "UPDATE votes SET rating = ?, updated_at = ?"
            " WHERE site = ? AND post = ? AND voter_key = ?",
            (vote.rating, now, vote.site, vote.post, voter_key),
        )
    return VoteResult(summary, vote.rating)


def withdraw_vote(
    conn: sqlite3.Connection, site: str, post: str, voter_key: str, now: float
) -> VoteResult:
    """Remove one reader's vote if there is one; withdrawing twice is harmless."""
    if not site_exists(conn, site):
        raise NotFound(f"site {site!r} does not exist", field="site")
    found = conn.execute(
        "DELETE FROM votes WHERE site = ? AND post = ? AND voter_key = ? RETURNING rating",
        (site, post, voter_key),
    ).fetchone()
    if found is None:
        row = conn.execute(
            f"SELECT {POST_COLUMNS} FROM posts WHERE site = ? AND post = ?", (site, post)
        ).fetchone()
        return VoteResult(_summary(site, post, row), None)
    return VoteResult(_apply_to_aggregates(conn, site, post, found[0], None, now), None)


async def read_summaries(
    conn: aiosqlite.Connection, site: str, posts: list[str]
) -> dict[str, Summary]:
    """Summaries of the given posts; posts without votes get an empty summary."""
    marks = ",".join("?" * len(posts))
    found = {post: Summary(site, post) for post in posts}
    async with conn.execute(
        f"SELECT post, {POST_COLUMNS} FROM posts WHERE site = ? AND post IN ({marks})",
        (site, *posts),
    ) as cursor:
        async for row in cursor:
            found[row[0]] = _summary(site, row[0], row[1:])
    return found
