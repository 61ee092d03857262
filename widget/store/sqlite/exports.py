"""Streams of one site's votes (anonymised) and feedback, for the dashboard's exports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiosqlite

VOTE_FIELDS = ("post", "title", "rating", "created_at", "updated_at")
FEEDBACK_FIELDS = (
    "id",
    "post",
    "title",
    "rating",
    "reason",
    "text",
    "lang",
    "status",
    "note",
    "created_at",
    "updated_at",
)
_CHUNK = 1000


async def _stream(
    conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...], fields: tuple[str, ...]
) -> AsyncIterator[dict[str, Any]]:
    async with conn.execute(sql, params) as cursor:
        while True:
            rows = await cursor.fetchmany(_CHUNK)
            if not rows:
                return
            for row in rows:
                yield dict(zip(fields, row, strict=True))


def export_votes(
    conn: aiosqlite.Connection, site: str, since: float
) -> AsyncIterator[dict[str, Any]]:
    """Votes changed since `since`, without the voter key: a row says what, never who."""
    return _stream(
        conn,
        "SELECT v.post, p.title, v.rating, v.created_at, v.updated_at FROM votes v"
        " JOIN posts p ON p.site = v.site AND p.post = v.post"
        " WHERE v.site = ? AND v.updated_at >= ? ORDER BY v.post, v.updated_at",
        (site, since),
        VOTE_FIELDS,
    )


def export_feedback(
    conn: aiosqlite.Connection, site: str, since: float
) -> AsyncIterator[dict[str, Any]]:
    return _stream(
        conn,
        "SELECT f.id, f.post, p.title, f.rating, f.reason, f.text, f.lang, f.status, f.note,"
        " f.created_at, f.updated_at FROM feedback f"
        " LEFT JOIN posts p ON p.site = f.site AND p.post = f.post"
        " WHERE f.site = ? AND f.created_at >= ? ORDER BY f.id",
        (site, since),
        FEEDBACK_FIELDS,
    )
