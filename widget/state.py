"""What the app shares between requests. Built by the lifespan in app.py, never global."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

from widget.cache import RenderedSummaries, SummaryCache
from widget.errors import NotFound, WidgetError
from widget.events import DataChangedElsewhere, EventBus
from widget.guard.service import Guard
from widget.models import Site, Summary
from widget.settings import Settings
from widget.store import SiteStats, Store

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
    extras: dict[str, Any] = field(default_factory=dict)
    _site_stats: dict[str, tuple[int, SiteStats]] = field(default_factory=dict)
    rendered: RenderedSummaries = field(default_factory=RenderedSummaries)

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
        """Forget cached summaries and sites when another process changed the database.

        The CLI's import, recompute and seed-demo write to the file while we serve; only the
        writer's connection can tell (its data_version moves for commits but its own), and a
        cached count would otherwise stay wrong until the post's next vote or a restart.
        """
        while True:
            try:
                if await self.store.changed_elsewhere():
                    log.info("the database was changed by another process; reloading")
                    self.events.publish(DataChangedElsewhere(await self.store.load_sites()))
            except WidgetError:  # busy or shutting down: ask again next time
                pass
            await asyncio.sleep(every)

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
