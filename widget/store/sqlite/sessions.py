"""Dashboard sessions: one row per logged-in browser, named by a keyed hash of its id.

The dashboard reads a session on every request (`authors.session_author`: one lookup by
primary key, joined to its author); it writes only at login, at most hourly to move `seen_at`,
and to end sessions. The rules of lifetime live in widget/guard/auth.py; this module keeps the rows.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

from widget.store.records import NewSession, SessionRecord


def open_session(conn: sqlite3.Connection, new: NewSession) -> None:
    """Record a new session; the same write prunes every author's expired rows (logins are
    rare and the table small)."""
    if new.replacing is not None:
        end_session(conn, new.replacing)
    prune_sessions(conn, new.idle_before, new.started_before)
    start_session(conn, new.key, new.author_id, new.now, new.browser, new.system)


def start_session(
    conn: sqlite3.Connection,
    key: str,
    author_id: int,
    now: float,
    browser: str = "",
    system: str = "",
) -> None:
    conn.execute(
        "INSERT INTO sessions (key, author_id, created_at, seen_at, browser, system)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (key, author_id, now, now, browser, system),
    )


async def sessions_of(conn: aiosqlite.Connection, author_id: int) -> list[SessionRecord]:
    """An author's sessions, most recently used first (expired ones included until pruned)."""
    async with conn.execute(
        "SELECT key, author_id, created_at, seen_at, browser, system FROM sessions"
        " WHERE author_id = ? ORDER BY seen_at DESC, created_at DESC",
        (author_id,),
    ) as cursor:
        return [SessionRecord(*row) for row in await cursor.fetchall()]


def touch_session(conn: sqlite3.Connection, key: str, now: float) -> None:
    conn.execute("UPDATE sessions SET seen_at = ? WHERE key = ?", (now, key))


def end_session(conn: sqlite3.Connection, key: str) -> int:
    return int(conn.execute("DELETE FROM sessions WHERE key = ?", (key,)).rowcount)


def end_sessions(conn: sqlite3.Connection, author_id: int) -> int:
    """Every session of one author, wherever it was opened; the number ended."""
    return int(conn.execute("DELETE FROM sessions WHERE author_id = ?", (author_id,)).rowcount)


def prune_sessions(conn: sqlite3.Connection, idle_before: float, started_before: float) -> int:
    """Delete sessions unused since idle_before or opened before started_before: they are
    refused already, and their rows would only pile up."""
    return int(
        conn.execute(
            "DELETE FROM sessions WHERE seen_at < ? OR created_at < ?",
            (idle_before, started_before),
        ).rowcount
    )
