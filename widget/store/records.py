"""The records the storage interface speaks in, shared by every backend.

Plain data, no SQL: what a dashboard page, the inbox, an author's sessions or a privacy
operation gets back from a Store (widget/store/base.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from widget.models import Feedback, Summary


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    author: str | None
    action: str
    target: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Author:
    id: int
    username: str
    password_hash: str
    is_admin: bool
    sites: tuple[str, ...]  # for admins: empty, they see every site
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class SiteStats:
    """All-time numbers of one site, and the Bayesian prior derived from them.

    The honest score of a post is (C * m + total) / (C + votes): its ratings plus C imaginary
    votes at the site's mean m. A post with three 5-star votes no longer outranks one with four
    hundred votes averaging 4.8; with many votes the score converges to the post's own average.
    C is the mean number of votes of a rated post on the site: it grows with the site, so "a few
    votes" means the same on a small blog and a large docs site, and needs no tuning.
    """

    posts: int
    rated_posts: int
    votes: int
    total: int

    @property
    def prior_mean(self) -> float:
        return self.total / self.votes if self.votes else 3.0

    @property
    def prior_weight(self) -> float:
        return max(1.0, self.votes / self.rated_posts) if self.rated_posts else 1.0

    @property
    def average(self) -> float:
        return round(self.total / self.votes, 2) if self.votes else 0.0


@dataclass(frozen=True, slots=True)
class PostRow:
    post: str
    title: str | None
    url: str | None
    votes: int
    total: int
    distribution: tuple[int, int, int, int, int]
    last_vote_at: float | None
    score: float

    @property
    def average(self) -> float:
        return round(self.total / self.votes, 2) if self.votes else 0.0


@dataclass(frozen=True, slots=True)
class DayCount:
    day: str
    votes: int
    total: int


@dataclass(frozen=True, slots=True)
class InboxItem:
    feedback: Feedback
    title: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class InboxFilter:
    sites: tuple[str, ...]
    post: str = ""
    status: str = ""
    rating: int | None = None
    reason: str = ""
    query: str = ""


@dataclass
class Forgotten:
    votes: int = 0
    feedback: int = 0
    summaries: list[Summary] = field(default_factory=list)


@dataclass(frozen=True)
class Purged:
    votes: int
    posts: int
    feedback_unlinked: int
    spam_deleted: int


@dataclass(frozen=True, slots=True)
class SessionRecord:
    key: str
    author_id: int
    created_at: float
    seen_at: float
    browser: str = ""
    system: str = ""


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session to record at login, in the transaction of what comes with it (a new
    password, say); `replacing` is the key of this browser's previous session, if any.
    Sessions unused since `idle_before` or opened before `started_before` are pruned then."""

    key: str
    author_id: int
    now: float
    idle_before: float
    started_before: float
    browser: str = ""
    system: str = ""
    replacing: str | None = None
