"""Many readers' votes in one go: the writer's common case, in a fixed number of statements.

record_vote (votes.py) runs five or six statements per vote, and with batches of 30-130 votes
the cost of issuing a statement weighed more than SQLite's own work. record_votes leaves the
database exactly as the same votes cast one by one would (both take what a vote does to the
counts from tally.py; here the moves are folded per post and day), with three reads (the
readers' current votes, today's cap counts, and the posts' aggregates afterwards) and one
executemany per table. It runs inside the writer's transaction: nothing can change between
its reads and its writes. A refused vote (over the daily cap) is returned as its error and
leaves no trace. Anything unexpected raises, and the writer then runs every vote of the batch
again one by one through record_vote (db.py), which gives each its own answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from widget.errors import RateLimited
from widget.models import Summary, VoteInput, VoteResult
from widget.store.sqlite.privacy import CAP_MESSAGE, CapCheck
from widget.store.sqlite.votes import MOVE_DAILY, MOVE_POST, POST_COLUMNS, _summary, record_vote
from widget.store.tally import PostKey, Tally, move

VoteKey = tuple[str, str, str]  # site, post, voter key


@dataclass(frozen=True, slots=True)
class VoteWrite:
    """One reader's vote as a writer operation: alone it is record_vote; the writer runs the
    votes waiting in a batch together through `run_together` (see db.py)."""

    vote: VoteInput
    voter_key: str
    now: float
    cap: CapCheck | None = None

    def __call__(self, conn: sqlite3.Connection) -> VoteResult:
        return record_vote(conn, self.vote, self.voter_key, self.now, self.cap)

    @staticmethod
    def run_together(conn: sqlite3.Connection, writes: Sequence[VoteWrite]) -> list[Any]:
        return record_votes(conn, writes)


@dataclass(slots=True)
class _Row:
    rating: int | None  # None: the reader has no vote on the post yet
    created_at: float
    updated_at: float
    stored: bool  # the row exists in the table (UPDATE) or not yet (INSERT)
    changed: bool = False


@dataclass(slots=True)
class _PostLabel:
    """What a batch writes to a post's row besides the counts (those are in the Tally)."""

    title: str | None
    url: str | None
    last_vote_at: float


def _values(width: int, count: int) -> str:
    row = "(" + ",".join("?" * width) + ")"
    return ",".join([row] * count)


def _lookup(
    conn: sqlite3.Connection, select: str, columns: str, keys: Sequence[tuple[Any, ...]]
) -> list[Any]:
    """`select` joined to the given key tuples (a CTE named k with `columns`), by index."""
    if not keys:
        return []
    width = len(keys[0])
    params = [value for key in keys for value in key]
    sql = f"WITH k({columns}) AS (VALUES {_values(width, len(keys))}) {select}"
    return conn.execute(sql, params).fetchall()


def _current_votes(conn: sqlite3.Connection, keys: Iterable[VoteKey]) -> dict[VoteKey, _Row]:
    unique = list(dict.fromkeys(keys))
    rows = {key: _Row(None, 0.0, 0.0, stored=False) for key in unique}
    found = _lookup(
        conn,
        "SELECT v.site, v.post, v.voter_key, v.rating, v.created_at FROM k JOIN votes v"
        " ON v.site = k.site AND v.post = k.post AND v.voter_key = k.voter_key",
        "site, post, voter_key",
        unique,
    )
    for site, post, voter_key, rating, created_at in found:
        rows[(site, post, voter_key)] = _Row(rating, created_at, created_at, stored=True)
    return rows


def _cap_counts(
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str, str, str]]
) -> dict[tuple[str, str, str, str], int]:
    unique = list(dict.fromkeys(keys))
    found = _lookup(
        conn,
        "SELECT c.day, c.site, c.post, c.ip_key, c.count FROM k JOIN vote_caps c"
        " ON c.day = k.day AND c.site = k.site AND c.post = k.post AND c.ip_key = k.ip_key",
        "day, site, post, ip_key",
        unique,
    )
    counts = dict.fromkeys(unique, 0)
    for day, site, post, ip_key, count in found:
        counts[(day, site, post, ip_key)] = count
    return counts


def _cap_key(write: VoteWrite) -> tuple[str, str, str, str] | None:
    cap = write.cap
    if cap is None or cap.cap <= 0:
        return None
    return (cap.day, write.vote.site, write.vote.post, cap.ip_key)


def record_votes(conn: sqlite3.Connection, writes: Sequence[VoteWrite]) -> list[Any]:
    """Each write's VoteResult, or the RateLimited error of a vote over the daily cap."""
    rows = _current_votes(conn, ((w.vote.site, w.vote.post, w.voter_key) for w in writes))
    cap_keys = [key for w in writes if (key := _cap_key(w)) is not None]
    caps = _cap_counts(conn, cap_keys) if cap_keys else {}
    caps_changed: set[tuple[str, str, str, str]] = set()
    tally = Tally()
    labels: dict[PostKey, _PostLabel] = {}
    outcomes: list[Any] = []  # a PostKey and the rating, or the refusal
    for write in writes:
        vote = write.vote
        row = rows[(vote.site, vote.post, write.voter_key)]
        old, new = row.rating, vote.rating
        cap_key = _cap_key(write) if old is None else None
        if cap_key is not None and write.cap is not None:
            if caps[cap_key] >= write.cap.cap:
                outcomes.append(RateLimited(CAP_MESSAGE, write.cap.retry_after))
                continue
            caps[cap_key] += 1
            caps_changed.add(cap_key)
        if old is None:
            row.created_at = write.now
        if old != new:  # record_vote leaves the row alone (updated_at too) when nothing changes
            row.rating, row.updated_at, row.changed = new, write.now, True
        post_key = (vote.site, vote.post)
        tally.add(post_key, write.now, move(old, new))
        label = labels.get(post_key)
        if label is None:
            labels[post_key] = _PostLabel(vote.title, vote.url, write.now)
        else:
            label.title = vote.title or label.title
            label.url = vote.url or label.url
            label.last_vote_at = write.now
        outcomes.append((post_key, new))
    _write(conn, rows, tally, labels, {key: caps[key] for key in caps_changed})
    summaries = _summaries(conn, list(labels))
    return [
        outcome
        if isinstance(outcome, RateLimited)
        else VoteResult(summaries[outcome[0]], outcome[1])
        for outcome in outcomes
    ]


def _write(
    conn: sqlite3.Connection,
    rows: dict[VoteKey, _Row],
    tally: Tally,
    labels: dict[PostKey, _PostLabel],
    caps: dict[tuple[str, str, str, str], int],
) -> None:
    # Aggregates first: a new vote's row refers to its post's row.
    conn.executemany(
        MOVE_POST,
        [
            (*key, label.title, label.url, *tally.posts[key], label.last_vote_at)
            for key, label in labels.items()
        ],
    )
    conn.executemany(
        MOVE_DAILY,
        # Every day a vote moved, even if the moves cancel out: record_vote writes that row too.
        [(*post, day, votes, total) for (post, day), (votes, total) in tally.days.items()],
    )
    conn.executemany(
        "INSERT INTO votes (site, post, voter_key, rating, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (*key, row.rating, row.created_at, row.updated_at)
            for key, row in rows.items()
            if row.changed and not row.stored
        ],
    )
    conn.executemany(
        "UPDATE votes SET rating = ?, updated_at = ? WHERE site = ? AND post = ? AND voter_key = ?",
        [
            (row.rating, row.updated_at, *key)
            for key, row in rows.items()
            if row.changed and row.stored
        ],
    )
    conn.executemany(
        "INSERT INTO vote_caps (day, site, post, ip_key, count) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (day, site, post, ip_key) DO UPDATE SET count = excluded.count",
        [(*key, count) for key, count in caps.items()],
    )


def _summaries(conn: sqlite3.Connection, keys: list[PostKey]) -> dict[PostKey, Summary]:
    found = _lookup(
        conn,
        f"SELECT p.site, p.post, {', '.join('p.' + c for c in POST_COLUMNS.split(', '))}"
        " FROM k JOIN posts p ON p.site = k.site AND p.post = k.post",
        "site, post",
        keys,
    )
    return {(row[0], row[1]): _summary(row[0], row[1], row[2:]) for row in found}
