"""What happened, published once after the commit, to the subscribers registered at start-up.

The use cases (widget/actions) publish; the summary cache, the site registry and the metrics
subscribe (the runtime wires them in create_app). Nothing else updates a cache, so a new way
in (a CLI command, the authors' API) cannot forget to. Notifications and other instances will
subscribe here too.

Delivery is synchronous and in-process: publish() returns after every subscriber ran. A vote's
event costs one dict lookup and a call per subscriber (about a microsecond), which the vote's
hot path can afford; a subscriber that needs I/O queues it instead of doing it inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from widget.models import Site, Summary

log = logging.getLogger("widget.events")


@dataclass(frozen=True, slots=True)
class VoteCast:
    """A reader's vote was recorded (a new vote or a change); `summary` is the post's new one."""

    summary: Summary
    rating: int


@dataclass(frozen=True, slots=True)
class VoteWithdrawn:
    summary: Summary


@dataclass(frozen=True, slots=True)
class FeedbackReceived:
    feedback_id: int
    site: str
    post: str
    status: str  # "new" or "spam": what the guard decided, never shown to the sender


@dataclass(frozen=True, slots=True)
class FeedbackTriaged:
    feedback_ids: tuple[int, ...]
    status: str | None
    author: str


@dataclass(frozen=True, slots=True)
class ReaderForgotten:
    """A reader's rows were deleted; `summaries` are the posts whose numbers moved."""

    summaries: tuple[Summary, ...]
    votes: int
    feedback: int


@dataclass(frozen=True, slots=True)
class PostReset:
    summary: Summary
    author: str


@dataclass(frozen=True, slots=True)
class SitesChanged:
    """A site was created or its settings saved; `sites` is every site as now stored."""

    sites: dict[str, Site]


@dataclass(frozen=True, slots=True)
class DataChangedElsewhere:
    """Another process (a CLI import, recompute, purge) wrote to the database: forget caches."""

    sites: dict[str, Site]


@dataclass(frozen=True, slots=True)
class PostChangedElsewhere:
    """Another instance committed a post's new numbers (a vote, a withdrawal, a reset)."""

    summary: Summary


Event = (
    VoteCast
    | VoteWithdrawn
    | FeedbackReceived
    | FeedbackTriaged
    | ReaderForgotten
    | PostReset
    | SitesChanged
    | DataChangedElsewhere
    | PostChangedElsewhere
)
E = TypeVar("E")


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[type, list[Callable[[Any], None]]] = {}

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> None:
        self._subscribers.setdefault(kind, []).append(handler)

    def publish(self, event: Event) -> None:
        """Run every subscriber of the event's kind. The write is already committed, so a
        subscriber's failure is logged and must not turn a recorded vote into an error."""
        for handler in self._subscribers.get(type(event), ()):
            try:
                handler(event)
            except Exception:
                log.exception("subscriber %r failed on %s", handler, type(event).__name__)
