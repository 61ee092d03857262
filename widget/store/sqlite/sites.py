"""Sites, authors and the meta table."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from widget.errors import InvalidField, NotFound
from widget.models import Site


def site_exists(conn: sqlite3.Connection, slug: str) -> bool:
    return conn.execute("SELECT 1 FROM sites WHERE slug = ?", (slug,)).fetchone() is not None


def _site_from_row(row: Any) -> Site:
    origins = tuple(o.rstrip("/").lower() for o in json.loads(row[2]))
    return Site(slug=row[0], name=row[1], origins=origins, settings=json.loads(row[3]))


def load_sites(conn: sqlite3.Connection) -> dict[str, Site]:
    rows = conn.execute("SELECT slug, name, origins, settings FROM sites ORDER BY slug")
    return {row[0]: _site_from_row(row) for row in rows}


def save_site(conn: sqlite3.Connection, site: Site) -> Site:
    conn.execute(
        "INSERT INTO sites (slug, name, origins, settings, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (slug) DO UPDATE SET name = excluded.name, origins = excluded.origins,"
        " settings = excluded.settings",
        (
            site.slug,
            site.name,
            json.dumps(list(site.origins)),
            json.dumps(site.settings),
            time.time(),
        ),
    )
    return site


def secret_key(conn: sqlite3.Connection) -> str:
    """The key kept in the database, generated on first use; never a built-in default."""
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_key', ?)",
        (secrets.token_urlsafe(48),),
    )
    return str(conn.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()[0])


def count_authors(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM authors").fetchone()[0])


def create_author(
    conn: sqlite3.Connection,
    username: str,
    password_hash: str,
    is_admin: bool,
    sites: Iterable[str] = (),
) -> int:
    try:
        row = conn.execute(
            "INSERT INTO authors (username, password_hash, is_admin, created_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            (username, password_hash, int(is_admin), time.time()),
        ).fetchone()
    except sqlite3.IntegrityError as exc:
        raise InvalidField("username", f"author {username!r} already exists") from exc
    author_id = int(row[0])
    for site in sites:
        if not site_exists(conn, site):
            raise NotFound(f"site {site!r} does not exist", field="site")
        conn.execute("INSERT INTO site_members (author_id, site) VALUES (?, ?)", (author_id, site))
    return author_id
