"""All SQL of the service. Connection in, models out.

Write functions take a plain sqlite3 connection and run inside the writer's transaction (see
db.py); read functions take an aiosqlite connection. Nothing here knows about HTTP.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from widget.errors import InvalidField, NotFound
from widget.models import FeedbackInput, Site, Summary, VoteInput, VoteResult

_POST_COLUMNS = "votes, total, r1, r2, r3, r4, r5"


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def _summary(site: str, post: str, row: Any) -> Summary:
    if row is None:
        return Summary(site, post)
    return Summary(site, post, row[0], row[1], (row[2], row[3], row[4], row[5], row[6]))


# --- votes -----------------------------------------------------------------------------------


def _apply_to_aggregates(
    conn: sqlite3.Connection,
    site: str,
    post: str,
    old: int | None,
    new: int | None,
    now: float,
    title: str | None = None,
    url: str | None = None,
) -> Summary:
    """Move one reader's vote from `old` to `new` (either may be None) in posts and daily."""
    d_votes = (new is not None) - (old is not None)
    d_total = (new or 0) - (old or 0)
    buckets = [0, 0, 0, 0, 0]
    if old is not None:
        buckets[old - 1] -= 1
    if new is not None:
        buckets[new - 1] += 1
    row = conn.execute(
        "INSERT INTO posts (site, post, title, url, votes, total, r1, r2, r3, r4, r5, last_vote_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (site, post) DO UPDATE SET"
        " title = coalesce(excluded.title, title), url = coalesce(excluded.url, url),"
        " votes = votes + excluded.votes, total = total + excluded.total,"
        " r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3,"
        " r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, last_vote_at = excluded.last_vote_at"
        f" RETURNING {_POST_COLUMNS}",
        (site, post, title, url, d_votes, d_total, *buckets, now),
    ).fetchone()
    if d_votes or d_total:
        conn.execute(
            "INSERT INTO daily (site, post, day, votes, total) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (site, post, day) DO UPDATE SET"
            " votes = votes + excluded.votes, total = total + excluded.total",
            (site, post, day_of(now), d_votes, d_total),
        )
    return _summary(site, post, row)


def record_vote(
    conn: sqlite3.Connection, vote: VoteInput, voter_key: str, now: float
) -> VoteResult:
    """Insert or change one reader's vote; aggregates move in the same transaction."""
    if not site_exists(conn, vote.site):
        raise NotFound(f"site {vote.site!r} does not exist", field="site")
    found = conn.execute(
        "SELECT rating FROM votes WHERE site = ? AND post = ? AND voter_key = ?",
        (vote.site, vote.post, voter_key),
    ).fetchone()
    old = found[0] if found else None
    summary = _apply_to_aggregates(
        conn, vote.site, vote.post, old, vote.rating, now, vote.title, vote.url
    )
    if old is None:
        conn.execute(
            "INSERT INTO votes (site, post, voter_key, rating, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (vote.site, vote.post, voter_key, vote.rating, now, now),
        )
    elif old != vote.rating:
        conn.execute(
            "UPDATE votes SET rating = ?, updated_at = ?"
            " WHERE site = ? AND post = ? AND voter_key = ?",
            (vote.rating, now, vote.site, vote.post, voter_key),
        )
    return VoteResult(summary, vote.rating)


def withdraw_vote(
    conn: sqlite3.Connection, site: str, post: str, voter_key: str, now: float
) -> VoteResult:
    """Remove one reader's vote if there is one; withdrawing twice is harmless."""
    if not site_exists(conn, site):
        raise NotFound(f"site {site!r} does not exist", field="site")
    found = conn.execute(
        "DELETE FROM votes WHERE site = ? AND post = ? AND voter_key = ? RETURNING rating",
        (site, post, voter_key),
    ).fetchone()
    if found is None:
        row = conn.execute(
            f"SELECT {_POST_COLUMNS} FROM posts WHERE site = ? AND post = ?", (site, post)
        ).fetchone()
        return VoteResult(_summary(site, post, row), None)
    return VoteResult(_apply_to_aggregates(conn, site, post, found[0], None, now), None)


def voter_rating(conn: sqlite3.Connection, site: str, post: str, voter_key: str) -> int | None:
    row = conn.execute(
        "SELECT rating FROM votes WHERE site = ? AND post = ? AND voter_key = ?",
        (site, post, voter_key),
    ).fetchone()
    return None if row is None else int(row[0])


# --- feedback --------------------------------------------------------------------------------


def add_feedback(
    conn: sqlite3.Connection,
    item: FeedbackInput,
    voter_key: str,
    status: str,
    spam_score: float,
    now: float,
) -> int:
    if not site_exists(conn, item.site):
        raise NotFound(f"site {item.site!r} does not exist", field="site")
    row = conn.execute(
        "INSERT INTO feedback (site, post, voter_key, rating, reason, text, lang, status,"
        " spam_score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (
            item.site,
            item.post,
            voter_key,
            item.rating,
            item.reason,
            item.text,
            item.lang,
            status,
            spam_score,
            now,
            now,
        ),
    ).fetchone()
    return int(row[0])


# --- reads -----------------------------------------------------------------------------------


async def read_summaries(
    conn: aiosqlite.Connection, site: str, posts: list[str]
) -> dict[str, Summary]:
    """Summaries of the given posts; posts without votes get an empty summary."""
    marks = ",".join("?" * len(posts))
    found = {post: Summary(site, post) for post in posts}
    async with conn.execute(
        f"SELECT post, {_POST_COLUMNS} FROM posts WHERE site = ? AND post IN ({marks})",
        (site, *posts),
    ) as cursor:
        async for row in cursor:
            found[row[0]] = _summary(site, row[0], row[1:])
    return found


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


# --- meta and authors ------------------------------------------------------------------------


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


# --- maintenance: recompute, export, import --------------------------------------------------


def recompute(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Rebuild every post's aggregates from the votes table; return the drifts corrected."""
    truth = {
        (row[0], row[1]): tuple(row[2:])
        for row in conn.execute(
            "SELECT site, post, count(*), coalesce(sum(rating), 0),"
            " sum(rating = 1), sum(rating = 2), sum(rating = 3), sum(rating = 4), sum(rating = 5)"
            " FROM votes GROUP BY site, post"
        )
    }
    drifts = []
    for row in conn.execute(f"SELECT site, post, {_POST_COLUMNS} FROM posts").fetchall():
        key = (row[0], row[1])
        stored = tuple(row[2:])
        expected = truth.get(key, (0, 0, 0, 0, 0, 0, 0))
        if stored != expected:
            drifts.append(
                {"site": key[0], "post": key[1], "stored": stored, "recomputed": expected}
            )
            conn.execute(
                "UPDATE posts SET votes = ?, total = ?, r1 = ?, r2 = ?, r3 = ?, r4 = ?, r5 = ?"
                " WHERE site = ? AND post = ?",
                (*expected, *key),
            )
    return drifts


_EXPORT_QUERIES = {
    "site": "SELECT slug, name, origins, settings FROM sites ORDER BY slug",
    "post": "SELECT site, post, title, url, last_vote_at FROM posts ORDER BY site, post",
    "vote": "SELECT site, post, voter_key, rating, created_at, updated_at FROM votes"
    " ORDER BY site, post, voter_key",
    "daily": "SELECT site, post, day, votes, total FROM daily ORDER BY site, post, day",
    "feedback": "SELECT id, site, post, voter_key, rating, reason, text, lang, status,"
    " spam_score, note, created_at, updated_at FROM feedback ORDER BY id",
}
_EXPORT_FIELDS = {
    "site": ("slug", "name", "origins", "settings"),
    "post": ("site", "post", "title", "url", "last_vote_at"),
    "vote": ("site", "post", "voter_key", "rating", "created_at", "updated_at"),
    "daily": ("site", "post", "day", "votes", "total"),
    "feedback": (
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
}


def export_rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every site, post, vote, daily row and feedback item as plain dicts tagged by `type`."""
    for kind, query in _EXPORT_QUERIES.items():
        for row in conn.execute(query):
            item: dict[str, Any] = {
                "type": kind,
                **dict(zip(_EXPORT_FIELDS[kind], row, strict=True)),
            }
            if kind == "site":
                item["origins"] = json.loads(item["origins"])
                item["settings"] = json.loads(item["settings"])
            yield item


_IMPORT_TARGETS = {
    "site": ("sites", ("slug",)),
    "post": ("posts", ("site", "post")),
    "vote": ("votes", ("site", "post", "voter_key")),
    "daily": ("daily", ("site", "post", "day")),
    "feedback": ("feedback", ("id",)),
}


def import_rows(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Load exported rows (in export order), then rebuild aggregates from the votes."""
    counts = dict.fromkeys(_EXPORT_FIELDS, 0)
    for number, item in enumerate(rows, start=1):
        kind = item.get("type")
        if kind not in _EXPORT_FIELDS:
            raise InvalidField("type", f"line {number}: unknown record type {kind!r}")
        values = [item.get(name) for name in _EXPORT_FIELDS[kind]]
        if kind == "site":
            values[2] = json.dumps(values[2] or [])
            values[3] = json.dumps(values[3] or {})
        table, key = _IMPORT_TARGETS[kind]
        fields = _EXPORT_FIELDS[kind]
        updates = ", ".join(f"{name} = excluded.{name}" for name in fields if name not in key)
        conn.execute(
            f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
            f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
            values,
        )
        counts[kind] += 1
    recompute(conn)
    return counts
