"""Connections to PostgreSQL, and what a lost database means to a caller.

A database that is gone (stopped, restarting, unreachable, out of connections) is never a
500 or a hang: each call gives up within seconds with Unavailable and a Retry-After, and the
pool opens fresh connections by itself once PostgreSQL answers again, with no restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from widget.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger("widget.store.postgres")
CONNECT_SECONDS = 2.0  # a connection attempt that takes longer means the database is away
COMMAND_SECONDS = 10.0  # a statement that takes longer than this is not a request's
RETRY_AFTER = 2  # seconds a client is asked to wait; PostgreSQL restarts in about that
RETRIES = 3  # deadlocks and serialization failures between instances: run the write again

# Durable like SQLite's synchronous=FULL: a commit returns after its WAL reached the disk
# (the cluster's default, set again in case a server was configured otherwise).
SERVER_SETTINGS = {"synchronous_commit": "on", "application_name": "rating-widget"}

LOST = (
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,  # includes ConnectionDoesNotExistError
    asyncpg.InterfaceError,  # "connection is closed", "pool is closing"
    # A connection the server ended while it was idle in the pool, found out on its next use
    # ("cannot switch to state ...; another operation is in progress").
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    asyncpg.exceptions.ReadOnlySQLTransactionError,  # a standby after a failover
)
AGAIN = (asyncpg.exceptions.DeadlockDetectedError, asyncpg.exceptions.SerializationError)


def unavailable(exc: BaseException) -> Unavailable:
    error = Unavailable(f"the database is unreachable ({type(exc).__name__})")
    error.retry_after = RETRY_AFTER
    return error


@contextlib.contextmanager
def reachable() -> Any:
    """Turn a lost database into Unavailable; everything else passes through."""
    try:
        yield
    except LOST as exc:
        raise unavailable(exc) from exc


async def connect(url: str, name: str = "rating-widget") -> asyncpg.Connection:
    """One connection outside the pool (the listener's), named for pg_stat_activity."""
    with reachable():
        conn = await asyncpg.connect(
            url,
            timeout=CONNECT_SECONDS,
            command_timeout=COMMAND_SECONDS,
            server_settings={**SERVER_SETTINGS, "application_name": name},
        )
        return conn


async def open_pool(url: str, size: int) -> asyncpg.Pool:
    with reachable():
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=size,
            timeout=CONNECT_SECONDS,
            command_timeout=COMMAND_SECONDS,
            server_settings=SERVER_SETTINGS,
            # A connection idle this long is closed: after an outage nothing stale is kept.
            max_inactive_connection_lifetime=60.0,
            reset=_keep_session,
        )
        assert pool is not None
        return pool


@contextlib.asynccontextmanager
async def acquired(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    with reachable():
        conn = await pool.acquire(timeout=CONNECT_SECONDS)
    try:
        with reachable():
            yield conn
    finally:
        try:
            await pool.release(conn, timeout=CONNECT_SECONDS)
        except Exception:
            # Lost on the way back (the server ended it): the pool has closed it and opens
            # another when asked. What was done on it stands: a commit is not undone by this.
            log.info("a database connection was lost on its release", exc_info=True)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset between uses: none. asyncpg's own costs a round trip per use (RESET
    ALL, UNLISTEN *, ...), and our pooled connections never change their session: the
    listener has a connection of its own."""


async def in_transaction(
    pool: asyncpg.Pool, work: Callable[[asyncpg.Connection], Awaitable[T]]
) -> T:
    """work(conn) in one transaction, run again on a deadlock or serialization failure."""
    for attempt in range(RETRIES):
        try:
            async with acquired(pool) as conn, conn.transaction():
                return await work(conn)
        except AGAIN:
            if attempt == RETRIES - 1:
                raise Unavailable("the database is busy; try again") from None
    raise AssertionError("unreachable")
