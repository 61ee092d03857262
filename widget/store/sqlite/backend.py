"""The Store on one SQLite file: a writer with group commit for writes, a read connection.

Everything SQLite-shaped stays behind this class: the connections, the writer's batches and
its short path for votes, `PRAGMA data_version` for "another process wrote", and the SQL
modules beside it. Each method is one operation of the writer or one query of the reader.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import aiosqlite

from widget.models import FeedbackInput, Site, Summary, VoteInput, VoteResult
from widget.store.base import OnCommit, Store
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
from widget.store.sqlite import (
    audit,
    authors,
    dashboard,
    embed,
    exports,
    inbox,
    maintenance,
    privacy,
    sessions,
)
from widget.store.sqlite import feedback as feedback_sql
from widget.store.sqlite import sites as sites_sql
from widget.store.sqlite import votes as votes_sql
from widget.store.sqlite.migrations import current_version, migrate
from widget.store.sqlite.vote_batch import VoteWrite
from widget.store.sqlite.writer import Writer, connect_reader, connect_sync

EXPORT_CHUNK = 1000


class SqliteStore(Store):
    def __init__(
        self, path: str, writer: Writer, reader: aiosqlite.Connection, applied: list[int]
    ) -> None:
        self._path = path
        self._applied = applied
        self._version = max([0, *applied])
        self._writer = writer
        self._reader = reader
        self._seen_version: int | None = None
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str,
        sync: str = "full",
        max_batch: int = 512,
        on_batch: Callable[[int], None] | None = None,
    ) -> SqliteStore:
        """Open (and migrate) the file; the writer starts at once."""
        conn = connect_sync(path, sync)
        applied = migrate(conn)
        version = current_version(conn)
        writer = Writer(conn, max_batch, on_batch)
        writer.start()
        store = cls(path, writer, await connect_reader(path), applied)
        store._version = version
        return store

    # --- lifecycle -------------------------------------------------------------------------

    async def close(self) -> None:
        if self._closed:
            return  # the lifespan closes on shutdown whoever closed it before
        self._closed = True
        await self._writer.close()
        await self._reader.close()

    async def ready(self) -> None:
        await self._writer.submit(lambda conn: conn.execute("SELECT 1 FROM sites").fetchone())

    async def changed_elsewhere(self) -> bool:
        # Only the writer's connection can tell: its data_version moves for every commit but
        # its own.
        version = await self._writer.submit(maintenance.data_version)
        seen, self._seen_version = self._seen_version, version
        return seen is not None and version != seen

    @property
    def schema(self) -> tuple[int, list[int]]:
        return self._version, self._applied

    @property
    def writes(self) -> int:
        return self._writer.batches

    # --- readers' votes and feedback --------------------------------------------------------

    async def cast_vote(
        self,
        vote: VoteInput,
        voter_key: str,
        now: float,
        cap: privacy.CapCheck | None,
        on_commit: OnCommit[VoteResult] = None,
    ) -> VoteResult:
        write = VoteWrite(vote, voter_key, now, cap)
        return await self._writer.submit(write, on_commit, short=True)

    async def withdraw_vote(
        self, site: str, post: str, voter_key: str, now: float, on_commit: OnCommit[VoteResult]
    ) -> VoteResult:
        operation = partial(
            votes_sql.withdraw_vote, site=site, post=post, voter_key=voter_key, now=now
        )
        return await self._writer.submit(operation, on_commit, short=True)

    async def read_summaries(self, site: str, posts: Sequence[str]) -> dict[str, Summary]:
        return await votes_sql.read_summaries(self._reader, site, list(posts))

    async def voter_rating(self, site: str, post: str, voter_key: str) -> int | None:
        return await embed.read_voter_rating(self._reader, site, post, voter_key)

    async def post_title(self, site: str, post: str) -> str | None:
        return await embed.read_post_title(self._reader, site, post)

    async def add_feedback(
        self,
        item: FeedbackInput,
        voter_key: str,
        status: str,
        spam_score: float,
        now: float,
        on_commit: OnCommit[int],
    ) -> int:
        operation = partial(
            feedback_sql.add_feedback,
            item=item,
            voter_key=voter_key,
            status=status,
            spam_score=spam_score,
            now=now,
        )
        return await self._writer.submit(operation, on_commit, short=True)

    async def forget_voter(
        self, voter_key: str, site: str | None, now: float, on_commit: OnCommit[Forgotten]
    ) -> Forgotten:
        operation = partial(privacy.forget_voter, voter_key=voter_key, site=site, now=now)
        return await self._writer.submit(operation, on_commit)

    # --- sites and authors -----------------------------------------------------------------

    async def load_sites(self) -> dict[str, Site]:
        return await self._writer.submit(sites_sql.load_sites)

    async def site_exists(self, slug: str) -> bool:
        return await self._writer.submit(partial(sites_sql.site_exists, slug=slug))

    async def create_site(self, site: Site, author: str) -> Site:
        return await self._writer.submit(partial(audit.create_site, site=site, author=author))

    async def update_site(self, site: Site, author: str) -> Site:
        return await self._writer.submit(partial(audit.update_site, site=site, author=author))

    async def secret_key(self) -> str:
        return await self._writer.submit(sites_sql.secret_key)

    async def keep_secret_key(self, secret: str) -> str:
        def keep(conn: sqlite3.Connection) -> str:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_key', ?)", (secret,)
            )
            return sites_sql.secret_key(conn)

        return await self._writer.submit(keep)

    async def count_authors(self) -> int:
        return await self._writer.submit(sites_sql.count_authors)

    async def create_author(
        self,
        username: str,
        password_hash: str,
        is_admin: bool,
        sites: Sequence[str],
        by: str | None,
    ) -> int:
        def create(conn: sqlite3.Connection) -> int:
            author_id = sites_sql.create_author(conn, username, password_hash, is_admin, sites)
            if by is not None:
                detail = {"admin": is_admin, "sites": list(sites)}
                audit.record_audit(conn, by, "create_author", username, detail)
            return author_id

        return await self._writer.submit(create)

    async def create_first_admin(self, username: str, password_hash: str) -> int | None:
        def create(conn: sqlite3.Connection) -> int | None:
            if sites_sql.count_authors(conn):
                return None
            author_id = sites_sql.create_author(conn, username, password_hash, True, ())
            detail = {"admin": True, "setup": True}
            audit.record_audit(conn, username, "create_author", username, detail)
            return author_id

        return await self._writer.submit(create)

    async def update_author(
        self,
        author_id: int,
        is_admin: bool,
        sites: Sequence[str],
        password_hash: str | None,
        by: str,
        reopen: NewSession | None = None,
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            target = authors.username_of(conn, author_id)
            ended = authors.set_author_access(conn, author_id, is_admin, tuple(sites))
            detail: dict[str, Any] = {
                "admin": is_admin,
                "sites": list(sites),
                "new_password": bool(password_hash),
            }
            if password_hash is not None:
                ended += authors.set_password(conn, author_id, password_hash)
            if ended:
                detail["sessions_ended"] = ended
            audit.record_audit(conn, by, "update_author", target, detail)
            if reopen is not None:
                sessions.open_session(conn, reopen)

        await self._writer.submit(update)

    async def delete_author(self, author_id: int, by: str) -> str:
        # Their sessions go with them (ON DELETE CASCADE).
        def delete(conn: sqlite3.Connection) -> str:
            name = authors.delete_author(conn, author_id)
            audit.record_audit(conn, by, "delete_author", name)
            return name

        return await self._writer.submit(delete)

    async def set_password(
        self,
        author_id: int,
        password_hash: str,
        by: str,
        reopen: NewSession | None = None,
    ) -> int:
        def change(conn: sqlite3.Connection) -> int:
            ended = authors.set_password(conn, author_id, password_hash)
            audit.record_audit(conn, by, "change_password", by)
            if reopen is not None:
                sessions.open_session(conn, reopen)
            return ended

        return await self._writer.submit(change)

    # --- dashboard sessions ------------------------------------------------------------------

    async def open_session(self, new: NewSession) -> None:
        await self._writer.submit(partial(sessions.open_session, new=new))

    async def session_author(self, key: str) -> tuple[SessionRecord, Author] | None:
        return await authors.session_author(self._reader, key)

    async def sessions_of(self, author_id: int) -> list[SessionRecord]:
        return await sessions.sessions_of(self._reader, author_id)

    async def touch_session(self, key: str, now: float) -> None:
        await self._writer.submit(partial(sessions.touch_session, key=key, now=now), short=True)

    async def end_session(self, key: str) -> None:
        await self._writer.submit(partial(sessions.end_session, key=key), short=True)

    async def end_sessions(self, author_id: int, by: str) -> int:
        def end(conn: sqlite3.Connection) -> int:
            ended = sessions.end_sessions(conn, author_id)
            target = authors.username_of(conn, author_id)
            audit.record_audit(conn, by, "sign_out_everywhere", target, {"sessions": ended})
            return ended

        return await self._writer.submit(end)

    async def author_by_id(self, author_id: int) -> Author | None:
        return await authors.author_by_id(self._reader, author_id)

    async def author_by_name(self, username: str) -> Author | None:
        return await authors.author_by_name(self._reader, username)

    async def list_authors(self) -> list[Author]:
        return await authors.list_authors(self._reader)

    async def list_audit(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        return await audit.list_audit(self._reader, limit=limit, offset=offset)

    # --- what authors read and do -----------------------------------------------------------

    async def site_stats(self, site: str) -> SiteStats:
        return await dashboard.site_stats(self._reader, site)

    async def daily_trend(
        self, site: str, since_day: str, post: str | None = None
    ) -> list[DayCount]:
        return await dashboard.daily_trend(self._reader, site, since_day, post)

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
        return await dashboard.ranked_posts(
            self._reader,
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

    async def post_row(self, site: str, post: str, stats: SiteStats) -> PostRow | None:
        return await dashboard.post_row(self._reader, site, post, stats)

    async def recent_votes(
        self, site: str, post: str, limit: int = 20
    ) -> list[tuple[int, float, float]]:
        return await dashboard.recent_votes(self._reader, site, post, limit)

    async def new_feedback_by_post(self, site: str, posts: Sequence[str]) -> dict[str, int]:
        return await dashboard.new_feedback_by_post(self._reader, site, posts)

    async def list_feedback(
        self, chosen: InboxFilter, limit: int = 50, offset: int = 0
    ) -> tuple[list[InboxItem], int]:
        return await inbox.list_feedback(self._reader, chosen, limit=limit, offset=offset)

    async def feedback_item(self, feedback_id: int) -> InboxItem | None:
        return await inbox.feedback_item(self._reader, feedback_id)

    async def unread_count(self, sites: Sequence[str]) -> int:
        return await inbox.unread_count(self._reader, sites)

    async def status_counts(self, sites: Sequence[str]) -> dict[str, int]:
        return await inbox.status_counts(self._reader, sites)

    async def triage_feedback(
        self,
        ids: Sequence[int],
        sites: Sequence[str],
        now: float,
        status: str | None,
        note: str | None,
        on_commit: OnCommit[int],
    ) -> int:
        operation = partial(
            inbox.triage_feedback, ids=ids, sites=sites, now=now, status=status, note=note
        )
        return await self._writer.submit(operation, on_commit)

    async def reset_post(
        self, site: str, post: str, author: str, now: float, on_commit: OnCommit[Summary]
    ) -> Summary:
        operation = partial(audit.reset_post, site=site, post=post, author=author, now=now)
        return await self._writer.submit(operation, on_commit)

    def export_votes(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]:
        return exports.export_votes(self._reader, site, since)

    def export_feedback(self, site: str, since: float) -> AsyncIterator[dict[str, Any]]:
        return exports.export_feedback(self._reader, site, since)

    # --- privacy and maintenance ------------------------------------------------------------

    async def rotate_salt(self, day: str, yesterday: str, fresh_seed: str, now: float) -> str:
        def rotate(conn: sqlite3.Connection) -> str:
            seed = privacy.salt_seed(conn, day, fresh_seed, now)
            privacy.prune_salts(conn, today=day, yesterday=yesterday)
            return seed

        return await self._writer.submit(rotate)

    async def prune_salts(self, today: str, yesterday: str) -> int:
        return await self._writer.submit(
            partial(privacy.prune_salts, today=today, yesterday=yesterday)
        )

    async def purge_before(self, cutoff: float, now: float) -> Purged:
        return await self._writer.submit(partial(privacy.purge_before, cutoff=cutoff, now=now))

    async def export_rows(self) -> AsyncIterator[dict[str, Any]]:
        # A connection of its own, in one read transaction: one consistent snapshot (WAL lets
        # writers go on meanwhile), read in chunks off the event loop.
        conn = connect_sync(self._path, "normal")
        try:
            conn.execute("BEGIN")
            rows: Iterator[dict[str, Any]] = maintenance.export_rows(conn)
            while chunk := await asyncio.to_thread(_take, rows, EXPORT_CHUNK):
                for row in chunk:
                    yield row
            conn.execute("COMMIT")
        finally:
            conn.close()

    async def import_rows(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        return await self._writer.submit(partial(maintenance.import_rows, rows=rows))

    async def recompute(self) -> list[dict[str, Any]]:
        return await self._writer.submit(maintenance.recompute)


def _take(rows: Iterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [row for _, row in zip(range(count), rows, strict=False)]
