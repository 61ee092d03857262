"""The Store on PostgreSQL: a pool for reads and writes, group commit for votes, LISTEN/NOTIFY.

Several instances may serve one database. What keeps them exact is in SQL (aggregates move
by increments in the vote's transaction, the daily cap is a row counted there, posts are
locked in one order); what keeps their caches in step is a NOTIFY sent in each such
transaction, heard by every other instance at the commit (watch_elsewhere), with a reload
of everything after the listening connection was lost, since notifications sent meanwhile
are gone.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import asyncpg

from widget.errors import Unavailable
from widget.models import FeedbackInput, Site, Summary, VoteInput, VoteResult
from widget.store import (
    AuditEntry,
    Author,
    CapCheck,
    ChangedElsewhere,
    DayCount,
    Forgotten,
    InboxFilter,
    InboxItem,
    NewSession,
    OnCommit,
    PostRow,
    Purged,
    SiteStats,
    Store,
    day_of,
)
from widget.store.postgres import listener, maintenance, reads, sessions, writes
from widget.store.postgres.connection import LOST, acquired, in_transaction, open_pool, reachable
from widget.store.postgres.schema import current_version, migrate
from widget.store.postgres.writer import PendingVote, VoteWriter

log = logging.getLogger("widget.store.postgres")
T = TypeVar("T")
POOL_SIZE = 10  # requests waiting on reads queue for these; PostgreSQL's default allows 100


class PostgresStore(sessions.SessionsOnPostgres, Store):
    def __init__(self, url: str, pool: asyncpg.Pool, writer: VoteWriter, sender: str) -> None:
        self._url = url
        self._pool = pool
        self._writer = writer
        self._sender = sender  # this instance's name in its notifications
        self._version = 0
        self._applied: list[int] = []
        self._writes = 0
        self._closed = False

    @classmethod
    async def open(
        cls, url: str, max_batch: int = 512, on_batch: Callable[[int], None] | None = None
    ) -> PostgresStore:
        pool = await open_pool(url, POOL_SIZE)
        try:
            async with acquired(pool) as conn:
                applied = await migrate(conn)
                version = await current_version(conn)
        except BaseException:
            await pool.close()
            raise
        sender = secrets.token_hex(8)
        writer = VoteWriter(pool, sender, max_batch, on_batch)
        writer.start()
        store = cls(url, pool, writer, sender)
        store._version, store._applied = version, applied
        return store

    # --- how each call reaches the database --------------------------------------------------

    async def _read(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        async with acquired(self._pool) as conn:
            with reachable():
                return await work(conn)

    async def _write(
        self, work: Callable[[asyncpg.Connection], Awaitable[T]], on_commit: OnCommit[T] = None
    ) -> T:
        if self._closed:
            raise Unavailable("the service is shutting down")
        with reachable():
            result = await in_transaction(self._pool, work)
        self._writes += 1
        if on_commit is not None:
            on_commit(result)
        return result

    # --- lifecycle -------------------------------------------------------------------------

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._writer.close()
        try:
            await asyncio.wait_for(self._pool.close(), 5)
        except (TimeoutError, *LOST):
            self._pool.terminate()

    async def ready(self) -> None:
        async def writable(conn: asyncpg.Connection) -> None:
            if await conn.fetchval("SELECT pg_is_in_recovery()"):
                raise Unavailable("the database is read-only (a standby)")

        await self._read(writable)

    async def changed_elsewhere(self) -> bool:
        return False  # told, not asked: see watch_elsewhere

    async def watch_elsewhere(self, every: float) -> AsyncIterator[ChangedElsewhere]:
        async for change in listener.follow(
            self._url, self._sender, self._read_posts, every, lambda: self._closed
        ):
            self._writes += 1  # the dashboard's kept totals are stale now too
            yield change

    async def _read_posts(self, keys: list[tuple[str, str]]) -> list[Summary]:
        return await self._read(lambda conn: reads.read_posts(conn, keys))

    @property
    def schema(self) -> tuple[int, list[int]]:
        return self._version, self._applied

    @property
    def writes(self) -> int:
        return self._writes + self._writer.batches

    # --- readers' votes and feedback --------------------------------------------------------

    async def cast_vote(
        self,
        vote: VoteInput,
        voter_key: str,
        now: float,
        cap: CapCheck | None,
        on_commit: OnCommit[VoteResult] = None,
    ) -> VoteResult:
        future: asyncio.Future[VoteResult] = asyncio.get_running_loop().create_future()
        pending = PendingVote(vote, voter_key, now, day_of(now), cap, future, on_commit)
        return await self._writer.submit(pending)

    async def withdraw_vote(
        self, site: str, post: str, voter_key: str, now: float, on_commit: OnCommit[VoteResult]
    ) -> VoteResult:
        async def withdraw(conn: asyncpg.Connection) -> VoteResult:
            summary = await writes.withdraw_vote(conn, site, post, voter_key, now, day_of(now))
            await writes.notify(conn, self._sender, posts=[[site, post]])
            return VoteResult(summary, None)

        return await self._write(withdraw, on_commit)

    async def read_summaries(self, site: str, posts: Sequence[str]) -> dict[str, Summary]:
        return await self._read(lambda conn: reads.read_summaries(conn, site, posts))

    async def voter_rating(self, site: str, post: str, voter_key: str) -> int | None:
        found = await self._read(
            lambda conn: conn.fetchval(
                "SELECT rating FROM votes WHERE site = $1 AND post = $2 AND voter_key = $3",
                site,
                post,
                voter_key,
            )
        )
        return None if found is None else int(found)

    async def post_title(self, site: str, post: str) -> str | None:
        found = await self._read(
            lambda conn: conn.fetchval(
                "SELECT title FROM posts WHERE site = $1 AND post = $2", site, post
            )
        )
        return None if found is None else str(found)

    async def add_feedback(
        self,
        item: FeedbackInput,
        voter_key: str,
        status: str,
        spam_score: float,
        now: float,
        on_commit: OnCommit[int],
    ) -> int:
        return await self._write(
            lambda conn: writes.add_feedback(conn, item, voter_key, status, spam_score, now),
            on_commit,
        )

    async def forget_voter(
        self, voter_key: str, site: str | None, now: float, on_commit: OnCommit[Forgotten]
    ) -> Forgotten:
        async def forget(conn: asyncpg.Connection) -> Forgotten:
            done = await writes.forget_voter(conn, voter_key, site, now, day_of(now))
            if done.summaries:
                moved = [[s.site, s.post] for s in done.summaries]
                await writes.notify(conn, self._sender, posts=moved)
            return done

        return await self._write(forget, on_commit)

    # --- sites and authors -----------------------------------------------------------------

    async def load_sites(self) -> dict[str, Site]:
        return await self._read(writes.load_sites)

    async def site_exists(self, slug: str) -> bool:
        return await self._read(lambda conn: writes.site_exists(conn, slug))

    async def create_site(self, site: Site, author: str) -> Site:
        return await self._write(lambda conn: writes.create_site(conn, site, author, self._sender))

    async def update_site(self, site: Site, author: str) -> Site:
        return await self._write(lambda conn: writes.update_site(conn, site, author, self._sender))

    async def secret_key(self) -> str:
        return await self._write(writes.secret_key)

    async def keep_secret_key(self, secret: str) -> str:
        return await self._write(lambda conn: writes.secret_key(conn, secret))

    async def count_authors(self) -> int:
        return await self._read(writes.count_authors)

    async def create_author(
        self,
        username: str,
        password_hash: str,
        is_admin: bool,
        sites: Sequence[str],
        by: str | None,
    ) -> int:
        async def create(conn: asyncpg.Connection) -> int:
            author_id = await writes.create_author(conn, username, password_hash, is_admin, sites)
            if by is not None:
                detail = {"admin": is_admin, "sites": list(sites)}
                await writes.record_audit(conn, by, "create_author", username, detail)
            return author_id

        return await self._write(create)

    async def create_first_admin(self, username: str, password_hash: str) -> int | None:
        async def create(conn: asyncpg.Connection) -> int | None:
            # Two instances' setup pages at once: the lock makes one of them the first.
            await conn.execute("LOCK TABLE authors IN SHARE ROW EXCLUSIVE MODE")
            if await writes.count_authors(conn):
                return None
            author_id = await writes.create_author(conn, username, password_hash, True, ())
            detail = {"admin": True, "setup": True}
            await writes.record_audit(conn, username, "create_author", username, detail)
            return author_id

        return await self._write(create)

    async def update_author(
        self,
        author_id: int,
        is_admin: bool,
        sites: Sequence[str],
        password_hash: str | None,
        by: str,
        reopen: NewSession | None = None,
    ) -> None:
        async def update(conn: asyncpg.Connection) -> None:
            target = await writes.username_of(conn, author_id)
            ended = await sessions.set_author_access(conn, author_id, is_admin, sites)
            detail: dict[str, Any] = {
                "admin": is_admin,
                "sites": list(sites),
                "new_password": bool(password_hash),
            }
            if password_hash is not None:
                await writes.set_password(conn, author_id, password_hash)
                ended += await sessions.end_sessions(conn, author_id)
            if ended:
                detail["sessions_ended"] = ended
            await writes.record_audit(conn, by, "update_author", target, detail)
            if reopen is not None:
                await sessions.open_session(conn, reopen)

        await self._write(update)

    async def delete_author(self, author_id: int, by: str) -> str:
        async def delete(conn: asyncpg.Connection) -> str:
            name = await writes.delete_author(conn, author_id)
            await writes.record_audit(conn, by, "delete_author", name)
            return name

        return await self._write(delete)

    async def set_password(
        self, author_id: int, password_hash: str, by: str, reopen: NewSession | None = None
    ) -> int:
        async def change(conn: asyncpg.Connection) -> int:
            await writes.set_password(conn, author_id, password_hash)
            ended = await sessions.end_sessions(conn, author_id)
            await writes.record_audit(conn, by, "change_password", by)
            if reopen is not None:
                await sessions.open_session(conn, reopen)
            return ended

        return await self._write(change)

    async def author_by_id(self, author_id: int) -> Author | None:
        return await self._read(lambda conn: reads.author_by_id(conn, author_id))

    async def author_by_name(self, username: str) -> Author | None:
        return await self._read(lambda conn: reads.author_by_name(conn, username))

    async def list_authors(self) -> list[Author]:
        return await self._read(reads.list_authors)

    async def list_audit(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        return await self._read(lambda conn: reads.list_audit(conn, limit, offset))

    # --- what authors read and do -----------------------------------------------------------

    async def site_stats(self, site: str) -> SiteStats:
        return await self._read(lambda conn: reads.site_stats(conn, site))

    async def daily_trend(
        self, site: str, since_day: str, post: str | None = None
    ) -> list[DayCount]:
        return await self._read(lambda conn: reads.daily_trend(conn, site, since_day, post))

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
        return await self._read(
            lambda conn: reads.ranked_posts(
                conn,
                site,
                stats,
                sort=sort,
                descending=descending,
                query=query,
                min_votes=min_votes,
                active_since=active_since,
                limit=limit,
                offset=offset,
            )
        )

    async def post_row(self, site: str, post: str, stats: SiteStats) -> PostRow | None:
        return await self._read(lambda conn: reads.post_row(conn, site, post, stats))

    async def recent_votes(
        self, site: str, post: str, limit: int = 20
    ) -> list[tuple[int, float, float]]:
        return await self._read(lambda conn: reads.recent_votes(conn, site, post, limit))

    async def new_feedback_by_post(self, site: str, posts: Sequence[str]) -> dict[str, int]:
        return await self._read(lambda conn: reads.new_feedback_by_post(conn, site, posts))

    async def list_feedback(
        self, chosen: InboxFilter, limit: int = 50, offset: int = 0
    ) -> tuple[list[InboxItem], int]:
        return await self._read(lambda conn: reads.list_feedback(conn, chosen, limit, offset))

    async def feedback_item(self, feedback_id: int) -> InboxItem | None:
        return await self._read(lambda conn: reads.feedback_item(conn, feedback_id))

    async def unread_count(self, sites: Sequence[str]) -> int:
        return await self._read(lambda conn: reads.unread_count(conn, sites))

    async def status_counts(self, sites: Sequence[str]) -> dict[str, int]:
        return await self._read(lambda conn: reads.status_counts(conn, sites))

    async def triage_feedback(
        self,
        ids: Sequence[int],
        sites: Sequence[str],
        now: float,
        status: str | None,
        note: str | None,
        on_commit: OnCommit[int],
    ) -> int:
        return await self._write(
            lambda conn: writes.triage_feedback(conn, ids, sites, now, status, note), on_commit
        )

    async def reset_post(
        self, site: str, post: str, author: str, now: float, on_commit: OnCommit[Summary]
    ) -> Summary:
        async def reset(conn: asyncpg.Connection) -> Summary:
            summary = await writes.reset_post(conn, site, post, author, now)
            await writes.notify(conn, self._sender, posts=[[site, post]])
            return summary

        return await self._write(reset, on_commit)

    def export_votes(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]:
        return self._snapshot(
            lambda conn: reads.stream(
                conn, reads.EXPORT_VOTES, (site, since), reads.FIELDS["votes"]
            )
        )

    def export_feedback(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]:
        return self._snapshot(
            lambda conn: reads.stream(
                conn, reads.EXPORT_FEEDBACK, (site, since), reads.FIELDS["feedback"]
            )
        )

    async def _snapshot(
        self, rows: Callable[[asyncpg.Connection], AsyncIterator[dict[str, Any]]]
    ) -> AsyncIterator[dict[str, Any]]:
        """Rows from one consistent snapshot, read through a cursor while writes go on."""
        async with acquired(self._pool) as conn:
            with reachable():
                async with conn.transaction(isolation="repeatable_read", readonly=True):
                    async for row in rows(conn):
                        yield row

    # --- privacy and maintenance ------------------------------------------------------------

    async def rotate_salt(self, day: str, yesterday: str, fresh_seed: str, now: float) -> str:
        async def rotate(conn: asyncpg.Connection) -> str:
            seed = await writes.salt_seed(conn, day, fresh_seed, now)
            await writes.prune_salts(conn, day, yesterday)
            return seed

        return await self._write(rotate)

    async def prune_salts(self, today: str, yesterday: str) -> int:
        return await self._write(lambda conn: writes.prune_salts(conn, today, yesterday))

    async def purge_before(self, cutoff: float, now: float) -> Purged:
        return await self._write(lambda conn: writes.purge_before(conn, cutoff, now))

    def export_rows(self) -> AsyncIterator[dict[str, Any]]:
        return self._snapshot(maintenance.export_rows)

    async def import_rows(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        async def load(conn: asyncpg.Connection) -> dict[str, int]:
            counts = await maintenance.import_rows(conn, rows)
            await writes.notify(conn, self._sender, everything=True)
            return counts

        return await self._write(load)

    async def recompute(self) -> list[dict[str, Any]]:
        async def rebuild(conn: asyncpg.Connection) -> list[dict[str, Any]]:
            drifts = await maintenance.recompute(conn)
            if drifts:
                await writes.notify(conn, self._sender, everything=True)
            return drifts

        return await self._write(rebuild)
