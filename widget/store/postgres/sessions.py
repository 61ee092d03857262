"""Dashboard sessions on PostgreSQL: the same rows and rules as store/sessions.py on SQLite.

A mixin of the backend, so backend.py stays one screenful per subject: every method is one
transaction through the backend's `_write` or one query through its `_read`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg

from widget.store import Author, NewSession, SessionRecord
from widget.store.postgres import reads, writes

T = TypeVar("T")

STEP = """
CREATE TABLE sessions (
    key text PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
    created_at double precision NOT NULL,
    seen_at double precision NOT NULL,
    browser text NOT NULL DEFAULT '',
    system text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_author ON sessions (author_id);
CREATE INDEX sessions_by_seen ON sessions (seen_at);
"""


async def open_session(conn: asyncpg.Connection, new: NewSession) -> None:
    if new.replacing is not None:
        await conn.execute("DELETE FROM sessions WHERE key = $1", new.replacing)
    await conn.execute(
        "DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2",
        new.idle_before,
        new.started_before,
    )
    await conn.execute(
        "INSERT INTO sessions (key, author_id, created_at, seen_at, browser, system)"
        " VALUES ($1, $2, $3, $3, $4, $5)",
        new.key,
        new.author_id,
        new.now,
        new.browser,
        new.system,
    )


async def end_sessions(conn: asyncpg.Connection, author_id: int) -> int:
    status: str = await conn.execute("DELETE FROM sessions WHERE author_id = $1", author_id)
    return int(status.split()[-1])


async def set_author_access(
    conn: asyncpg.Connection, author_id: int, is_admin: bool, sites: Sequence[str]
) -> int:
    """As writes.set_author_access; a right taken away ends the author's sessions (their
    number), as on SQLite."""
    before = await conn.fetchrow(
        "SELECT is_admin, array(SELECT site FROM site_members WHERE author_id = $1) AS sites"
        " FROM authors WHERE id = $1",
        author_id,
    )
    await writes.set_author_access(conn, author_id, is_admin, sites)
    if before is not None and (
        (before["is_admin"] and not is_admin) or set(before["sites"]) - set(sites)
    ):
        return await end_sessions(conn, author_id)
    return 0


class SessionsOnPostgres:
    _read: Callable[..., Awaitable[Any]]
    _write: Callable[..., Awaitable[Any]]

    async def open_session(self, new: NewSession) -> None:
        await self._write(lambda conn: open_session(conn, new))

    async def session_author(self, key: str) -> tuple[SessionRecord, Author] | None:
        async def find(conn: asyncpg.Connection) -> tuple[SessionRecord, Author] | None:
            row = await conn.fetchrow(
                "SELECT author_id, created_at, seen_at, browser, system FROM sessions"
                " WHERE key = $1",
                key,
            )
            if row is None:
                return None
            author = await reads.author_by_id(conn, int(row["author_id"]))
            if author is None:
                return None
            record = SessionRecord(
                key,
                int(row["author_id"]),
                float(row["created_at"]),
                float(row["seen_at"]),
                row["browser"],
                row["system"],
            )
            return record, author

        result: tuple[SessionRecord, Author] | None = await self._read(find)
        return result

    async def sessions_of(self, author_id: int) -> list[SessionRecord]:
        async def find(conn: asyncpg.Connection) -> list[SessionRecord]:
            rows = await conn.fetch(
                "SELECT key, author_id, created_at, seen_at, browser, system FROM sessions"
                " WHERE author_id = $1 ORDER BY seen_at DESC, created_at DESC",
                author_id,
            )
            return [
                SessionRecord(
                    r["key"],
                    int(r["author_id"]),
                    float(r["created_at"]),
                    float(r["seen_at"]),
                    r["browser"],
                    r["system"],
                )
                for r in rows
            ]

        result: list[SessionRecord] = await self._read(find)
        return result

    async def touch_session(self, key: str, now: float) -> None:
        await self._write(
            lambda conn: conn.execute("UPDATE sessions SET seen_at = $1 WHERE key = $2", now, key)
        )

    async def end_session(self, key: str) -> None:
        await self._write(lambda conn: conn.execute("DELETE FROM sessions WHERE key = $1", key))

    async def end_sessions(self, author_id: int, by: str) -> int:
        async def end(conn: asyncpg.Connection) -> int:
            ended = await end_sessions(conn, author_id)
            target = await writes.username_of(conn, author_id)
            await writes.record_audit(conn, by, "sign_out_everywhere", target, {"sessions": ended})
            return ended

        result: int = await self._write(end)
        return result
