"""The feedback inbox: filtered lists across sites, triage (status, note), counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from widget.models import FEEDBACK_STATUSES, Feedback
from widget.store.records import InboxFilter, InboxItem

_JOINED = "feedback f LEFT JOIN posts p ON p.site = f.site AND p.post = f.post"
_COLUMNS = (
    "f.id, f.site, f.post, f.rating, f.reason, f.text, f.lang, f.status, f.spam_score, f.note,"
    " f.created_at, f.updated_at, p.title, p.url"
)


def _item(row: Sequence[object]) -> InboxItem:
    return InboxItem(Feedback(*row[:12]), row[12], row[13])  # type: ignore[arg-type]


def _where(f: InboxFilter) -> tuple[str, list[object]]:
    marks = ",".join("?" * len(f.sites))
    clauses = [f"f.site IN ({marks})"]
    params: list[object] = list(f.sites)
    if f.post:
        clauses.append("f.post = ?")
        params.append(f.post)
    if f.status:
        clauses.append("f.status = ?")
        params.append(f.status)
    else:
        # Spam stays out of the way unless asked for, like a mail client's junk folder.
        clauses.append("f.status != 'spam'")
    if f.rating is not None:
        clauses.append("f.rating = ?")
        params.append(f.rating)
    if f.reason:
        clauses.append("f.reason = ?")
        params.append(f.reason)
    if f.query:
        escaped = f.query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("(f.text LIKE ? ESCAPE '\\' OR f.note LIKE ? ESCAPE '\\')")
        params.extend([f"%{escaped}%"] * 2)
    return " AND ".join(clauses), params


async def list_feedback(
    conn: aiosqlite.Connection, f: InboxFilter, limit: int = 50, offset: int = 0
) -> tuple[list[InboxItem], int]:
    """Newest first; and how many items match in all."""
    if not f.sites:
        return [], 0
    condition, params = _where(f)
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM {_JOINED}"
        f" WHERE {condition} ORDER BY f.created_at DESC, f.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ) as cursor:
        items = [_item(row) for row in await cursor.fetchall()]
    async with conn.execute(f"SELECT count(*) FROM feedback f WHERE {condition}", params) as cur:
        row = await cur.fetchone()
    return items, int(row[0]) if row else 0


async def feedback_item(conn: aiosqlite.Connection, feedback_id: int) -> InboxItem | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM {_JOINED} WHERE f.id = ?",
        (feedback_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _item(row)


async def unread_count(conn: aiosqlite.Connection, sites: Sequence[str]) -> int:
    if not sites:
        return 0
    marks = ",".join("?" * len(sites))
    async with conn.execute(
        f"SELECT count(*) FROM feedback WHERE site IN ({marks}) AND status = 'new'", tuple(sites)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def status_counts(conn: aiosqlite.Connection, sites: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(FEEDBACK_STATUSES, 0)
    if not sites:
        return counts
    marks = ",".join("?" * len(sites))
    async with conn.execute(
        f"SELECT status, count(*) FROM feedback WHERE site IN ({marks}) GROUP BY status",
        tuple(sites),
    ) as cursor:
        for row in await cursor.fetchall():
            counts[row[0]] = int(row[1])
    return counts


def triage_feedback(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    sites: Sequence[str],
    now: float,
    status: str | None = None,
    note: str | None = None,
) -> int:
    """Set the status and/or note of the given items; items of other sites are left alone.

    Returns how many items changed. `sites` is the caller's permission, checked here again so
    a guessed id can never reach another author's feedback.
    """
    if not ids or not sites or (status is None and note is None):
        return 0
    sets: list[str] = ["updated_at = ?"]
    params: list[object] = [now]
    if status is not None:
        sets.append("status = ?")
        params.append(status)
    if note is not None:
        sets.append("note = ?")
        params.append(note)
    id_marks = ",".join("?" * len(ids))
    site_marks = ",".join("?" * len(sites))
    cursor = conn.execute(
        f"UPDATE feedback SET {', '.join(sets)}"
        f" WHERE id IN ({id_marks}) AND site IN ({site_marks})",
        (*params, *ids, *sites),
    )
    return int(cursor.rowcount)
