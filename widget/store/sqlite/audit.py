"""The audit log, and the audited operations that destroy or reshape data."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import aiosqlite

from widget.errors import InvalidField, NotFound
from widget.models import Site, Summary
from widget.store.records import AuditEntry
from widget.store.sqlite.sites import save_site, site_exists


def record_audit(
    conn: sqlite3.Connection,
    author: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    now: float | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (at, author, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (
            time.time() if now is None else now,
            author,
            action,
            target,
            json.dumps(detail or {}, ensure_ascii=False),
        ),
    )


async def list_audit(
    conn: aiosqlite.Connection, limit: int = 100, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    async with conn.execute(
        "SELECT at, author, action, target, detail FROM audit_log"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        (limit, offset),
    ) as cursor:
        entries = [
            AuditEntry(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))
            for row in await cursor.fetchall()
        ]
    async with conn.execute("SELECT count(*) FROM audit_log") as cursor:
        row = await cursor.fetchone()
    return entries, int(row[0]) if row else 0


def reset_post(conn: sqlite3.Connection, site: str, post: str, author: str, now: float) -> Summary:
    """Delete every vote of a post and its daily rows, zero its aggregates, and audit it.

    Feedback stays: what readers wrote is still worth reading after the counter starts over.
    """
    row = conn.execute(
        "SELECT votes, total, r1, r2, r3, r4, r5 FROM posts WHERE site = ? AND post = ?",
        (site, post),
    ).fetchone()
    if row is None:
        raise NotFound(f"post {post!r} has no votes on site {site!r}", field="post")
    conn.execute("DELETE FROM votes WHERE site = ? AND post = ?", (site, post))
    conn.execute("DELETE FROM daily WHERE site = ? AND post = ?", (site, post))
    # Counts of votes purged for retention (store/privacy.py) start over too.
    conn.execute("DELETE FROM vote_baseline WHERE site = ? AND post = ?", (site, post))
    conn.execute(
        "UPDATE posts SET votes = 0, total = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0"
        " WHERE site = ? AND post = ?",
        (site, post),
    )
    before = {"votes": row[0], "total": row[1], "distribution": list(row[2:])}
    record_audit(conn, author, "reset_post", f"{site}/{post}", before, now)
    return Summary(site, post)


def create_site(conn: sqlite3.Connection, site: Site, author: str) -> Site:
    if site_exists(conn, site.slug):
        raise InvalidField("slug", f"a site called {site.slug!r} already exists")
    save_site(conn, site)
    record_audit(conn, author, "create_site", site.slug, {"name": site.name})
    return site


def update_site(conn: sqlite3.Connection, site: Site, author: str) -> Site:
    """Save a site's name, origins and settings; the audit entry keeps the previous values."""
    old = conn.execute(
        "SELECT name, origins, settings FROM sites WHERE slug = ?", (site.slug,)
    ).fetchone()
    if old is None:
        raise NotFound(f"site {site.slug!r} does not exist", field="site")
    save_site(conn, site)
    before = {"name": old[0], "origins": json.loads(old[1]), "settings": json.loads(old[2])}
    record_audit(conn, author, "update_site", site.slug, {"before": before})
    return site
