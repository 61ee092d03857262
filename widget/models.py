"""Plain data and pure validation: no I/O here, so every rule is unit-testable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from widget import site_texts
from widget.errors import InvalidField

# \Z, not $: `$` also matches before a final newline, and "default\n" is not a slug.
SITE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")
VOTER_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")
POST_MAX = 200
TITLE_MAX = 300
URL_MAX = 2000
FEEDBACK_MAX = 2000
REASON_RE = re.compile(r"^[a-z0-9_-]{1,40}\Z")
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
FEEDBACK_STATUSES = ("new", "planned", "done", "dismissed", "spam")
DEFAULT_REASONS = ("unclear", "incomplete", "outdated", "incorrect", "other")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Summary:
    site: str
    post: str
    count: int = 0
    total: int = 0
    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    # How many times the post's row has changed, where the backend counts it (PostgreSQL;
    # 0 on SQLite, whose one writer puts summaries in commit order): the cache never lets a
    # lower one replace a higher one. Not part of the value: equal summaries stay equal.
    seq: int = field(default=0, compare=False, repr=False)

    @property
    def average(self) -> float:
        return round(self.total / self.count, 2) if self.count else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "post": self.post,
            "average": self.average,
            "count": self.count,
            "distribution": list(self.distribution),
        }


@dataclass(frozen=True, slots=True)
class VoteResult:
    summary: Summary
    your_vote: int | None


@dataclass(frozen=True, slots=True)
class Site:
    slug: str
    name: str
    origins: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    def allows_origin(self, origin: str | None) -> bool:
        """Empty origins list = any origin; a request without Origin is not a browser's."""
        if not self.origins or origin is None:
            return True
        return origin.rstrip("/").lower() in self.origins

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(self.settings.get("reasons") or DEFAULT_REASONS)

    @property
    def threshold(self) -> int:
        return int(self.settings.get("threshold", 2))

    @property
    def texts(self) -> dict[str, dict[str, Any]]:
        """The site's own widget texts, as every surface may show them (see site_texts)."""
        return site_texts.usable(self.settings.get("texts"))

    def public_config(self) -> dict[str, Any]:
        """What the embed needs to know about the site, sent along with summaries."""
        return {
            "slug": self.slug,
            "threshold": self.threshold,
            "reasons": list(self.reasons),
            "texts": self.texts,
            "schema": self.settings.get("schema"),
            "hide_average": bool(self.settings.get("hide_average", False)),
            "feedback_max": FEEDBACK_MAX,
        }


def any_site_allows(sites: Iterable[Site], origin: str) -> bool:
    """Whether the origin belongs to some site here (for what is not tied to one site)."""
    return any(site.allows_origin(origin) for site in sites)


@dataclass(frozen=True, slots=True)
class VoteInput:
    site: str
    post: str
    voter: str
    rating: int
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FeedbackInput:
    site: str
    post: str
    voter: str
    text: str
    rating: int | None = None
    reason: str | None = None
    lang: str | None = None
    honeypot: str = ""
    open_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    site: str
    post: str
    rating: int | None
    reason: str | None
    text: str
    lang: str | None
    status: str
    spam_score: float
    note: str
    created_at: float
    updated_at: float


# --- validation: raw JSON values in, clean values out, InvalidField naming the field ---


def clean_text(value: str, limit: int, name: str, *, multiline: bool = False) -> str:
    """Drop control characters, NFC-normalize, trim; refuse what is still too long.

    Controls go first: one between a letter and its accent would otherwise keep the pair from
    being composed, and the same text could be stored in two forms.
    """
    if value.isascii() and value.isprintable():
        text = value.strip()  # the common case: no control character, nothing to compose
    else:
        # A lone surrogate is what json.loads makes of bytes that are not UTF-8 (ED A0 80,
        # RFC 3629) or of a "\ud800" escape. Dropping it, as other controls are dropped, made
        # "bad-\ud800" the same id as "bad-": refuse it, naming the field.
        if _SURROGATE.search(value):
            raise InvalidField(name, f"{name} is not valid UTF-8 text (a lone surrogate)")
        keep = "\n\t" if multiline else ""
        text = "".join(ch for ch in value if ch in keep or unicodedata.category(ch)[0] != "C")
        text = unicodedata.normalize("NFC", text).strip()
    if len(text) > limit:
        raise InvalidField(name, f"{name} is longer than {limit} characters")
    return text


def require_str(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise InvalidField(name, f"{name} is required and must be a string")
    return value


def optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(name, f"{name} must be a string")
    return value


def site_slug(value: Any, name: str = "site") -> str:
    if not isinstance(value, str) or not SITE_RE.match(value):
        raise InvalidField(name, "site must be 1-63 lowercase letters, digits or dashes")
    return value


def post_id(value: Any, name: str = "post") -> str:
    if not isinstance(value, str):
        raise InvalidField(name, "post is required and must be a string")
    text = clean_text(value, POST_MAX, name)
    if not text:
        raise InvalidField(name, "post must not be empty")
    return text


def voter_token(value: Any) -> str:
    if not isinstance(value, str) or not VOTER_RE.match(value):
        raise InvalidField("voter", "voter must be 16-64 URL-safe characters")
    return value


def rating_value(value: Any, name: str = "rating") -> int:
    # bool is an int in Python; a JSON true is not a rating.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidField(name, "rating must be a whole number from 1 to 5")
    return value


def http_url(value: str, name: str = "url") -> str:
    text = clean_text(value, URL_MAX, name)
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 bracket, say: bad input, not a crash
        raise InvalidField(name, "url must be an absolute http or https address") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidField(name, "url must be an absolute http or https address")
    return text


def parse_vote(data: dict[str, Any]) -> VoteInput:
    title = optional_str(data, "title")
    url = optional_str(data, "url")
    return VoteInput(
        site=site_slug(data.get("site", "default")),
        post=post_id(data.get("post")),
        voter=voter_token(data.get("voter")),
        rating=rating_value(data.get("rating")),
        title=clean_text(title, TITLE_MAX, "title") or None if title is not None else None,
        url=http_url(url) if url else None,
    )


def parse_withdraw(data: dict[str, Any]) -> tuple[str, str, str]:
    return (
        site_slug(data.get("site", "default")),
        post_id(data.get("post")),
        voter_token(data.get("voter")),
    )


def parse_feedback(data: dict[str, Any], site: Site) -> FeedbackInput:
    text = clean_text(require_str(data, "text"), FEEDBACK_MAX, "text", multiline=True)
    if not text:
        raise InvalidField("text", "text must not be empty")
    rating = data.get("rating")
    reason = optional_str(data, "reason")
    if reason is not None and reason not in site.reasons:
        raise InvalidField("reason", "reason must be one of: " + ", ".join(site.reasons))
    lang = optional_str(data, "lang")
    if lang is not None and not LANG_RE.match(lang):
        raise InvalidField("lang", "lang must be a language tag such as en or sk-SK")
    honeypot = data.get("hp")
    if honeypot is None:  # left out or null: not filled in; anything else a script put there
        honeypot = ""
    open_ms = data.get("open_ms")
    if open_ms is not None and (isinstance(open_ms, bool) or not isinstance(open_ms, int)):
        raise InvalidField("open_ms", "open_ms must be a whole number of milliseconds")
    return FeedbackInput(
        site=site.slug,
        post=post_id(data.get("post")),
        voter=voter_token(data.get("voter")),
        text=text,
        rating=None if rating is None else rating_value(rating),
        reason=reason,
        lang=lang.lower() if lang else None,
        honeypot=honeypot if isinstance(honeypot, str) else "x",
        open_ms=open_ms,
    )


def parse_posts(values: list[str]) -> list[str]:
    if not values:
        raise InvalidField("post", "give at least one post")
    if len(values) > 100:
        raise InvalidField("post", "at most 100 posts per request")
    seen: dict[str, None] = {}
    for value in values:
        seen[post_id(value)] = None
    return list(seen)
