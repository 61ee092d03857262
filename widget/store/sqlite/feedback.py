"""Reader feedback."""

from __future__ import annotations

import sqlite3

from widget.errors import NotFound
from widget.models import FeedbackInput
from widget.store.sqlite.sites import site_exists


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
