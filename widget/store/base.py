"""The storage interface: every read and write the service makes, in terms of the models.

Callers (the use cases, the guard, the CLI, the dashboard's reads) hold a Store and never a
connection, a cursor or SQL. A backend (store/sqlite_backend.py, store/postgres/)
implements it; how it commits (group commit, batching, savepoints) is its own affair, with one
promise: a method that writes returns only after its commit, and `on_commit` runs after the
commit. SQLite's one writer runs them in commit order. PostgreSQL's writes may run on several
connections (and other instances commit too), so there each summary carries its post's `seq`
and the cache keeps the highest (widget/cache.py): caches still end with the newest numbers.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from widget.models import FeedbackInput, Site, Summary, VoteInput, VoteResult
from widget.store.records import (
    AuditEntry,
    Author,
    DayCount,
    Forgotten,
    InboxFilter,
    InboxItem,
    NewSession,
    PostRow,
    Purged,
    SessionRecord,
    SiteStats,
)
from widget.store.sqlite.privacy import CapCheck

T = TypeVar("T")
OnCommit = Callable[[T], None] | None


@dataclass(frozen=True, slots=True)
class ChangedElsewhere:
    """What other processes (other instances, the CLI) committed, as far as caches care.

    `summaries`: posts' new numbers; `sites`: the sites changed; `everything`: anything may
    have changed (a CLI import, notifications missed while the database was away): drop every
    cache and reload the sites.
    """

    summaries: tuple[Summary, ...] = ()
    sites: bool = False
    everything: bool = False


class Store(abc.ABC):
    # --- lifecycle -------------------------------------------------------------------------

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish every queued write, then release the database."""

    @abc.abstractmethod
    async def ready(self) -> None:
        """Raise Unavailable unless a write transaction can be taken now."""

    @abc.abstractmethod
    async def changed_elsewhere(self) -> bool:
        """True when another process has committed since the last call (the CLI's import,
        recompute, purge): caches must be dropped. The first call only takes a reading."""

    async def watch_elsewhere(self, every: float) -> AsyncIterator[ChangedElsewhere]:
        """What other processes commit, as it happens, until cancelled.

        This default asks changed_elsewhere() every `every` seconds (SQLite: one file, a
        CLI command writing beside the service now and then). A backend that can be told
        (PostgreSQL's LISTEN/NOTIFY) overrides it with per-post news.
        """
        from widget.errors import WidgetError

        while True:
            try:
                if await self.changed_elsewhere():
                    yield ChangedElsewhere(everything=True)
            except WidgetError:  # busy or shutting down: ask again next time
                pass
            await asyncio.sleep(every)

    @property
    @abc.abstractmethod
    def schema(self) -> tuple[int, list[int]]:
        """The schema version, and the migrations that opening the store applied."""

    @property
    @abc.abstractmethod
    def writes(self) -> int:
        """A counter that moves with every commit: "has anything been written since?"."""

    # --- readers' votes and feedback --------------------------------------------------------

    @abc.abstractmethod
    async def cast_vote(
        self,
        vote: VoteInput,
        voter_key: str,
        now: float,
        cap: CapCheck | None,
        on_commit: OnCommit[VoteResult] = None,
    ) -> VoteResult:
        """Record or change one reader's vote, under the daily per-address cap."""

    @abc.abstractmethod
    async def withdraw_vote(
        self, site: str, post: str, voter_key: str, now: float, on_commit: OnCommit[VoteResult]
    ) -> VoteResult: ...

    @abc.abstractmethod
    async def read_summaries(self, site: str, posts: Sequence[str]) -> dict[str, Summary]:
        """The summaries of those posts; a post without votes gets an empty one."""

    @abc.abstractmethod
    async def voter_rating(self, site: str, post: str, voter_key: str) -> int | None: ...

    @abc.abstractmethod
    async def post_title(self, site: str, post: str) -> str | None: ...

    @abc.abstractmethod
    async def add_feedback(
        self,
        item: FeedbackInput,
        voter_key: str,
        status: str,
        spam_score: float,
        now: float,
        on_commit: OnCommit[int],
    ) -> int:
        """Store one feedback item; its id."""

    @abc.abstractmethod
    async def forget_voter(
        self, voter_key: str, site: str | None, now: float, on_commit: OnCommit[Forgotten]
    ) -> Forgotten: ...

    # --- sites and authors -----------------------------------------------------------------

    @abc.abstractmethod
    async def load_sites(self) -> dict[str, Site]: ...

    @abc.abstractmethod
    async def site_exists(self, slug: str) -> bool: ...

    @abc.abstractmethod
    async def create_site(self, site: Site, author: str) -> Site:
        """Add a site (audited); InvalidField("slug") when the name is taken."""

    @abc.abstractmethod
    async def update_site(self, site: Site, author: str) -> Site:
        """Save a site's name, origins and settings; the audit entry keeps the old ones."""

    @abc.abstractmethod
    async def secret_key(self) -> str:
        """The service's secret, generated and kept on first use."""

    @abc.abstractmethod
    async def keep_secret_key(self, secret: str) -> str:
        """Keep `secret` as the service's secret unless one is kept already; the one kept.
        (`copy` brings a database's secret along: readers' keys and sessions depend on it.)"""

    @abc.abstractmethod
    async def count_authors(self) -> int: ...

    @abc.abstractmethod
    async def create_author(
        self,
        username: str,
        password_hash: str,
        is_admin: bool,
        sites: Sequence[str],
        by: str | None,
    ) -> int:
        """A new author's id; audited as done `by` (None: from the command line, unaudited).
        InvalidField("username") when the name is taken, NotFound("site") for a bad site."""

    @abc.abstractmethod
    async def create_first_admin(self, username: str, password_hash: str) -> int | None:
        """The setup page's admin, or None when an author exists already: checked in the
        same transaction, so two browsers racing on one setup link make one admin."""

    @abc.abstractmethod
    async def update_author(
        self,
        author_id: int,
        is_admin: bool,
        sites: Sequence[str],
        password_hash: str | None,
        by: str,
        reopen: NewSession | None = None,
    ) -> None:
        """Set an author's role and sites, and a new password when given (audited). Taking a
        right away or a new password ends the author's sessions; `reopen` as for set_password."""

    @abc.abstractmethod
    async def delete_author(self, author_id: int, by: str) -> str:
        """Delete an author (never the last admin); the username."""

    @abc.abstractmethod
    async def set_password(
        self, author_id: int, password_hash: str, by: str, reopen: NewSession | None = None
    ) -> int:
        """A new password ends every session of the author (the number ended); `reopen`, the
        browser that changed it, gets a fresh one in the same transaction."""

    # --- dashboard sessions ------------------------------------------------------------------

    @abc.abstractmethod
    async def open_session(self, new: NewSession) -> None:
        """Record a login (expired sessions of anyone are pruned at the same time)."""

    @abc.abstractmethod
    async def session_author(self, key: str) -> tuple[SessionRecord, Author] | None:
        """The session named by `key` and its author, in one lookup."""

    @abc.abstractmethod
    async def sessions_of(self, author_id: int) -> list[SessionRecord]: ...

    @abc.abstractmethod
    async def touch_session(self, key: str, now: float) -> None: ...

    @abc.abstractmethod
    async def end_session(self, key: str) -> None: ...

    @abc.abstractmethod
    async def end_sessions(self, author_id: int, by: str) -> int:
        """Sign an author out everywhere (audited); the number of sessions ended."""

    @abc.abstractmethod
    async def author_by_id(self, author_id: int) -> Author | None: ...

    @abc.abstractmethod
    async def author_by_name(self, username: str) -> Author | None: ...

    @abc.abstractmethod
    async def list_authors(self) -> list[Author]: ...

    @abc.abstractmethod
    async def list_audit(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]: ...

    # --- what authors read and do -----------------------------------------------------------

    @abc.abstractmethod
    async def site_stats(self, site: str) -> SiteStats: ...

    @abc.abstractmethod
    async def daily_trend(
        self, site: str, since_day: str, post: str | None = None
    ) -> list[DayCount]: ...

    @abc.abstractmethod
    async def ranked_posts(
        self,
        site: str,
        stats: SiteStats,
        *,
        sort: str = "score",
        descending: bool = True,
        query: str = "",
        min_votes: int = 0,
        active_since: float | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[PostRow], int]:
        """One page of the site's posts in the chosen order, and how many match the filters."""

    @abc.abstractmethod
    async def post_row(self, site: str, post: str, stats: SiteStats) -> PostRow | None: ...

    @abc.abstractmethod
    async def recent_votes(
        self, site: str, post: str, limit: int = 20
    ) -> list[tuple[int, float, float]]: ...

    @abc.abstractmethod
    async def new_feedback_by_post(self, site: str, posts: Sequence[str]) -> dict[str, int]: ...

    @abc.abstractmethod
    async def list_feedback(
        self, chosen: InboxFilter, limit: int = 50, offset: int = 0
    ) -> tuple[list[InboxItem], int]: ...

    @abc.abstractmethod
    async def feedback_item(self, feedback_id: int) -> InboxItem | None: ...

    @abc.abstractmethod
    async def unread_count(self, sites: Sequence[str]) -> int: ...

    @abc.abstractmethod
    async def status_counts(self, sites: Sequence[str]) -> dict[str, int]: ...

    @abc.abstractmethod
    async def triage_feedback(
        self,
        ids: Sequence[int],
        sites: Sequence[str],
        now: float,
        status: str | None,
        note: str | None,
        on_commit: OnCommit[int],
    ) -> int: ...

    @abc.abstractmethod
    async def reset_post(
        self, site: str, post: str, author: str, now: float, on_commit: OnCommit[Summary]
    ) -> Summary: ...

    @abc.abstractmethod
    def export_votes(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]: ...

    @abc.abstractmethod
    def export_feedback(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]: ...

    # --- privacy and maintenance ------------------------------------------------------------

    @abc.abstractmethod
    async def rotate_salt(self, day: str, yesterday: str, fresh_seed: str, now: float) -> str:
        """The seed of `day` (created from fresh_seed by whichever instance asks first); salts
        older than yesterday's and caps of past days are deleted."""

    @abc.abstractmethod
    async def prune_salts(self, today: str, yesterday: str) -> int: ...

    @abc.abstractmethod
    async def purge_before(self, cutoff: float, now: float) -> Purged: ...

    @abc.abstractmethod
    def export_rows(self) -> AsyncIterator[dict[str, Any]]:
        """Every record as a plain dict tagged by `type`, from one consistent snapshot."""

    @abc.abstractmethod
    async def import_rows(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Load exported rows in one transaction and rebuild every aggregate."""

    @abc.abstractmethod
    async def recompute(self) -> list[dict[str, Any]]:
        """Rebuild every post's aggregates from the votes; the drifts corrected."""
