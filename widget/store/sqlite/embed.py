"""Reads for the server-rendered embed surfaces: the no-JS frame and the static fragment."""

from __future__ import annotations

import aiosqlite


async def read_voter_rating(
    conn: aiosqlite.Connection, site: str, post: str, voter_key: str
) -> int | None:
    """The rating this reader gave the post, if any (the frame shows it back to them)."""
    async with conn.execute(
        "SELECT rating FROM votes WHERE site = ? AND post = ? AND voter_key = ?",
        (site, post, voter_key),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def read_post_title(conn: aiosqlite.Connection, site: str, post: str) -> str | None:
    """The title sent with the post's votes, used as the name in its JSON-LD."""
    async with conn.execute(
        "SELECT title FROM posts WHERE site = ? AND post = ?", (site, post)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row[0] is None else str(row[0])
