"""Recompute, export and import on PostgreSQL: the same records as the SQLite backend's.

An export from one backend imports into the other (the way to move from SQLite to
PostgreSQL: README, "Moving to PostgreSQL"): the records are plain JSON values, the times
seconds as floats, the sites' origins and settings JSON.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

import asyncpg

from widget.errors import InvalidField
from widget.store import day_of

KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # type: (table, key, fields) in the order of an export
    "site": ("sites", ("slug",), ("slug", "name", "origins", "settings")),
    "post": ("posts", ("site", "post"), ("site", "post", "title", "url", "last_vote_at")),
    "baseline": (
        "vote_baseline",
        ("site", "post"),
        ("site", "post", "votes", "total", "r1", "r2", "r3", "r4", "r5", "purged_at"),
    ),
    "vote": (
        "votes",
        ("site", "post", "voter_key"),
        ("site", "post", "voter_key", "rating", "created_at", "updated_at"),
    ),
    "daily": ("daily", ("site", "post", "day"), ("site", "post", "day", "votes", "total")),
    "feedback": (
        "feedback",
        ("id",),
        (
            "id",
            "site",
            "post",
            "voter_key",
            "rating",
            "reason",
            "text",
            "lang",
            "status",
            "spam_score",
            "note",
            "created_at",
            "updated_at",
        ),
    ),
}
_ORDER = {
    "site": "slug",
    "post": "site, post",
    "baseline": "site, post",
    "vote": "site, post, voter_key",
    "daily": "site, post, day",
    "feedback": "id",
}
_CASTS = {"origins": "::text", "settings": "::text"}
_TYPES = {"origins": "::jsonb", "settings": "::jsonb"}
_FLOATS = {"created_at", "updated_at", "last_vote_at", "purged_at", "spam_score"}


async def export_rows(conn: asyncpg.Connection) -> AsyncIterator[dict[str, Any]]:
    """Every record as a dict tagged by `type`; the caller holds a repeatable-read snapshot."""
    for kind, (table, _key, fields) in KINDS.items():
        columns = ", ".join(f"{name}{_CASTS.get(name, '')} AS {name}" for name in fields)
        sql = f"SELECT {columns} FROM {table} ORDER BY {_ORDER[kind]}"
        async for row in conn.cursor(sql, prefetch=1000):
            item: dict[str, Any] = {"type": kind, **dict(zip(fields, row, strict=True))}
            if kind == "site":
                item["origins"] = json.loads(item["origins"])
                item["settings"] = json.loads(item["settings"])
            if kind == "feedback":
                item["id"] = int(item["id"])
            yield item


def _value(name: str, value: Any) -> Any:
    if name in ("origins", "settings"):
        return json.dumps(value if value is not None else ([] if name == "origins" else {}))
    if name in _FLOATS and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


async def import_rows(conn: asyncpg.Connection, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for number, item in enumerate(rows, start=1):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in KINDS:
            raise InvalidField("type", f"line {number}: not a record of a known type")
        table, key, fields = KINDS[kind]
        values = [_value(name, item.get(name)) for name in fields]
        if kind == "feedback":
            values[0] = await _feedback_id(conn, item)
        if kind == "vote" and not _is_rating(item.get("rating")):
            raise InvalidField("rating", f"line {number}: a vote's rating is 1, 2, 3, 4 or 5")
        if kind == "feedback" and values[0] is None:
            names = fields[1:]
            values = values[1:]
        else:
            names = fields
        marks = ", ".join(f"${i}{_TYPES.get(n, '')}" for i, n in enumerate(names, start=1))
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in key)
        conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}" if updates else ""
        try:  # the first refused record ends the transaction: nothing of the file is kept
            await conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}) {conflict}", *values
            )
        except (asyncpg.PostgresError, asyncpg.DataError, TypeError, ValueError) as exc:
            if isinstance(exc, asyncpg.PostgresConnectionError):
                raise
            raise InvalidField(kind, f"line {number}: {kind} record refused ({exc})") from exc
        counts[kind] += 1
    # Ids given by the file: the next feedback item written here must not collide with them.
    await conn.execute(
        "SELECT setval(pg_get_serial_sequence('feedback', 'id'),"
        " greatest(coalesce((SELECT max(id) FROM feedback), 0), 1))"
    )
    try:  # a vote or a daily row for a post that is not in the file
        await conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except asyncpg.ForeignKeyViolationError as exc:
        raise InvalidField("vote", f"a record refers to a post not in the file ({exc})") from exc
    await recompute(conn)
    await _reconcile_daily(conn)
    return counts


def _is_rating(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


async def _feedback_id(conn: asyncpg.Connection, item: dict[str, Any]) -> Any:
    """As on SQLite: the same item imported again keeps its id; a taken id gets a new one."""
    given = item.get("id")
    if not isinstance(given, int) or isinstance(given, bool):
        given = None
    try:
        twin = await conn.fetchval(
            "SELECT id FROM feedback WHERE site = $1 AND post = $2 AND created_at = $3"
            " AND text = $4 ORDER BY id = $5 DESC, id LIMIT 1",
            item.get("site"),
            item.get("post"),
            _value("created_at", item.get("created_at")),
            item.get("text"),
            given,
        )
    except (asyncpg.DataError, TypeError, ValueError):
        return given
    if twin is not None:
        return int(twin)
    if given is None:
        return None
    taken = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM feedback WHERE id = $1)", given)
    return None if taken else given


async def recompute(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Rebuild every post's aggregates from its votes and baseline; the drifts corrected."""
    rows = await conn.fetch(
        "WITH truth AS (SELECT site, post, sum(votes)::int AS votes, sum(total)::int AS total,"
        " sum(r1)::int AS r1, sum(r2)::int AS r2, sum(r3)::int AS r3, sum(r4)::int AS r4,"
        " sum(r5)::int AS r5 FROM ("
        "  SELECT site, post, count(*) AS votes, sum(rating) AS total,"
        "  count(*) FILTER (WHERE rating = 1) AS r1, count(*) FILTER (WHERE rating = 2) AS r2,"
        "  count(*) FILTER (WHERE rating = 3) AS r3, count(*) FILTER (WHERE rating = 4) AS r4,"
        "  count(*) FILTER (WHERE rating = 5) AS r5 FROM votes GROUP BY site, post"
        "  UNION ALL SELECT site, post, votes, total, r1, r2, r3, r4, r5 FROM vote_baseline"
        " ) AS parts GROUP BY site, post)"
        " SELECT p.site, p.post, p.votes, p.total, p.r1, p.r2, p.r3, p.r4, p.r5,"
        " coalesce(t.votes, 0) AS t_votes, coalesce(t.total, 0) AS t_total,"
        " coalesce(t.r1, 0) AS t_r1, coalesce(t.r2, 0) AS t_r2, coalesce(t.r3, 0) AS t_r3,"
        " coalesce(t.r4, 0) AS t_r4, coalesce(t.r5, 0) AS t_r5"
        " FROM posts p LEFT JOIN truth t ON t.site = p.site AND t.post = p.post"
        " ORDER BY p.site, p.post FOR UPDATE OF p"
    )
    drifts = []
    for r in rows:
        stored = tuple(r[name] for name in ("votes", "total", "r1", "r2", "r3", "r4", "r5"))
        expected = tuple(
            r[f"t_{name}"] for name in ("votes", "total", "r1", "r2", "r3", "r4", "r5")
        )
        if stored != expected:
            drifts.append(
                {"site": r["site"], "post": r["post"], "stored": stored, "recomputed": expected}
            )
            await conn.execute(
                "UPDATE posts SET votes = $3, total = $4, r1 = $5, r2 = $6, r3 = $7, r4 = $8,"
                " r5 = $9, seq = seq + 1 WHERE site = $1 AND post = $2",
                r["site"],
                r["post"],
                *expected,
            )
    return drifts


async def _reconcile_daily(conn: asyncpg.Connection) -> None:
    """Each post's daily rows add up to its counts again (see the SQLite twin's reasons)."""
    now = time.time()
    gaps = await conn.fetch(
        "SELECT p.site, p.post, p.votes - coalesce(d.votes, 0) AS votes,"
        " p.total - coalesce(d.total, 0) AS total, coalesce(p.last_vote_at, $1) AS at"
        " FROM posts AS p LEFT JOIN (SELECT site, post, sum(votes) AS votes, sum(total) AS total"
        " FROM daily GROUP BY site, post) AS d ON d.site = p.site AND d.post = p.post"
        " WHERE p.votes <> coalesce(d.votes, 0) OR p.total <> coalesce(d.total, 0)",
        now,
    )
    for row in gaps:
        try:
            day = day_of(float(row["at"]))
        except (TypeError, ValueError, OverflowError, OSError):
            day = day_of(now)
        await conn.execute(
            "INSERT INTO daily AS d (site, post, day, votes, total) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (site, post, day) DO UPDATE SET votes = d.votes + excluded.votes,"
            " total = d.total + excluded.total",
            row["site"],
            row["post"],
            day,
            int(row["votes"]),
            int(row["total"]),
        )
