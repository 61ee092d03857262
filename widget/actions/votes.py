"""Casting, changing and withdrawing a reader's vote."""

from __future__ import annotations

import time
from functools import partial

from widget.actions.services import Services
from widget.errors import OriginNotAllowed
from widget.events import VoteCast, VoteWithdrawn
from widget.guard import voter_key
from widget.guard.caller import Caller
from widget.models import Site, VoteInput, VoteResult


def writable_site(svc: Services, slug: str, caller: Caller) -> Site:
    """The site, when the caller's page may write to it.

    Browsers send Origin on cross-site writes; a site with origins refuses the others. The
    frame's own forms come from our origin and carry a signed form token instead, so their
    Caller has no origin.
    """
    site = svc.site(slug)
    if not site.allows_origin(caller.origin):
        raise OriginNotAllowed(f"origin {caller.origin} may not write to site {site.slug!r}")
    return site


async def cast_vote(svc: Services, caller: Caller, vote: VoteInput) -> VoteResult:
    """Record the reader's vote (a second one from the same reader changes it)."""
    svc.guard.refuse_crawler(caller.user_agent)
    address_key = await svc.guard.admit("vote", caller.address)
    site = writable_site(svc, vote.site, caller)
    # Published at the commit, in commit order: a later vote's summary is never overwritten
    # by an earlier one's.
    return await svc.store.cast_vote(
        vote,
        voter_key(svc.secret, vote.voter),
        time.time(),
        svc.guard.vote_cap(site.slug, vote.post, address_key),
        partial(_cast, svc, vote.rating),
    )


async def withdraw_vote(
    svc: Services, caller: Caller, site_slug: str, post: str, voter: str
) -> VoteResult:
    """Remove the reader's vote on the post; the numbers move back as if it was never cast."""
    svc.guard.refuse_crawler(caller.user_agent)
    await svc.guard.admit("vote", caller.address)
    site = writable_site(svc, site_slug, caller)
    key = voter_key(svc.secret, voter)
    return await svc.store.withdraw_vote(
        site.slug, post, key, time.time(), partial(_withdrawn, svc)
    )


def _cast(svc: Services, rating: int, result: VoteResult) -> None:
    svc.events.publish(VoteCast(result.summary, rating))


def _withdrawn(svc: Services, result: VoteResult) -> None:
    svc.events.publish(VoteWithdrawn(result.summary))
