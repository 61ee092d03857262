"""A reader's feedback ("how could this post be better?") and forgetting a reader."""

from __future__ import annotations

import time

from widget import store
from widget.actions.services import Services
from widget.actions.votes import writable_site
from widget.errors import OriginNotAllowed
from widget.events import FeedbackReceived, ReaderForgotten
from widget.guard import voter_key
from widget.guard.caller import Caller
from widget.models import FeedbackInput, any_site_allows


async def admit_feedback(svc: Services, caller: Caller) -> None:
    """The feedback rate limit, spent before the body is read: a flood costs us no parsing."""
    await svc.guard.admit("feedback", caller.address)


async def send_feedback(svc: Services, caller: Caller, item: FeedbackInput) -> int:
    """Store the feedback (likely spam as `spam`, for the author to review); its id.

    The sender gets the same answer either way, so a spammer learns nothing from it. The
    caller has been admitted by admit_feedback.
    """
    site = writable_site(svc, item.site, caller)
    verdict = await svc.guard.judge_feedback(item, site, caller.address, caller.user_agent)

    def received(feedback_id: int) -> None:
        svc.events.publish(FeedbackReceived(feedback_id, site.slug, item.post, verdict.status))

    key = voter_key(svc.secret, item.voter)
    return await svc.store.add_feedback(
        item, key, verdict.status, verdict.score, time.time(), received
    )


async def forget_reader(
    svc: Services, caller: Caller, voter: str, site_slug: str | None
) -> store.Forgotten:
    """A reader's right to be forgotten: every vote and feedback item of their token goes,
    on one site or, without one, on every site (the origin must belong to one of them)."""
    await svc.guard.admit("vote", caller.address)
    if site_slug is not None:
        site: str | None = writable_site(svc, site_slug, caller).slug
    else:
        origin = caller.origin
        if origin is not None and not any_site_allows(svc.sites.values(), origin):
            raise OriginNotAllowed(f"origin {origin} belongs to no site here")
        site = None

    def forgotten(result: store.Forgotten) -> None:
        svc.events.publish(ReaderForgotten(tuple(result.summaries), result.votes, result.feedback))

    key = voter_key(svc.secret, voter)
    return await svc.store.forget_voter(key, site, time.time(), forgotten)
