"""Recompute, export and import: whole-database operations run by the CLI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from widget.errors import InvalidField
from widget.store.privacy import BASELINE_TOTALS
from widget.store.votes import POST_COLUMNS


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
    # Votes purged for retention live on as per-post counts (see store/privacy.py).
    for row in conn.execute(BASELINE_TOTALS):
        before = truth.get((row[0], row[1]), (0, 0, 0, 0, 0, 0, 0))
        truth[(row[0], row[1])] = tuple(a + b for a, b in zip(before, row[2:], strict=True))
    drifts = []
    for row in conn.execute(f"SELECT site, post, {POST_COLUMNS} FROM posts").fetchall():
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
    "baseline": "SELECT site, post, votes, total, r1, r2, r3, r4, r5, purged_at"
    " FROM vote_baseline ORDER BY site, post",
    "vote": "SELECT site, post, voter_key, rating, created_at, updated_at FROM votes"
    " ORDER BY site, post, voter_key",
    "daily": "SELECT site, post, day, votes, total FROM daily ORDER BY site, post, day",
    "feedback": "SELECT id, site, post, voter_key, rating, reason, text, lang, status,"
    " spam_score, note, created_at, updated_at FROM feedback ORDER BY id",
}
_EXPORT_FIELDS = {
    "site": ("slug", "name", "origins", "settings"),
    "post": ("site", "post", "title", "url", "last_vote_at"),
    "baseline": ("site", "post", "votes", "total", "r1", "r2", "r3", "r4", "r5", "purged_at"),
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
    "baseline": ("vote_baseline", ("site", "post")),
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
