"""Reads on PostgreSQL: summaries, the embed's, the dashboard's and the inbox's.

The same answers as the SQLite queries (widget/store/sqlite/), in PostgreSQL's dialect:
ILIKE for SQLite's case-insensitive LIKE, FILTER for sum(boolean), the post id where SQLite
breaks ties by rowid.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg

from widget.models import Feedback, Summary
from widget.store import (
    FEEDBACK_FIELDS,
    VOTE_FIELDS,
    AuditEntry,
    Author,
    DayCount,
    InboxFilter,
    InboxItem,
    PostRow,
    SiteStats,
)

POST_COLUMNS = "votes, total, r1, r2, r3, r4, r5, seq"


def summary_of(site: str, post: str, row: Any) -> Summary:
    if row is None:
        return Summary(site, post)
    return Summary(
        site,
        post,
        row["votes"],
        row["total"],
        (row["r1"], row["r2"], row["r3"], row["r4"], row["r5"]),
        seq=row["seq"],
    )


async def read_summaries(
    conn: asyncpg.Connection, site: str, posts: Sequence[str]
) -> dict[str, Summary]:
    found = {post: Summary(site, post) for post in posts}
    rows = await conn.fetch(
        f"SELECT post, {POST_COLUMNS} FROM posts WHERE site = $1 AND post = ANY($2::text[])",
        site,
        list(posts),
    )
    for row in rows:
        found[row["post"]] = summary_of(site, row["post"], row)
    return found


async def read_posts(conn: asyncpg.Connection, keys: Sequence[tuple[str, str]]) -> list[Summary]:
    """The summaries of posts on any sites (another instance named them in a notification)."""
    rows = await conn.fetch(
        f"SELECT k.site, k.post, {', '.join('p.' + c for c in POST_COLUMNS.split(', '))}"
        " FROM unnest($1::text[], $2::text[]) AS k(site, post)"
        " JOIN posts p ON p.site = k.site AND p.post = k.post",
        [key[0] for key in keys],
        [key[1] for key in keys],
    )
    return [summary_of(row["site"], row["post"], row) for row in rows]


# --- authors and the audit log ---------------------------------------------------------------


async def author_by_id(conn: asyncpg.Connection, author_id: int) -> Author | None:
    row = await conn.fetchrow(
        "SELECT id, username, password_hash, is_admin, created_at,"
        " array(SELECT site FROM site_members m WHERE m.author_id = a.id ORDER BY site) AS sites"
        " FROM authors a WHERE id = $1",
        author_id,
    )
    if row is None:
        return None
    return Author(
        int(row["id"]),
        row["username"],
        row["password_hash"],
        bool(row["is_admin"]),
        tuple(row["sites"]),
        float(row["created_at"]),
    )


async def author_by_name(conn: asyncpg.Connection, username: str) -> Author | None:
    author_id = await conn.fetchval("SELECT id FROM authors WHERE username = $1", username)
    return None if author_id is None else await author_by_id(conn, int(author_id))


async def list_authors(conn: asyncpg.Connection) -> list[Author]:
    ids = [row["id"] for row in await conn.fetch("SELECT id FROM authors ORDER BY username")]
    found = [await author_by_id(conn, int(author_id)) for author_id in ids]
    return [author for author in found if author is not None]


async def list_audit(
    conn: asyncpg.Connection, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    rows = await conn.fetch(
        "SELECT at, author, action, target, detail::text AS detail FROM audit_log"
        " ORDER BY id DESC LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    entries = [
        AuditEntry(r["at"], r["author"], r["action"], r["target"], json.loads(r["detail"] or "{}"))
        for r in rows
    ]
    return entries, int(await conn.fetchval("SELECT count(*) FROM audit_log"))


# --- the dashboard ----------------------------------------------------------------------------

_SCORE = "(($1::float8 * $2::float8 + total) / ($1::float8 + votes))"
SORTS = {
    "score": _SCORE + " {dir}, post",
    "average": "votes = 0, CASE WHEN votes > 0 THEN total * 1.0 / votes END {dir}, post",
    "votes": "votes {dir}, total {dir}, post",
    "recent": "last_vote_at {dir} NULLS {nulls}, post",
    "title": "lower(coalesce(title, post)) {dir}, post",
}
_ROW = "post, title, url, votes, total, r1, r2, r3, r4, r5, last_vote_at"


def _post_row(r: Any) -> PostRow:
    return PostRow(
        r["post"],
        r["title"],
        r["url"],
        r["votes"],
        r["total"],
        (r["r1"], r["r2"], r["r3"], r["r4"], r["r5"]),
        r["last_vote_at"],
        float(r["score"]),
    )


async def site_stats(conn: asyncpg.Connection, site: str) -> SiteStats:
    row = await conn.fetchrow(
        "SELECT count(*), count(*) FILTER (WHERE votes > 0), coalesce(sum(votes), 0),"
        " coalesce(sum(total), 0) FROM posts WHERE site = $1",
        site,
    )
    assert row is not None
    return SiteStats(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


async def daily_trend(
    conn: asyncpg.Connection, site: str, since_day: str, post: str | None
) -> list[DayCount]:
    if post is None:
        rows = await conn.fetch(
            "SELECT day, sum(votes), sum(total) FROM daily WHERE site = $1 AND day >= $2"
            " GROUP BY day ORDER BY day",
            site,
            since_day,
        )
    else:
        rows = await conn.fetch(
            "SELECT day, votes, total FROM daily WHERE site = $1 AND post = $2 AND day >= $3"
            " ORDER BY day",
            site,
            post,
            since_day,
        )
    return [DayCount(r[0], int(r[1]), int(r[2])) for r in rows]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def ranked_posts(
    conn: asyncpg.Connection,
    site: str,
    stats: SiteStats,
    *,
    sort: str,
    descending: bool,
    query: str,
    min_votes: int,
    active_since: float | None,
    limit: int,
    offset: int,
) -> tuple[list[PostRow], int]:
    params: list[Any] = [stats.prior_weight, stats.prior_mean, site]
    where = ["site = $3"]
    if query:
        params.append(_like(query))
        n = len(params)
        where.append(f"(post ILIKE ${n} ESCAPE '\\' OR title ILIKE ${n} ESCAPE '\\')")
    if min_votes > 0:
        params.append(min_votes)
        where.append(f"votes >= ${len(params)}")
    if active_since is not None:
        params.append(active_since)
        where.append(f"last_vote_at >= ${len(params)}")
    condition = " AND ".join(where)
    # SQLite puts NULLs first ascending and last descending; so do we.
    order = SORTS[sort].format(
        dir="DESC" if descending else "ASC", nulls="LAST" if descending else "FIRST"
    )
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {_ROW}, {_SCORE} AS score FROM posts WHERE {condition}"
        f" ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}",
        *params,
        limit,
        offset,
    )
    found = [_post_row(r) for r in rows]
    if len(where) == 1:
        return found, stats.posts
    total = await conn.fetchval(
        f"SELECT count(*) FROM posts WHERE $1::float8 IS NOT NULL AND $2::float8 IS NOT NULL"
        f" AND {condition}",
        *params,
    )
    return found, int(total)


async def post_row(
    conn: asyncpg.Connection, site: str, post: str, stats: SiteStats
) -> PostRow | None:
    r = await conn.fetchrow(
        f"SELECT {_ROW}, {_SCORE} AS score FROM posts WHERE site = $3 AND post = $4",
        stats.prior_weight,
        stats.prior_mean,
        site,
        post,
    )
    return None if r is None else _post_row(r)


async def recent_votes(
    conn: asyncpg.Connection, site: str, post: str, limit: int
) -> list[tuple[int, float, float]]:
    rows = await conn.fetch(
        "SELECT rating, created_at, updated_at FROM votes WHERE site = $1 AND post = $2"
        " ORDER BY updated_at DESC LIMIT $3",
        site,
        post,
        limit,
    )
    return [(int(r[0]), float(r[1]), float(r[2])) for r in rows]


async def new_feedback_by_post(
    conn: asyncpg.Connection, site: str, posts: Sequence[str]
) -> dict[str, int]:
    if not posts:
        return {}
    rows = await conn.fetch(
        "SELECT post, count(*) FROM feedback WHERE site = $1 AND post = ANY($2::text[])"
        " AND status = 'new' GROUP BY post",
        site,
        list(posts),
    )
    return {r[0]: int(r[1]) for r in rows}


# --- the inbox --------------------------------------------------------------------------------

_JOINED = "feedback f LEFT JOIN posts p ON p.site = f.site AND p.post = f.post"
_COLUMNS = (
    "f.id, f.site, f.post, f.rating, f.reason, f.text, f.lang, f.status, f.spam_score, f.note,"
    " f.created_at, f.updated_at, p.title, p.url"
)


def _item(row: Any) -> InboxItem:
    values = list(row)
    values[0] = int(values[0])
    return InboxItem(Feedback(*values[:12]), values[12], values[13])


def _where(f: InboxFilter) -> tuple[str, list[Any]]:
    params: list[Any] = [list(f.sites)]
    clauses = ["f.site = ANY($1::text[])"]

    def add(clause: str, value: Any) -> None:
        params.append(value)
        clauses.append(clause.replace("?", f"${len(params)}"))

    if f.post:
        add("f.post = ?", f.post)
    if f.status:
        add("f.status = ?", f.status)
    else:
        clauses.append("f.status <> 'spam'")
    if f.rating is not None:
        add("f.rating = ?", f.rating)
    if f.reason:
        add("f.reason = ?", f.reason)
    if f.query:
        add("(f.text ILIKE ? ESCAPE '\\' OR f.note ILIKE ? ESCAPE '\\')", _like(f.query))
    return " AND ".join(clauses), params


async def list_feedback(
    conn: asyncpg.Connection, f: InboxFilter, limit: int, offset: int
) -> tuple[list[InboxItem], int]:
    if not f.sites:
        return [], 0
    condition, params = _where(f)
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_JOINED} WHERE {condition}"
        f" ORDER BY f.created_at DESC, f.id DESC LIMIT ${n + 1} OFFSET ${n + 2}",
        *params,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM feedback f WHERE {condition}", *params)
    return [_item(r) for r in rows], int(total)


async def feedback_item(conn: asyncpg.Connection, feedback_id: int) -> InboxItem | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM {_JOINED} WHERE f.id = $1", feedback_id)
    return None if row is None else _item(row)


async def unread_count(conn: asyncpg.Connection, sites: Sequence[str]) -> int:
    if not sites:
        return 0
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM feedback WHERE site = ANY($1::text[]) AND status = 'new'",
            list(sites),
        )
    )


async def status_counts(conn: asyncpg.Connection, sites: Sequence[str]) -> dict[str, int]:
    from widget.models import FEEDBACK_STATUSES

    counts = dict.fromkeys(FEEDBACK_STATUSES, 0)
    if not sites:
        return counts
    rows = await conn.fetch(
        "SELECT status, count(*) FROM feedback WHERE site = ANY($1::text[]) GROUP BY status",
        list(sites),
    )
    for r in rows:
        counts[r[0]] = int(r[1])
    return counts


# --- the dashboard's exports ------------------------------------------------------------------

EXPORT_VOTES = (
    "SELECT v.post, p.title, v.rating, v.created_at, v.updated_at FROM votes v"
    " JOIN posts p ON p.site = v.site AND p.post = v.post"
    " WHERE v.site = $1 AND v.updated_at >= $2 ORDER BY v.post, v.updated_at"
)
EXPORT_FEEDBACK = (
    "SELECT f.id, f.post, p.title, f.rating, f.reason, f.text, f.lang, f.status, f.note,"
    " f.created_at, f.updated_at FROM feedback f"
    " LEFT JOIN posts p ON p.site = f.site AND p.post = f.post"
    " WHERE f.site = $1 AND f.created_at >= $2 ORDER BY f.id"
)


async def stream(
    conn: asyncpg.Connection, sql: str, args: Sequence[Any], fields: Sequence[str]
) -> AsyncIterator[dict[str, Any]]:
    """Rows of a query as dicts, through a server-side cursor (the caller holds a transaction)."""
    async for row in conn.cursor(sql, *args, prefetch=1000):
        item = dict(zip(fields, row, strict=True))
        if "id" in item and item["id"] is not None:
            item["id"] = int(item["id"])
        yield item


FIELDS = {"votes": VOTE_FIELDS, "feedback": FEEDBACK_FIELDS}
