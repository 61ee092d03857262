"""Opening SQLite connections, and the single writer with group commit.

Every write goes through one Writer: requests queue an operation and await its future; the
writer takes everything waiting, runs it in one BEGIN IMMEDIATE transaction with a SAVEPOINT per
operation (so a bad one fails alone), commits once, and only then answers. One fsync thus serves
a whole batch of votes without weakening durability.

Short operations (votes, feedback) run on the event loop's thread and only the waiting (the
commit's fsync, a lock held by another process) goes to the writer's thread; other batches run
wholly on that thread, crossing to it once instead of once per statement as with an async
driver. Reads use aiosqlite on separate connections.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Generic, TypeVar

import aiosqlite

from widget.errors import Unavailable, WidgetError
from widget.store.sqlite.migrations import migrate

log = logging.getLogger("widget.db")

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000
# Before a batch starts, the writer lets the event loop turn while writes keep arriving, and
# stops after this many turns without a new one. Readers answered by the previous commit send
# their next votes within a few turns; without waiting, one or two of them started a batch of
# their own and paid a whole commit (measured: mean batch 16 at 32 connections, 32 with the
# wait, and 20-25% more votes per second). An idle service loses a few microseconds.
GATHER_QUIET_ROUNDS = 4
Operation = Callable[[sqlite3.Connection], T]


# Pages the WAL may hold before a commit copies them back into the database (SQLite's default
# is 1,000). A vote batch rewrites the same hot pages (posts, daily, index tails) every time;
# copying them back a tenth as often cut a vote's system time by a third when measured.
WAL_CHECKPOINT_PAGES = 10_000


def _pragmas(sync: str) -> list[str]:
    return [
        "PRAGMA journal_mode = WAL",
        f"PRAGMA synchronous = {'FULL' if sync == 'full' else 'NORMAL'}",
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        # The writer's savepoints keep a statement journal; in a temporary file that cost an
        # open, an unlink and a write of every changed page per batch (a fifth of a vote).
        "PRAGMA temp_store = MEMORY",
        f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}",
    ]


def connect_sync(path: str, sync: str = "full") -> sqlite3.Connection:
    """A plain connection in autocommit mode; transactions are always explicit."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in _pragmas(sync):
        conn.execute(pragma)
    return conn


async def connect_reader(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in _pragmas("normal"):
        await conn.execute(pragma)
    await conn.execute("PRAGMA query_only = ON")
    return conn


def open_database(path: str, sync: str = "full") -> sqlite3.Connection:
    conn = connect_sync(path, sync)
    migrate(conn)
    return conn


def _run_together(job: _Job[Any]) -> Callable[[sqlite3.Connection, list[Any]], list[Any]] | None:
    """An operation's way to run many of its kind in one call, if it has one: neighbouring
    operations of that kind in a batch then run as one (store/vote_batch.py: the votes). It
    returns a result or an error per operation; if it raises, the batch runs again op by op."""
    return getattr(job.operation, "run_together", None)


@dataclass
class _Job(Generic[T]):
    operation: Operation[T]
    future: asyncio.Future[T]
    after_commit: Callable[[T], None] | None = None
    short: bool = False


class Writer:
    """Owns the one write connection; see the module docstring."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        max_batch: int = 512,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._conn = conn
        self._max_batch = max_batch
        self._on_batch = on_batch
        self._queue: asyncio.Queue[_Job[Any] | None] = asyncio.Queue()
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="writer")
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Batches run so far: a cheap "has anything been written since?" for read caches.
        self.batches = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="writer")

    async def submit(
        self,
        operation: Operation[T],
        after_commit: Callable[[T], None] | None = None,
        *,
        short: bool = False,
    ) -> T:
        """Run operation(conn) in the next batch; return its result once committed.

        short: the operation touches a handful of rows (a vote, a feedback item) and may run
        on the event loop's thread; see _run_short. Anything that may scan a table is not short.
        """
        if self._closing:
            raise Unavailable("the service is shutting down")
        if self._task is not None and self._task.done():
            raise Unavailable("the database writer has stopped")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(operation, future, after_commit, short))
        return await future

    async def close(self) -> None:
        """Finish every queued write, then stop; called by the lifespan on shutdown."""
        self._closing = True
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
        self._thread.shutdown(wait=True)
        self._conn.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stop = False
        while not stop:
            first = await self._queue.get()
            if first is None:
                break
            batch: list[_Job[Any]] = [first]
            stop = self._take_waiting(batch)
            quiet = 0
            while not stop and len(batch) < self._max_batch and quiet < GATHER_QUIET_ROUNDS:
                await asyncio.sleep(0)  # one turn of the loop: requests that arrived get queued
                before = len(batch)
                stop = self._take_waiting(batch)
                quiet = 0 if len(batch) > before else quiet + 1
            try:
                if all(job.short for job in batch):
                    results = await self._run_short(batch)
                else:
                    results = await loop.run_in_executor(self._thread, self._run_batch, batch)
            except Exception as exc:  # the commit itself failed: nobody's write happened
                log.exception("write batch of %d failed", len(batch))
                results = [Unavailable(f"the database refused the write: {exc}")] * len(batch)
            self.batches += 1
            if self._on_batch is not None:
                self._on_batch(len(batch))
            for job, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    if not job.future.done():
                        job.future.set_exception(result)
                    continue
                if job.after_commit is not None:
                    try:
                        job.after_commit(result)
                    except Exception:  # a cache hook must never stop the writer
                        log.exception("after-commit hook failed")
                if not job.future.done():
                    job.future.set_result(result)

    def _take_waiting(self, batch: list[_Job[Any]]) -> bool:
        """Move queued jobs into batch (up to the limit); True when the stop mark was seen."""
        while len(batch) < self._max_batch and not self._queue.empty():
            job = self._queue.get_nowait()
            if job is None:
                return True
            batch.append(job)
        return False

    async def _run_short(self, batch: list[_Job[Any]]) -> list[Any]:
        """A batch of short operations, run on the event loop's thread; only waiting goes out.

        On the writer thread every statement gives up the GIL and must win it back from the
        busy event loop, which can take up to the 5 ms switch interval each time: a batch of
        votes then spent far longer waiting for the GIL than running SQL. Here the statements
        run without any hand-over, and only what waits (a lock held by another process, the
        commit's fsync) goes to the writer thread, where waiting costs the loop nothing.
        """
        conn = self._conn
        loop = asyncio.get_running_loop()
        if not self._try_begin():
            await loop.run_in_executor(self._thread, conn.execute, "BEGIN IMMEDIATE")
        try:
            results = self._apply_optimistically(batch)
            await loop.run_in_executor(self._thread, conn.execute, "COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _try_begin(self) -> bool:
        """BEGIN IMMEDIATE without waiting: False when another connection holds the lock."""
        conn = self._conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _apply_optimistically(self, batch: list[_Job[Any]]) -> list[Any]:
        """All operations under one savepoint; only if one fails, again one savepoint each.

        Two statements per batch instead of two per operation; a refused vote is rare, and
        re-running is safe because an operation is SQL on the connection and nothing else.
        """
        conn = self._conn
        conn.execute("SAVEPOINT batch")
        try:
            results: list[Any] = []
            for run_together, group in groupby(batch, _run_together):
                jobs = list(group)
                if run_together is None:
                    results.extend(job.operation(conn) for job in jobs)
                else:
                    results.extend(run_together(conn, [job.operation for job in jobs]))
        except Exception:
            conn.execute("ROLLBACK TO batch")
            results = self._apply(batch)
        conn.execute("RELEASE batch")
        return results

    def _run_batch(self, batch: list[_Job[Any]]) -> list[Any]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            results = self._apply(batch)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _apply(self, batch: list[_Job[Any]]) -> list[Any]:
        """Each operation in its own savepoint, so a bad one fails alone."""
        conn = self._conn
        results: list[Any] = []
        for job in batch:
            conn.execute("SAVEPOINT op")
            try:
                results.append(job.operation(conn))
            except (WidgetError, sqlite3.IntegrityError, ValueError) as exc:
                conn.execute("ROLLBACK TO op")
                results.append(exc)
            except Exception as exc:
                conn.execute("ROLLBACK TO op")
                log.exception("write operation failed")
                results.append(Unavailable(f"the write failed: {type(exc).__name__}"))
            conn.execute("RELEASE op")
        return results
