"""Dashboard accounts: who they are, which sites they may see."""

from __future__ import annotations

import sqlite3

import aiosqlite

from widget.errors import InvalidField, NotFound
from widget.store.records import Author, SessionRecord
from widget.store.sqlite.sessions import end_sessions
from widget.store.sqlite.sites import site_exists


async def _sites_of(conn: aiosqlite.Connection, author_id: int) -> tuple[str, ...]:
    async with conn.execute(
        "SELECT site FROM site_members WHERE author_id = ? ORDER BY site", (author_id,)
    ) as cursor:
        return tuple(row[0] for row in await cursor.fetchall())


async def author_by_id(conn: aiosqlite.Connection, author_id: int) -> Author | None:
    async with conn.execute(
        "SELECT id, username, password_hash, is_admin, created_at FROM authors WHERE id = ?",
        (author_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return Author(row[0], row[1], row[2], bool(row[3]), await _sites_of(conn, row[0]), row[4])


async def session_author(
    conn: aiosqlite.Connection, key: str
) -> tuple[SessionRecord, Author] | None:
    """The session named by `key` and its author in one lookup, or None when there is none."""
    async with conn.execute(
        "SELECT s.author_id, s.created_at, s.seen_at, s.browser, s.system,"
        " a.username, a.password_hash, a.is_admin, a.created_at"
        " FROM sessions s JOIN authors a ON a.id = s.author_id WHERE s.key = ?",
        (key,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    record = SessionRecord(key, row[0], row[1], row[2], row[3], row[4])
    author = Author(row[0], row[5], row[6], bool(row[7]), await _sites_of(conn, row[0]), row[8])
    return record, author


async def author_by_name(conn: aiosqlite.Connection, username: str) -> Author | None:
    async with conn.execute("SELECT id FROM authors WHERE username = ?", (username,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else await author_by_id(conn, int(row[0]))


async def list_authors(conn: aiosqlite.Connection) -> list[Author]:
    async with conn.execute("SELECT id FROM authors ORDER BY username") as cursor:
        ids = [int(row[0]) for row in await cursor.fetchall()]
    found = [await author_by_id(conn, author_id) for author_id in ids]
    return [author for author in found if author is not None]


def set_author_access(
    conn: sqlite3.Connection, author_id: int, is_admin: bool, sites: tuple[str, ...]
) -> int:
    """Set what an author may see. Taking any right away (admin, or a site) also ends their
    sessions: they log in again into what is left. Returns the number of sessions ended."""
    row = conn.execute("SELECT is_admin FROM authors WHERE id = ?", (author_id,)).fetchone()
    if row is None:
        raise NotFound("no such author")
    if not is_admin and _would_leave_no_admin(conn, author_id):
        raise InvalidField("is_admin", "at least one admin must remain")
    before = {
        site
        for (site,) in conn.execute(
            "SELECT site FROM site_members WHERE author_id = ?", (author_id,)
        ).fetchall()
    }
    conn.execute("UPDATE authors SET is_admin = ? WHERE id = ?", (int(is_admin), author_id))
    conn.execute("DELETE FROM site_members WHERE author_id = ?", (author_id,))
    for site in sites:
        if not site_exists(conn, site):
            raise NotFound(f"site {site!r} does not exist", field="sites")
        conn.execute("INSERT INTO site_members (author_id, site) VALUES (?, ?)", (author_id, site))
    if (row[0] and not is_admin) or before - set(sites):
        return end_sessions(conn, author_id)
    return 0


def username_of(conn: sqlite3.Connection, author_id: int) -> str:
    row = conn.execute("SELECT username FROM authors WHERE id = ?", (author_id,)).fetchone()
    if row is None:
        raise NotFound("no such author")
    return str(row[0])


def set_password(conn: sqlite3.Connection, author_id: int, password_hash: str) -> int:
    """A new password ends every session of the author (whoever knew the old one may have
    opened them); the caller opens a fresh one when the author changed it themselves."""
    conn.execute("UPDATE authors SET password_hash = ? WHERE id = ?", (password_hash, author_id))
    return end_sessions(conn, author_id)


def delete_author(conn: sqlite3.Connection, author_id: int) -> str:
    row = conn.execute("SELECT username FROM authors WHERE id = ?", (author_id,)).fetchone()
    if row is None:
        raise NotFound("no such author")
    if _would_leave_no_admin(conn, author_id):
        raise InvalidField("author", "the last admin cannot be removed")
    conn.execute("DELETE FROM authors WHERE id = ?", (author_id,))
    return str(row[0])


def _would_leave_no_admin(conn: sqlite3.Connection, author_id: int) -> bool:
    """True when this author is the only admin: removing their rights would lock everyone out."""
    row = conn.execute(
        "SELECT is_admin, (SELECT count(*) FROM authors WHERE is_admin = 1 AND id != ?)"
        " FROM authors WHERE id = ?",
        (author_id, author_id),
    ).fetchone()
    return row is not None and bool(row[0]) and int(row[1]) == 0
