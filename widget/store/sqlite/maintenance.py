"""Recompute, export and import: whole-database operations run by the CLI."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from typing import Any

from widget.errors import InvalidField
from widget.store.sqlite.privacy import BASELINE_TOTALS
from widget.store.sqlite.votes import POST_COLUMNS
from widget.store.tally import day_of


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


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection (another process) commits; our own commits do not."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


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
    """Load exported rows (in export order), then rebuild aggregates from the votes.

    The database may already hold votes and feedback of its own: votes are keyed by reader,
    so they merge; feedback ids of another database may be taken here (see _feedback_id); the
    daily rows are then made to add up to the rebuilt counts (see _reconcile_daily).
    """
    counts = dict.fromkeys(_EXPORT_FIELDS, 0)
    for number, item in enumerate(rows, start=1):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in _EXPORT_FIELDS:
            raise InvalidField("type", f"line {number}: not a record of a known type")
        values = [item.get(name) for name in _EXPORT_FIELDS[kind]]
        if kind == "site":
            values[2] = json.dumps(values[2] or [])
            values[3] = json.dumps(values[3] or {})
        if kind == "feedback":
            values[0] = _feedback_id(conn, item)
        if kind == "vote" and not _is_rating(item.get("rating")):
            # 3.5 passes the table's CHECK but falls in no bucket of the distribution.
            raise InvalidField("rating", f"line {number}: a vote's rating is 1, 2, 3, 4 or 5")
        table, key = _IMPORT_TARGETS[kind]
        fields = _EXPORT_FIELDS[kind]
        updates = ", ".join(f"{name} = excluded.{name}" for name in fields if name not in key)
        try:
            conn.execute(
                f"INSERT INTO {table} ({', '.join(fields)})"
                f" VALUES ({', '.join('?' * len(fields))})"
                f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
                values,
            )
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError) as exc:
            # A vote for a post or site not in the file, a rating of 9, a list for a text...
            raise InvalidField(kind, f"line {number}: {kind} record refused ({exc})") from exc
        counts[kind] += 1
    recompute(conn)
    _reconcile_daily(conn)
    return counts


def _is_rating(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _feedback_id(conn: sqlite3.Connection, item: dict[str, Any]) -> Any:
    """The id an imported feedback item gets here.

    The same item imported before keeps the id it got then (re-importing changes nothing);
    an id that another item already holds here is not overwritten: the import gets a new one.
    """
    twin = conn.execute(
        "SELECT id FROM feedback WHERE site = ? AND post = ? AND created_at = ? AND text = ?"
        " ORDER BY id = ? DESC, id LIMIT 1",
        (
            item.get("site"),
            item.get("post"),
            item.get("created_at"),
            item.get("text"),
            item.get("id"),
        ),
    ).fetchone()
    if twin is not None:
        return twin[0]
    taken = conn.execute("SELECT 1 FROM feedback WHERE id = ?", (item.get("id"),)).fetchone()
    return None if taken else item.get("id")


def _reconcile_daily(conn: sqlite3.Connection) -> None:
    """Make each post's daily rows add up to its counts again, as they do after every vote.

    Imported daily rows replace this database's rows of the same days, so merging two
    databases would otherwise leave the trend short of the total. The difference goes to the
    day of the post's last vote; it is zero when the same file is imported again.
    """
    now = time.time()
    gaps = conn.execute(
        "SELECT p.site, p.post, p.votes - coalesce(d.votes, 0), p.total - coalesce(d.total, 0),"
        " coalesce(p.last_vote_at, ?) FROM posts AS p LEFT JOIN"
        " (SELECT site, post, sum(votes) AS votes, sum(total) AS total FROM daily"
        " GROUP BY site, post) AS d ON d.site = p.site AND d.post = p.post"
        " WHERE p.votes <> coalesce(d.votes, 0) OR p.total <> coalesce(d.total, 0)",
        (now,),
    ).fetchall()
    for site, post, votes, total, when in gaps:
        try:
            day = day_of(float(when))
        except (TypeError, ValueError, OverflowError, OSError):  # a hand-edited file's time
            day = day_of(now)
        conn.execute(
            "INSERT INTO daily (site, post, day, votes, total) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (site, post, day) DO UPDATE SET"
            " votes = votes + excluded.votes, total = total + excluded.total",
            (site, post, day, votes, total),
        )
