"""The Guard: what the API asks before it lets a request change or read anything.

Built once by the app's lifespan. It keeps the rate limits, today's address hasher and the
spam signals; everything it needs from the database (the daily salt seed, the retention purge)
goes through the writer, so it works the same with one process or several.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from widget.errors import Forbidden, RateLimited
from widget.guard.addresses import (
    TrustedProxies,
    address_from_headers,
    identity,
    is_trusted_peer,
    parse_networks,
)
from widget.guard.akismet import Akismet
from widget.guard.keys import DAY, AddressHasher, day_label, day_number, salt_from_seed
from widget.guard.limits import Limiter, TokenBuckets, retry_after
from widget.guard.spam import RecentTexts, Verdict, is_crawler, score_feedback
from widget.models import FeedbackInput, Site
from widget.settings import Settings
from widget.store import CapCheck, Purged, Store

log = logging.getLogger("widget.guard")


LIMIT_MESSAGES = {
    "vote": "too many votes from this network; try again shortly",
    "feedback": "too much feedback from this network; try again shortly",
    "summary": "too many requests from this network; try again shortly",
}


class BotRefused(Forbidden):
    """A crawler's vote: refused openly rather than pretended, see SECURITY.md."""

    code = "bot"


class Guard:
    def __init__(
        self, settings: Settings, secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.secret = secret
        self.clock = clock
        self.trusted = parse_networks(settings.trusted_proxies)
        self._proxies = TrustedProxies(self.trusted)
        self.proxy_header = settings.proxy_header.lower()
        keys = settings.limiter_keys
        self.limits: dict[str, Limiter] = {
            "vote": TokenBuckets(settings.vote_per_minute, settings.vote_burst, keys),
            "feedback": TokenBuckets(settings.feedback_per_minute, settings.feedback_burst, keys),
            "summary": TokenBuckets(settings.summary_per_minute, settings.summary_burst, keys),
        }
        self.daily_cap = settings.daily_votes_per_post
        # Reads are the hot path: with their limit off, the address is not even looked at.
        self.limits_reads = settings.summary_burst > 0
        self.recent_texts = RecentTexts()
        self.akismet = (
            Akismet(settings.akismet_key, settings.akismet_url) if settings.akismet_key else None
        )
        self._hasher: AddressHasher | None = None
        self._store: Store | None = None
        self._rotation: asyncio.Future[AddressHasher] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._midnight: asyncio.Task[None] | None = None
        self._label = (-1, "")  # (day number, its date): formatting a date costs microseconds

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self, store: Store) -> None:
        """Load today's salt before the first request; rotate it daily from then on."""
        self._store = store
        self._hasher = await self._rotate_in(day_number(self.clock()))
        self._schedule_purge()
        self._midnight = asyncio.ensure_future(self._rotate_at_midnight())

    async def close(self) -> None:
        if self._midnight is not None:
            self._midnight.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._midnight
        for task in list(self._background):
            await task
        if self.akismet is not None:
            await self.akismet.close()

    async def _rotate_at_midnight(self) -> None:
        """Rotate (and so delete old salts) at each UTC midnight, even when nobody asks.

        Requests rotate too, so this only matters on a quiet server, where a salt would
        otherwise outlive its 48 hours until the next request.
        """
        while True:
            now = self.clock()
            await asyncio.sleep(DAY - now % DAY + 1)
            try:
                await self._rotate(day_number(self.clock()))
            except Exception:
                log.exception("daily salt rotation failed; the next request tries again")

    # --- who is asking -------------------------------------------------------------------

    def address(self, scope: Mapping[str, Any]) -> str:
        """Who is asking, for every surface (API, frame, dashboard) alike: the direct peer, or
        what the configured proxy header says when that peer is a trusted proxy."""
        client = scope.get("client")
        peer = client[0] if client else None
        if not self.trusted:
            return peer or "unknown"
        return address_from_headers(peer, scope["headers"], self._proxies, self.proxy_header)

    def from_trusted_proxy(self, scope: Mapping[str, Any]) -> bool:
        """Whether the direct peer is a trusted proxy, whose X-Forwarded-Proto/-Host count."""
        client = scope.get("client")
        return is_trusted_peer(client[0] if client else None, self._proxies)

    async def admit(self, kind: str, address: str) -> bytes:
        """Spend one request of `kind` for the address; raise RateLimited when none is left.

        Returns the address's key for today (a salted hash), the only form in which an address
        goes further than this function.
        """
        now = self.clock()
        hasher = self._hasher
        if hasher is None or hasher.day != day_number(now):
            hasher = await self._rotate(day_number(now))
        key = hasher.key(identity(address))
        wait = self.limits[kind].take(key, now)
        if wait:
            raise RateLimited(LIMIT_MESSAGES[kind], retry_after(wait))
        return key

    def frame_token(self, address: str, user_agent: str) -> str:
        """The voter token of the no-JavaScript frame, which has no storage of its own.

        Derived from the address and browser with the day's salt, not the secret key: it lets
        the reader change that day's vote, and once the salt is deleted (48 hours) the stored
        hash of it can no longer be tied to an address, as for every address-derived key.
        """
        assert self._hasher is not None, "Guard.start() was not called"
        return self._hasher.token("frame-voter", identity(address), user_agent)

    def refuse_crawler(self, user_agent: str | None) -> None:
        if is_crawler(user_agent):
            raise BotRefused("votes from crawlers are not counted")

    def vote_cap(self, site: str, post: str, key: bytes) -> CapCheck:
        """The check that runs inside the vote's transaction for a reader's first vote."""
        now = self.clock()
        day = day_number(now)
        if self._label[0] != day:
            self._label = (day, day_label(day))
        return CapCheck(
            site=site,
            post=post,
            day=self._label[1],
            ip_key=key.hex(),
            cap=self.daily_cap,
            retry_after=int(retry_after(DAY - now % DAY)),
        )

    # --- feedback ------------------------------------------------------------------------

    async def judge_feedback(
        self, item: FeedbackInput, site: Site, address: str, user_agent: str | None
    ) -> Verdict:
        verdict = score_feedback(
            item,
            user_agent=user_agent,
            recent=self.recent_texts,
            now=self.clock(),
            min_open_ms=self.settings.feedback_min_open_ms,
            max_links=self.settings.feedback_max_links,
        )
        if self.akismet is None or verdict.is_spam:
            return verdict  # no need to tell a third party about what we already know
        blog = site.origins[0] if site.origins else self.settings.public_url
        answer = await self.akismet.is_spam(
            blog=blog or "http://localhost",
            user_ip=address,
            user_agent=user_agent or "",
            text=item.text,
            lang=item.lang,
        )
        return verdict.plus(1.0, "akismet") if answer else verdict

    # --- salts -------------------------------------------------------------------------

    async def _rotate(self, day: int) -> AddressHasher:
        """Today's hasher, created through the writer once, however many requests wait."""
        pending = self._rotation
        if pending is None or pending.done():
            pending = asyncio.ensure_future(self._rotate_through_writer(day))
            self._rotation = pending
            self._background.add(pending)  # close() waits for it, as for purges
            pending.add_done_callback(self._background.discard)
        hasher = await asyncio.shield(pending)
        if hasher.day != day:  # a rotation for another day was under way; do ours
            self._rotation = None
            return await self._rotate(day)
        return hasher

    async def _rotate_through_writer(self, day: int) -> AddressHasher:
        hasher = await self._rotate_in(day)
        self._hasher = hasher
        self._schedule_purge()
        return hasher

    def _schedule_purge(self) -> None:
        if self.settings.retention_days:
            task = asyncio.ensure_future(self.purge())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _rotate_in(self, day: int) -> AddressHasher:
        assert self._store is not None, "Guard.start() was not called"
        fresh = secrets.token_hex(32)
        seed = await self._store.rotate_salt(
            day_label(day), day_label(day - 1), fresh, self.clock()
        )
        return AddressHasher(day, salt_from_seed(self.secret, seed))

    async def purge(self) -> Purged | None:
        """Drop per-reader detail older than the retention period (once a day, at rotation)."""
        if not self.settings.retention_days or self._store is None:
            return None
        now = self.clock()
        cutoff = now - self.settings.retention_days * DAY
        try:
            purged = await self._store.purge_before(cutoff, now)
        except Exception:
            log.exception("retention purge failed; it will be tried again tomorrow")
            return None
        if purged.votes or purged.feedback_unlinked or purged.spam_deleted:
            log.info(
                "retention: %d votes folded into %d post baselines, %d feedback unlinked,"
                " %d spam deleted",
                purged.votes,
                purged.posts,
                purged.feedback_unlinked,
                purged.spam_deleted,
            )
        return purged
