"""Reads behind the dashboard's overview and post pages: rankings, totals, trends."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from widget.store.records import DayCount, PostRow, SiteStats

_SCORE = "(:prior_weight * :prior_mean + total) / (:prior_weight + votes)"
# Whitelisted orderings, "{dir}" = ASC or DESC. Votes and recency follow an index's own order,
# so their first page costs a few index reads; score and average scan the covering index
# (site, votes, total) once. Posts without votes (possible after a reset) sort last by average.
SORTS = {
    "score": _SCORE + " {dir}, rowid",
    "average": "votes = 0, CASE WHEN votes > 0 THEN total * 1.0 / votes END {dir}, rowid",
    "votes": "votes {dir}, total {dir}",
    "recent": "last_vote_at {dir}",
    "title": "coalesce(title, post) COLLATE NOCASE {dir}, post",
}


async def site_stats(conn: aiosqlite.Connection, site: str) -> SiteStats:
    async with conn.execute(
        "SELECT count(*), coalesce(sum(votes > 0), 0), coalesce(sum(votes), 0),"
        " coalesce(sum(total), 0) FROM posts WHERE site = ?",
        (site,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return SiteStats(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


async def daily_trend(
    conn: aiosqlite.Connection, site: str, since_day: str, post: str | None = None
) -> list[DayCount]:
    if post is None:
        sql = (
            "SELECT day, sum(votes), sum(total) FROM daily WHERE site = ? AND day >= ?"
            " GROUP BY day ORDER BY day"
        )
        params: tuple[str, ...] = (site, since_day)
    else:
        sql = (
            "SELECT day, votes, total FROM daily WHERE site = ? AND post = ? AND day >= ?"
            " ORDER BY day"
        )
        params = (site, post, since_day)
    async with conn.execute(sql, params) as cursor:
        return [DayCount(row[0], int(row[1]), int(row[2])) for row in await cursor.fetchall()]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def ranked_posts(
    conn: aiosqlite.Connection,
    site: str,
    stats: SiteStats,
    *,
    sort: str = "score",
    descending: bool = True,
    query: str = "",
    min_votes: int = 0,
    active_since: float | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PostRow], int]:
    """One page of the site's posts in the chosen order, and how many match the filters."""
    where = ["site = :site"]
    params: dict[str, object] = {
        "site": site,
        "prior_weight": stats.prior_weight,
        "prior_mean": stats.prior_mean,
        "limit": limit,
        "offset": offset,
    }
    if query:
        where.append("(post LIKE :q ESCAPE '\\' OR title LIKE :q ESCAPE '\\')")
        params["q"] = _like(query)
    if min_votes > 0:
        where.append("votes >= :min_votes")
        params["min_votes"] = min_votes
    if active_since is not None:
        where.append("last_vote_at >= :active_since")
        params["active_since"] = active_since
    condition = " AND ".join(where)
    order = SORTS[sort].format(dir="DESC" if descending else "ASC")
    # Two steps: find the page's rowids from the index alone, then read just those rows.
    sql = (
        "SELECT post, title, url, votes, total, r1, r2, r3, r4, r5, last_vote_at,"
        f" {_SCORE} FROM posts WHERE rowid IN (SELECT rowid FROM posts WHERE {condition}"
        f" ORDER BY {order} LIMIT :limit OFFSET :offset) ORDER BY {order}"
    )
    async with conn.execute(sql, params) as cursor:
        rows = [
            PostRow(r[0], r[1], r[2], r[3], r[4], (r[5], r[6], r[7], r[8], r[9]), r[10], r[11])
            for r in await cursor.fetchall()
        ]
    if len(where) == 1:
        return rows, stats.posts  # no filter: the count is already known, skip a scan
    count_params = {k: v for k, v in params.items() if f":{k}" in condition}
    async with conn.execute(f"SELECT count(*) FROM posts WHERE {condition}", count_params) as cur:
        row = await cur.fetchone()
    return rows, int(row[0]) if row else 0


async def post_row(
    conn: aiosqlite.Connection, site: str, post: str, stats: SiteStats
) -> PostRow | None:
    async with conn.execute(
        "SELECT post, title, url, votes, total, r1, r2, r3, r4, r5, last_vote_at,"
        f" {_SCORE} FROM posts WHERE site = :site AND post = :post",
        {
            "prior_weight": stats.prior_weight,
            "prior_mean": stats.prior_mean,
            "site": site,
            "post": post,
        },
    ) as cursor:
        r = await cursor.fetchone()
    if r is None:
        return None
    return PostRow(r[0], r[1], r[2], r[3], r[4], (r[5], r[6], r[7], r[8], r[9]), r[10], r[11])


async def recent_votes(
    conn: aiosqlite.Connection, site: str, post: str, limit: int = 20
) -> list[tuple[int, float, float]]:
    """(rating, first voted, last changed), newest first; who voted is never shown."""
    async with conn.execute(
        "SELECT rating, created_at, updated_at FROM votes WHERE site = ? AND post = ?"
        " ORDER BY updated_at DESC LIMIT ?",
        (site, post, limit),
    ) as cursor:
        return [(int(r[0]), float(r[1]), float(r[2])) for r in await cursor.fetchall()]


async def new_feedback_by_post(
    conn: aiosqlite.Connection, site: str, posts: Sequence[str]
) -> dict[str, int]:
    if not posts:
        return {}
    marks = ",".join("?" * len(posts))
    async with conn.execute(
        f"SELECT post, count(*) FROM feedback WHERE site = ? AND post IN ({marks})"
        " AND status = 'new' GROUP BY post",
        (site, *posts),
    ) as cursor:
        return {row[0]: int(row[1]) for row in await cursor.fetchall()}
