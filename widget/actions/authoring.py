"""What authors do to their sites' data: reset a post, triage feedback, save site settings."""

from __future__ import annotations

import time
from collections.abc import Sequence

from widget.actions.services import Services
from widget.events import FeedbackTriaged, PostReset, SitesChanged
from widget.models import Site, Summary


async def reset_post(svc: Services, author: str, site: str, post: str) -> Summary:
    """Start a post's count over (audited); its feedback stays."""

    def reset(summary: Summary) -> None:
        svc.events.publish(PostReset(summary, author))

    return await svc.store.reset_post(site, post, author, time.time(), reset)


async def triage_feedback(
    svc: Services,
    author: str,
    sites: Sequence[str],
    ids: Sequence[int],
    status: str,
    note: str | None = None,
) -> int:
    """Set the status (and, for one item, the private note) of feedback on the author's
    sites; the number of items changed (others' sites' items are left alone)."""

    def triaged(changed: int) -> None:
        if changed:
            svc.events.publish(FeedbackTriaged(tuple(ids), status, author))

    return await svc.store.triage_feedback(ids, sites, time.time(), status, note, triaged)


async def save_site(svc: Services, author: str, site: Site) -> Site:
    """Save a site's name, origins and settings (audited); the API and embed see it at once."""
    await svc.store.update_site(site, author)
    await _sites_changed(svc)
    return site


async def create_site(svc: Services, author: str, site: Site) -> Site:
    await svc.store.create_site(site, author)
    await _sites_changed(svc)
    return site


async def _sites_changed(svc: Services) -> None:
    svc.events.publish(SitesChanged(await svc.store.load_sites()))
