"""The subscribers registered at start-up: the caches and the metrics follow the events.

This is the only place that updates the summary cache and the site registry after a write;
the use cases publish, the surfaces never touch a cache.
"""

from __future__ import annotations

from widget.actions.services import Services
from widget.events import (
    DataChangedElsewhere,
    FeedbackReceived,
    PostChangedElsewhere,
    PostReset,
    ReaderForgotten,
    SitesChanged,
    VoteCast,
    VoteWithdrawn,
)
from widget.http.metrics import Metrics


def keep_caches_fresh(svc: Services) -> None:
    bus, cache = svc.events, svc.cache
    # A vote's new summary is what readers get from the moment it is committed.
    bus.subscribe(VoteCast, lambda event: cache.put(event.summary))
    bus.subscribe(VoteWithdrawn, lambda event: cache.put(event.summary))
    bus.subscribe(PostReset, lambda event: cache.put(event.summary))
    bus.subscribe(PostChangedElsewhere, lambda event: cache.put(event.summary))

    def forgotten(event: ReaderForgotten) -> None:
        for summary in event.summaries:
            cache.put(summary)

    def sites_changed(event: SitesChanged) -> None:
        svc.sites = event.sites

    def changed_elsewhere(event: DataChangedElsewhere) -> None:
        cache.clear()
        svc.sites = event.sites

    bus.subscribe(ReaderForgotten, forgotten)
    bus.subscribe(SitesChanged, sites_changed)
    bus.subscribe(DataChangedElsewhere, changed_elsewhere)


def count_in_metrics(svc: Services, metrics: Metrics) -> None:
    bus = svc.events
    bus.subscribe(VoteCast, lambda event: metrics.votes_cast.inc())
    bus.subscribe(VoteWithdrawn, lambda event: metrics.votes_withdrawn.inc())
    bus.subscribe(FeedbackReceived, lambda event: metrics.feedback.labels(event.status).inc())
    bus.subscribe(ReaderForgotten, lambda event: metrics.votes.labels("forgotten").inc(event.votes))
