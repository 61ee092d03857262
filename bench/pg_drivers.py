"""asyncpg against psycopg 3 (with psycopg_pool) on the PostgreSQL store's vote path.

    python bench/pg_drivers.py postgresql://user@host:port/db

Both drivers run the same statements the store runs: rw_cast_votes with one vote (each its own
commit, as an idle service's writer sends them), with 64 votes (a busy writer's batch), and
the summary read of a cache miss. psycopg gets its prepared statements too (prepare_threshold
0), so the difference is the drivers' own work per call. Needs `pip install "psycopg[binary]"
psycopg_pool` beside asyncpg; the store itself uses only asyncpg (the figures say why).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from widget.store import open_store

_ids = itertools.count()
ROUNDS = {"vote": 300, "batch": 40, "read": 3000}


def columns(size: int) -> list[list[Any]]:
    now = time.time()
    keys = [f"bench-{next(_ids)}" for _ in range(size)]
    return [
        ["default"] * size,
        [f"post-{n % 50}" for n in range(size)],
        keys,
        [4] * size,
        [now] * size,
        [None] * size,
        [None] * size,
        ["2026-01-01"] * size,
        [None] * size,
        [None] * size,
        [0] * size,
        [],
    ]


ASYNCPG_VOTES = "SELECT * FROM rw_cast_votes($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
PSYCOPG_VOTES = (
    "SELECT * FROM rw_cast_votes(%s::text[], %s::text[], %s::text[], %s::int[], %s::float8[],"
    " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::int[], %s::text[])"
)
ASYNCPG_READ = (
    "SELECT votes, total, r1, r2, r3, r4, r5, seq FROM posts WHERE site = $1 AND post = $2"
)
PSYCOPG_READ = ASYNCPG_READ.replace("$1", "%s").replace("$2", "%s")


async def timed(rounds: int, call: Callable[[], Awaitable[Any]]) -> float:
    for _ in range(10):
        await call()
    started = time.perf_counter()
    for _ in range(rounds):
        await call()
    return (time.perf_counter() - started) / rounds


async def with_asyncpg(url: str) -> dict[str, float]:
    async def keep_session(conn: asyncpg.Connection) -> None:
        """As the store's pool: no RESET ALL round trip on every release."""

    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, reset=keep_session)
    assert pool is not None

    async def votes(size: int) -> None:
        async with pool.acquire() as conn:
            await conn.fetch(ASYNCPG_VOTES, *columns(size))

    async def read() -> None:
        async with pool.acquire() as conn:
            await conn.fetchrow(ASYNCPG_READ, "default", "post-7")

    found = {
        "vote": await timed(ROUNDS["vote"], lambda: votes(1)),
        "batch": await timed(ROUNDS["batch"], lambda: votes(64)),
        "read": await timed(ROUNDS["read"], read),
    }
    await pool.close()
    return found


async def with_psycopg(url: str) -> dict[str, float]:
    from psycopg_pool import AsyncConnectionPool

    async def configure(conn: Any) -> None:
        conn.prepare_threshold = 0
        await conn.set_autocommit(True)

    pool = AsyncConnectionPool(url, min_size=1, max_size=2, configure=configure, open=False)
    await pool.open()

    async def votes(size: int) -> None:
        async with pool.connection() as conn:
            await (await conn.execute(PSYCOPG_VOTES, columns(size))).fetchall()

    async def read() -> None:
        async with pool.connection() as conn:
            await (await conn.execute(PSYCOPG_READ, ("default", "post-7"))).fetchone()

    found = {
        "vote": await timed(ROUNDS["vote"], lambda: votes(1)),
        "batch": await timed(ROUNDS["batch"], lambda: votes(64)),
        "read": await timed(ROUNDS["read"], read),
    }
    await pool.close()
    return found


async def main(url: str) -> None:
    await (await open_store(url)).close()  # migrated: rw_cast_votes exists
    # Alternated three times, the best of each kept: the machine is shared.
    results: dict[str, dict[str, float]] = {}
    for _ in range(3):
        for name, run in (("asyncpg", with_asyncpg), ("psycopg 3", with_psycopg)):
            found = await run(url)
            best = results.setdefault(name, found)
            for key, seconds in found.items():
                best[key] = min(best[key], seconds)
    print("| driver | one vote per commit | 64 votes per commit | summary read (miss) |")
    print("| --- | ---: | ---: | ---: |")
    for name, found in results.items():
        print(
            f"| {name} | {1 / found['vote']:,.0f} votes/s | {64 / found['batch']:,.0f} votes/s"
            f" | {found['read'] * 1e6:,.0f} µs |"
        )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
