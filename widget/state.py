"""What the app shares between requests. Built by the lifespan in app.py, never global."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiosqlite
from starlette.requests import Request

from widget import store
from widget.cache import RenderedSummaries, SummaryCache
from widget.db import Operation, Writer
from widget.errors import NotFound, WidgetError
from widget.guard import IPNetwork
from widget.guard.service import Guard
from widget.metrics import Metrics
from widget.models import Site, Summary, VoteResult
from widget.settings import Settings

T = TypeVar("T")
log = logging.getLogger("widget")
OTHER_WRITERS_SECONDS = 1.0


@dataclass
class Services:
    settings: Settings
    writer: Writer
    reader: aiosqlite.Connection
    cache: SummaryCache
    metrics: Metrics
    secret: str
    guard: Guard
    sites: dict[str, Site] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    extras: dict[str, Any] = field(default_factory=dict)
    _site_stats: dict[str, tuple[int, store.SiteStats]] = field(default_factory=dict)
    rendered: RenderedSummaries = field(default_factory=RenderedSummaries)

    @property
    def trusted_proxies(self) -> tuple[IPNetwork, ...]:
        """The guard's, read by the dashboard's client_ip until it asks the guard itself."""
        return self.guard.trusted

    def site(self, slug: str) -> Site:
        found = self.sites.get(slug)
        if found is None:
            raise NotFound(f"site {slug!r} does not exist", field="site")
        return found

    def cache_vote(self, result: VoteResult) -> None:
        """After a vote's commit: its post's new summary is what readers get from now on."""
        self.cache.put(result.summary)

    async def write(
        self,
        operation: Operation[T],
        after_commit: Callable[[T], None] | None = None,
        *,
        short: bool = False,
    ) -> T:
        return await self.writer.submit(operation, after_commit, short=short)

    async def site_stats(self, slug: str) -> store.SiteStats:
        """A site's totals for the dashboard, summed again only after something was written.

        The sum reads every post of the site (26 ms at 100,000 posts); authors reloading the
        dashboard between votes get the kept answer.
        """
        written = self.writer.batches
        kept = self._site_stats.get(slug)
        if kept is not None and kept[0] == written:
            return kept[1]
        stats = await store.site_stats(self.reader, slug)
        self._site_stats[slug] = (written, stats)  # the count from before the read: safe side
        return stats

    async def reload_sites(self) -> None:
        self.sites = await self.write(store.load_sites)

    async def follow_other_writers(self, every: float = OTHER_WRITERS_SECONDS) -> None:
        """Forget cached summaries and sites when another process changed the database.

        The CLI's import, recompute and seed-demo write to the file while we serve; only the
        writer's connection can tell (its data_version moves for commits but its own), and a
        cached count would otherwise stay wrong until the post's next vote or a restart.
        """
        seen: int | None = None
        while True:
            try:
                version = await self.write(store.data_version)
                if seen is not None and version != seen:
                    log.info("the database was changed by another process; reloading")
                    self.cache.clear()
                    await self.reload_sites()
                seen = version
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
            loaded = await store.read_summaries(self.reader, site, missing)
            for summary in loaded.values():
                self.cache.put_loaded(summary, since)
                # A write may have landed while we read: the cache has the newest value.
                found[summary.post] = self.cache.get(site, summary.post) or summary
        return [found[post] for post in posts]


def services(request: Request) -> Services:
    result: Services = request.app.state.services
    return result
