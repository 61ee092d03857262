"""What the app shares between requests. Built by the lifespan in app.py, never global."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from widget.cache import RenderedSummaries, SummaryCache
from widget.errors import NotFound, WidgetError
from widget.events import DataChangedElsewhere, EventBus, PostChangedElsewhere, SitesChanged
from widget.guard.auth import LoginThrottle, SessionSigner, SetupToken
from widget.guard.service import Guard
from widget.models import Site, Summary
from widget.settings import Settings
from widget.store import ChangedElsewhere, SiteStats, Store

T = TypeVar("T")
log = logging.getLogger("widget")
OTHER_WRITERS_SECONDS = 1.0


@dataclass
class Services:
    settings: Settings
    store: Store
    cache: SummaryCache
    secret: str
    guard: Guard
    events: EventBus = field(default_factory=EventBus)
    sites: dict[str, Site] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    # The dashboard's: cookies signed with the secret, failed logins, the first-run link.
    session_signer: SessionSigner | None = None
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    setup_token: SetupToken | None = None
    _site_stats: dict[str, tuple[int, SiteStats]] = field(default_factory=dict)
    rendered: RenderedSummaries = field(default_factory=RenderedSummaries)

    def __post_init__(self) -> None:
        if self.session_signer is None:
            self.session_signer = SessionSigner(self.secret)

    def site(self, slug: str) -> Site:
        found = self.sites.get(slug)
        if found is None:
            raise NotFound(f"site {slug!r} does not exist", field="site")
        return found

    async def site_stats(self, slug: str) -> SiteStats:
        """A site's totals for the dashboard, summed again only after something was written.

        The sum reads every post of the site (26 ms at 100,000 posts); authors reloading the
        dashboard between votes get the kept answer.
        """
        written = self.store.writes
        kept = self._site_stats.get(slug)
        if kept is not None and kept[0] == written:
            return kept[1]
        stats = await self.store.site_stats(slug)
        self._site_stats[slug] = (written, stats)  # the count from before the read: safe side
        return stats

    async def follow_other_writers(self, every: float = OTHER_WRITERS_SECONDS) -> None:
        """Keep cached summaries and sites in step with what other processes commit.

        The CLI's import, recompute and seed-demo write while we serve, and on PostgreSQL so
        do the other instances; a cached count would otherwise stay wrong until the post's
        next vote here or a restart. The store says what changed (Store.watch_elsewhere):
        one post's numbers, the sites, or anything at all (then every cache goes).
        """
        async for change in self.store.watch_elsewhere(every):
            try:
                await self._follow(change)
            except WidgetError as exc:  # the database went away meanwhile: the store catches up
                log.warning("could not reload after a change elsewhere: %s", exc.message)

    async def _follow(self, change: ChangedElsewhere) -> None:
        if change.everything:
            log.info("the database was changed by another process; reloading")
            self.events.publish(DataChangedElsewhere(await self.store.load_sites()))
            return
        for summary in change.summaries:
            self.events.publish(PostChangedElsewhere(summary))
        if change.sites:
            self.events.publish(SitesChanged(await self.store.load_sites()))

    async def summaries(self, site: str, posts: list[str]) -> list[Summary]:
        """From the cache; the misses in one query on the read connection."""
        found: dict[str, Summary] = {}
        missing = []
        for post in posts:
            hit = self.cache.get(site, post)
            if hit is None:
                missing.append(post)
            else:
                found[post] = hit
        if missing:
            since = self.cache.epoch()
            loaded = await self.store.read_summaries(site, missing)
            for summary in loaded.values():
                self.cache.put_loaded(summary, since)
                # A write may have landed while we read: the cache has the newest value.
                found[summary.post] = self.cache.get(site, summary.post) or summary
        return [found[post] for post in posts]


def services(request: Request) -> Services:
    result: Services = request.app.state.services
    return result
