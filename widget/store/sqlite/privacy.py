"""Reader rights and privacy housekeeping: daily salts, vote caps, forget, retention purge.

The aggregates (posts, daily) are the product; the per-reader rows (votes, feedback's voter key)
are only there so a reader can change or withdraw a vote. Forgetting a reader removes their rows
and moves the aggregates like a withdrawal would. Purging old rows keeps their counts in
`vote_baseline`, so a post's numbers never change because detail was deleted and `recompute`
(which adds the baseline to what the votes table says) still finds no drift.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from widget.errors import RateLimited
from widget.store.records import Forgotten, Purged
from widget.store.sqlite.votes import _apply_to_aggregates

CAP_MESSAGE = "this network has sent as many new votes on this post today as we accept"

# --- daily address salts and the per-post cap -----------------------------------------------


def salt_seed(conn: sqlite3.Connection, day: str, fresh_seed: str, now: float) -> str:
    """The seed of `day`, created from fresh_seed by whichever instance asks first."""
    conn.execute(
        "INSERT INTO ip_salts (day, seed, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (day) DO NOTHING",
        (day, fresh_seed, now),
    )
    return str(conn.execute("SELECT seed FROM ip_salts WHERE day = ?", (day,)).fetchone()[0])


def prune_salts(conn: sqlite3.Connection, today: str, yesterday: str) -> int:
    """Delete salts older than yesterday's (48 hours at most) and caps of past days.

    A cap row is only useful on its own day; once gone, the address keys of that day exist
    nowhere, and once the salt is gone too they could not be recomputed.
    """
    removed = conn.execute("DELETE FROM ip_salts WHERE day < ?", (yesterday,)).rowcount
    conn.execute("DELETE FROM vote_caps WHERE day < ?", (today,))
    return int(removed)


def count_new_vote(
    conn: sqlite3.Connection,
    site: str,
    post: str,
    day: str,
    ip_key: str,
    cap: int,
    retry_after: float,
) -> None:
    """Count one new vote on a post from one address today; refuse the one over the cap.

    Runs inside the vote's own savepoint, so a refused vote leaves no trace, the counter
    included.
    """
    if cap <= 0:
        return
    row = conn.execute(
        "INSERT INTO vote_caps (day, site, post, ip_key, count) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (day, site, post, ip_key) DO UPDATE SET count = vote_caps.count + 1"
        " RETURNING count",
        (day, site, post, ip_key),
    ).fetchone()
    if int(row[0]) > cap:
        raise RateLimited(CAP_MESSAGE, int(retry_after))


@dataclass(frozen=True, slots=True)
class CapCheck:
    """count_new_vote's arguments as data: record_vote calls it, record_votes reads it."""

    site: str
    post: str
    day: str
    ip_key: str
    cap: int
    retry_after: int

    def __call__(self, conn: sqlite3.Connection) -> None:
        count_new_vote(
            conn, self.site, self.post, self.day, self.ip_key, self.cap, self.retry_after
        )


# --- forget ------------------------------------------------------------------------------------


def forget_voter(
    conn: sqlite3.Connection, voter_key: str, site: str | None, now: float
) -> Forgotten:
    """Delete every vote and feedback item of one reader (on one site, or all of them)."""
    where, params = "voter_key = ?", [voter_key]
    if site is not None:
        where += " AND site = ?"
        params.append(site)
    result = Forgotten()
    rows = conn.execute(
        f"DELETE FROM votes WHERE {where} RETURNING site, post, rating", params
    ).fetchall()
    for vote_site, post, rating in sorted(rows):
        result.summaries.append(_apply_to_aggregates(conn, vote_site, post, rating, None, now))
    result.votes = len(rows)
    result.feedback = conn.execute(f"DELETE FROM feedback WHERE {where}", params).rowcount
    return result


# --- retention --------------------------------------------------------------------------------


def purge_before(conn: sqlite3.Connection, cutoff: float, now: float) -> Purged:
    """Remove per-reader detail last touched before cutoff; aggregates do not move.

    - votes: their counts go into vote_baseline, then the rows are deleted. The reader can no
      longer change or withdraw that vote (a new vote from them counts as a new one).
    - feedback: the text stays for the author, the link to the reader (voter key) is erased.
    - feedback marked spam: deleted.
    """
    # The old rows are picked through votes_by_age first (MATERIALIZED keeps the planner from
    # grouping along the primary key instead): a full scan of a million votes held the writer
    # for seconds at every start and every midnight, even with nothing to purge.
    before = conn.total_changes  # rowcount is not kept for a statement starting with WITH
    conn.execute(
        "WITH old AS MATERIALIZED (SELECT site, post, rating FROM votes WHERE updated_at < ?)"
        " INSERT INTO vote_baseline (site, post, votes, total, r1, r2, r3, r4, r5, purged_at)"
        " SELECT site, post, count(*), sum(rating), sum(rating = 1), sum(rating = 2),"
        " sum(rating = 3), sum(rating = 4), sum(rating = 5), ? FROM old"
        " WHERE true GROUP BY site, post"
        " ON CONFLICT (site, post) DO UPDATE SET"
        " votes = vote_baseline.votes + excluded.votes,"
        " total = vote_baseline.total + excluded.total,"
        " r1 = vote_baseline.r1 + excluded.r1, r2 = vote_baseline.r2 + excluded.r2,"
        " r3 = vote_baseline.r3 + excluded.r3, r4 = vote_baseline.r4 + excluded.r4,"
        " r5 = vote_baseline.r5 + excluded.r5, purged_at = excluded.purged_at",
        (cutoff, now),
    )
    posts = conn.total_changes - before
    votes = conn.execute("DELETE FROM votes WHERE updated_at < ?", (cutoff,)).rowcount
    spam = conn.execute(
        "DELETE FROM feedback WHERE status = 'spam' AND created_at < ?", (cutoff,)
    ).rowcount
    unlinked = conn.execute(
        "UPDATE feedback SET voter_key = '' WHERE created_at < ? AND voter_key <> ''", (cutoff,)
    ).rowcount
    return Purged(int(votes), int(posts), int(unlinked), int(spam))


BASELINE_TOTALS = "SELECT site, post, votes, total, r1, r2, r3, r4, r5 FROM vote_baseline"
