"""Group commit for votes on PostgreSQL: the votes waiting go in one statement, one commit.

Like the SQLite writer, one task takes every vote waiting, sends them to rw_cast_votes
(schema.py) in a single round trip that is also its own transaction, and answers each vote
only after that commit. synchronous_commit is on, so one WAL flush serves the whole batch.
The batch goes in (site, post, voter) order: every instance then locks posts in the same
order and two instances' batches cannot deadlock. Answers and `on_commit` follow in the
order the votes arrived, after the commit, before the next batch is sent.

Why one task and not a vote per pooled connection: a transaction that sends a NOTIFY takes
a database-wide lock at its commit, so concurrent vote transactions would commit one fsync
after another anyway; batching is what lets one fsync serve many votes (bench/results.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from widget.errors import NotFound, RateLimited, Unavailable, WidgetError
from widget.models import Summary, VoteInput, VoteResult
from widget.store import CapCheck
from widget.store.postgres.connection import AGAIN, LOST, RETRIES, acquired, unavailable

log = logging.getLogger("widget.store.postgres")
CAP_MESSAGE = "this network has sent as many new votes on this post today as we accept"
GATHER_QUIET_ROUNDS = 4  # as in the SQLite writer: let the votes of the last answers arrive
NOTE_BYTES = 7000  # a NOTIFY payload must stay under 8,000 bytes
# What a connection lost while the batch was out looks like (acquired() turns a lost pool into
# Unavailable before anything is sent: those never reach the database).
LOST_MID_WRITE = (*LOST, Unavailable)
CAST_VOTES = "SELECT * FROM rw_cast_votes($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"


@dataclass(slots=True)
class PendingVote:
    vote: VoteInput
    voter_key: str
    now: float
    day: str
    cap: CapCheck | None
    future: asyncio.Future[VoteResult]
    on_commit: Callable[[VoteResult], None] | None


def notes(sender: str, posts: list[tuple[str, str]]) -> list[str]:
    """NOTIFY payloads naming the posts changed, each under PostgreSQL's size limit."""
    found: list[str] = []
    chunk: list[tuple[str, str]] = []
    size = 0
    for key in dict.fromkeys(posts):
        item = len(json.dumps(key, ensure_ascii=False).encode()) + 1
        if chunk and size + item > NOTE_BYTES:
            found.append(json.dumps({"from": sender, "posts": chunk}, ensure_ascii=False))
            chunk, size = [], 0
        chunk.append(key)
        size += item
    if chunk:
        found.append(json.dumps({"from": sender, "posts": chunk}, ensure_ascii=False))
    return found


class VoteWriter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        sender: str,
        max_batch: int,
        on_batch: Callable[[int], None] | None,
    ) -> None:
        self._pool = pool
        self._sender = sender
        self._max = max(1, max_batch)
        self._on_batch = on_batch
        self._queue: asyncio.Queue[PendingVote] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def submit(self, pending: PendingVote) -> VoteResult:
        if self._closing:
            raise Unavailable("the service is shutting down")
        self._queue.put_nowait(pending)
        return await pending.future

    async def close(self) -> None:
        self._closing = True
        await self._queue.join()  # every vote queued is answered before the pool closes
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            quiet = 0
            while quiet < GATHER_QUIET_ROUNDS and len(batch) < self._max:
                before = len(batch)
                while len(batch) < self._max and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                quiet = quiet + 1 if len(batch) == before else 0
                await asyncio.sleep(0)
            try:
                results = await self._commit(batch)
            except Exception as exc:  # the batch failed as a whole: every vote is refused
                error = exc if isinstance(exc, WidgetError) else Unavailable("the write failed")
                if not isinstance(exc, WidgetError):
                    log.exception("vote batch failed")
                results = [error] * len(batch)
            self.batches += 1
            if self._on_batch is not None:
                self._on_batch(len(batch))
            for pending, result in zip(batch, results, strict=True):
                self._answer(pending, result)
                self._queue.task_done()

    def _answer(self, pending: PendingVote, result: VoteResult | Exception) -> None:
        if isinstance(result, VoteResult) and pending.on_commit is not None:
            try:
                pending.on_commit(result)
            except Exception:
                log.exception("on_commit failed after a vote was committed")
        if pending.future.done():  # the caller went away (a cancelled request)
            return
        if isinstance(result, Exception):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)

    async def _commit(self, batch: list[PendingVote]) -> list[VoteResult | Exception]:
        order = sorted(
            range(len(batch)),
            key=lambda i: (batch[i].vote.site, batch[i].vote.post, batch[i].voter_key),
        )
        sent = [batch[i] for i in order]
        columns = _columns(sent)
        posts = [(p.vote.site, p.vote.post) for p in sent]
        columns.append(notes(self._sender, posts))
        for attempt in range(RETRIES):
            try:
                async with acquired(self._pool) as conn:
                    rows = await conn.fetch(CAST_VOTES, *columns)
                break
            except AGAIN:
                if attempt == RETRIES - 1:
                    raise Unavailable("the database is busy; try again") from None
            except LOST_MID_WRITE as exc:
                # The connection went while the batch was out: committed or not, we cannot
                # tell from here. Ask on a fresh connection; send it again once if it was not.
                found = await self._committed(sent, exc)
                if found is not None:
                    rows = found
                    break
                if attempt >= 1:
                    raise unavailable(exc) from exc
        answers: list[VoteResult | Exception] = [Unavailable("not sent")] * len(batch)
        for index, pending, row in zip(order, sent, rows, strict=True):
            answers[index] = _outcome(pending, row)
        return answers

    async def _committed(self, sent: list[PendingVote], lost: BaseException) -> list[Any] | None:
        """The rows the lost batch would have answered if it was committed; else None.

        A batch is one transaction: all of it or none. Its new and changed votes carry the
        batch's own times in updated_at, so finding one of them says it was committed; a
        batch of repeated votes changed nothing either way. The answers are then the posts'
        numbers as they are now (their seq keeps the cache in order).
        """
        try:
            async with acquired(self._pool) as conn:
                found = await conn.fetchval(
                    "SELECT count(*) FROM unnest($1::text[], $2::text[], $3::text[],"
                    " $4::integer[], $5::float8[]) AS k(site, post, voter_key, rating, at)"
                    " JOIN votes v ON v.site = k.site AND v.post = k.post"
                    " AND v.voter_key = k.voter_key AND v.rating = k.rating"
                    " AND v.updated_at = k.at",
                    *_columns(sent)[:5],
                )
                if not found:
                    return None
                # A vote of the batch without its row was refused: no site, or the cap.
                now = await conn.fetch(
                    "SELECT CASE WHEN v.rating IS NOT NULL THEN 0 WHEN s.slug IS NULL THEN 404"
                    " ELSE 429 END AS status,"
                    " p.votes, p.total, p.r1, p.r2, p.r3, p.r4, p.r5, p.seq"
                    " FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[])"
                    " WITH ORDINALITY AS k(site, post, voter_key, rating, n)"
                    " LEFT JOIN sites s ON s.slug = k.site"
                    " LEFT JOIN votes v ON v.site = k.site AND v.post = k.post"
                    " AND v.voter_key = k.voter_key AND v.rating = k.rating"
                    " LEFT JOIN posts p ON p.site = k.site AND p.post = k.post ORDER BY k.n",
                    *_columns(sent)[:4],
                )
        except LOST_MID_WRITE as exc:
            raise unavailable(exc) from exc
        log.warning("a vote batch's connection was lost after its commit; answered from the rows")
        return list(now)


def _columns(sent: list[PendingVote]) -> list[list[Any]]:
    caps = [p.cap if p.cap is not None and p.cap.cap > 0 else None for p in sent]
    return [
        [p.vote.site for p in sent],
        [p.vote.post for p in sent],
        [p.voter_key for p in sent],
        [p.vote.rating for p in sent],
        [p.now for p in sent],
        [p.vote.title for p in sent],
        [p.vote.url for p in sent],
        [p.day for p in sent],
        [c.day if c else None for c in caps],
        [c.ip_key if c else None for c in caps],
        [c.cap if c else 0 for c in caps],
    ]


def _outcome(pending: PendingVote, row: Any) -> VoteResult | Exception:
    site, post = pending.vote.site, pending.vote.post
    if row["status"] == 404:
        return NotFound(f"site {site!r} does not exist", field="site")
    if row["status"] == 429:
        assert pending.cap is not None
        return RateLimited(CAP_MESSAGE, pending.cap.retry_after)
    summary = Summary(
        site,
        post,
        row["votes"],
        row["total"],
        (row["r1"], row["r2"], row["r3"], row["r4"], row["r5"]),
        seq=row["seq"],
    )
    return VoteResult(summary, pending.vote.rating)
