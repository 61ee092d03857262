"""Reading other rating tools' exports into our export format (then store.import_rows).

Mappings, documented in the README:
- `wp-postratings`: a CSV export of WP-PostRatings' `wp_ratings` table (columns rating_id,
  rating_postid, rating_posttitle, rating_rating, rating_timestamp, ...). Each row becomes one
  vote on post `rating_postid`; the reader is keyed by a hash of the row id, because the plugin
  identified readers by IP address, which we never store. IP, host and user name are dropped.
- `rate-my-post`: a CSV export of Rate My Post's `wp_rmp_analytics` table (columns id, time,
  post, value, ...), rows with a `value` of 1-5; the same rules.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from widget.errors import InvalidField
from widget.models import post_id
from widget.numbers import whole_number

FORMATS = ("wp-postratings", "rate-my-post")

_COLUMNS = {
    # format: (row id, post id, rating, timestamp, title or None)
    "wp-postratings": (
        "rating_id",
        "rating_postid",
        "rating_rating",
        "rating_timestamp",
        "rating_posttitle",
    ),
    "rate-my-post": ("id", "post", "value", "time", None),
}


# Up to the last second of year 9999, which datetime (and so the daily rows) can still name.
LATEST_TIME = 253402300799


def _timestamp(raw: str, number: int) -> float:
    raw = raw.strip()
    try:
        if raw.isascii() and raw.isdigit():
            when = float(raw)
        else:
            parsed = datetime.fromisoformat(raw)
            when = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    except ValueError:
        when = -1.0
    if not 0 <= when <= LATEST_TIME:
        raise InvalidField("time", f"line {number}: cannot read the time {raw[:40]!r}")
    return when


def read_foreign(
    fmt: str, lines: Iterable[str], site: str, secret: str
) -> Iterator[dict[str, Any]]:
    """Rows of another tool's CSV as our export records: posts first, then votes."""
    if fmt not in _COLUMNS:
        raise InvalidField("format", f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    id_col, post_col, rating_col, time_col, title_col = _COLUMNS[fmt]
    posts: dict[str, dict[str, Any]] = {}
    votes: list[dict[str, Any]] = []
    reader = csv.DictReader(lines)
    for number, row in enumerate(reader, start=2):
        # A short row has None in its last columns (csv.DictReader).
        missing = [c for c in (id_col, post_col, rating_col, time_col) if row.get(c) is None]
        if missing:
            raise InvalidField("columns", f"line {number}: missing column {missing[0]!r}")
        # The one parser of numbers people wrote (int() would take "٣" as 3); spaces around a
        # CSV value are the exporting tool's, not part of the number.
        rating = whole_number(row[rating_col].strip(), negative=True)
        if rating is None:
            raise InvalidField("rating", f"line {number}: rating {row[rating_col][:40]!r}")
        if not 1 <= rating <= 5:
            continue  # other actions (Rate My Post also logs non-vote events)
        try:  # the id the widget will ask for: cleaned as the API cleans it
            post = post_id(row[post_col])
        except InvalidField as exc:
            raise InvalidField("post", f"line {number}: {exc.message}") from exc
        when = _timestamp(row[time_col], number)
        key = hmac.new(secret.encode(), f"{fmt}:{row[id_col]}".encode(), hashlib.sha256)
        entry = posts.setdefault(
            post,
            {
                "type": "post",
                "site": site,
                "post": post,
                "title": None,
                "url": None,
                "last_vote_at": when,
            },
        )
        entry["last_vote_at"] = max(entry["last_vote_at"], when)
        if title_col and row.get(title_col):
            entry["title"] = row[title_col][:300]
        votes.append(
            {
                "type": "vote",
                "site": site,
                "post": post,
                "voter_key": key.hexdigest()[:32],
                "rating": rating,
                "created_at": when,
                "updated_at": when,
            }
        )
    yield from posts.values()
    yield from votes
    yield from _daily_rows(votes)


def _daily_rows(votes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    days: dict[tuple[str, str, str], list[int]] = {}
    for vote in votes:
        day = datetime.fromtimestamp(vote["created_at"], UTC).strftime("%Y-%m-%d")
        bucket = days.setdefault((vote["site"], vote["post"], day), [0, 0])
        bucket[0] += 1
        bucket[1] += vote["rating"]
    for (site, post, day), (count, total) in sorted(days.items()):
        yield {
            "type": "daily",
            "site": site,
            "post": post,
            "day": day,
            "votes": count,
            "total": total,
        }
