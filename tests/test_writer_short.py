"""The writer's short path: votes run on the event loop's thread, waiting goes to the thread;
a batch that fails runs again op by op and counts nothing twice."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from functools import partial
from pathlib import Path

from widget import store
from widget.errors import InvalidField, RateLimited
from widget.models import VoteInput
from widget.store.sqlite.writer import Writer, connect_sync, open_database


def _vote(conn: sqlite3.Connection, post: str, voter_key: str, rating: int) -> None:
    store.record_vote(conn, VoteInput("default", post, "t" * 16, rating), voter_key, 1.7e9)


def _boom(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('half-done', 'x')")
    raise InvalidField("x", "refused on purpose")


async def test_a_refused_short_write_fails_alone_and_leaves_nothing(tmp_path: Path) -> None:
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "s.db")), on_batch=sizes.append)
    writer.start()
    jobs = [
        writer.submit(partial(_vote, post="p", voter_key=f"k{i}", rating=1 + i % 5), short=True)
        for i in range(50)
    ]
    failing = writer.submit(_boom, short=True)
    more = [
        writer.submit(partial(_vote, post="p", voter_key=f"m{i}", rating=5), short=True)
        for i in range(50)
    ]
    results = await asyncio.gather(*jobs, failing, *more, return_exceptions=True)
    assert isinstance(results[50], InvalidField)
    assert all(r is None for i, r in enumerate(results) if i != 50)
    assert max(sizes) > 1  # they shared commits
    count, half = await writer.submit(
        lambda conn: (
            conn.execute("SELECT votes FROM posts WHERE post = 'p'").fetchone()[0],
            conn.execute("SELECT count(*) FROM meta WHERE key = 'half-done'").fetchone()[0],
        )
    )
    assert (count, half) == (100, 0)
    await writer.close()


async def test_short_write_waits_for_another_process_lock_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "l.db")
    writer = Writer(open_database(path))
    writer.start()
    other = connect_sync(path)  # another process, e.g. the CLI importing, holds the lock
    other.execute("BEGIN IMMEDIATE")
    vote = asyncio.ensure_future(
        writer.submit(partial(_vote, post="p", voter_key="k", rating=4), short=True)
    )
    started = time.monotonic()
    ticks = 0
    while time.monotonic() - started < 0.3:  # the loop keeps running while the vote waits
        await asyncio.sleep(0.01)
        ticks += 1
    assert not vote.done()
    assert ticks >= 10
    other.execute("COMMIT")
    other.close()
    assert await asyncio.wait_for(vote, 10) is None
    count = await writer.submit(lambda conn: conn.execute("SELECT votes FROM posts").fetchone()[0])
    assert count == 1
    await writer.close()


async def test_writes_arriving_while_a_batch_gathers_join_it(tmp_path: Path) -> None:
    """Readers answered by one commit send their next votes a few loop turns apart; they share
    the next commit instead of the first of them paying a commit alone."""
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "g.db")), on_batch=sizes.append)
    writer.start()

    async def vote_after(turns: int, n: int) -> None:
        for _ in range(turns):
            await asyncio.sleep(0)
        await writer.submit(partial(_vote, post="p", voter_key=f"k{n}", rating=3), short=True)

    await asyncio.gather(*(vote_after(turns, n) for n, turns in enumerate([0, 1, 2, 3, 5])))
    assert sizes == [5]
    # After a few quiet turns the batch goes: a late write waits for the next one.
    await asyncio.gather(vote_after(0, 10), vote_after(40, 11))
    assert sizes == [5, 1, 1]
    await writer.close()


def _capped_vote(conn: sqlite3.Connection, voter_key: str, rating: int) -> object:
    cap = partial(
        store.count_new_vote,
        site="default",
        post="p",
        day="2026-11-25",
        ip_key="one-address",
        cap=3,
        retry_after=60,
    )
    return store.record_vote(
        conn, VoteInput("default", "p", "t" * 16, rating), voter_key, 1.7e9, on_new_vote=cap
    )


def _refused(conn: sqlite3.Connection) -> None:
    raise InvalidField("x", "refused on purpose")


async def test_a_rerun_batch_counts_each_vote_and_cap_once(tmp_path: Path) -> None:
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "w.db")), on_batch=sizes.append)
    writer.start()
    jobs = [
        writer.submit(partial(_capped_vote, voter_key=f"k{i}", rating=4), short=True)
        for i in range(2)
    ]
    jobs.append(writer.submit(_refused, short=True))  # makes the batch run again, op by op
    jobs += [
        writer.submit(partial(_capped_vote, voter_key=f"m{i}", rating=2), short=True)
        for i in range(3)
    ]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    assert sizes == [6]  # one batch: the refused op made it run again, op by op
    assert isinstance(results[2], InvalidField)
    assert [isinstance(r, RateLimited) for r in results[3:]] == [False, True, True]  # 3 a day
    counts = await writer.submit(
        lambda conn: (
            conn.execute("SELECT count FROM vote_caps").fetchone()[0],
            conn.execute("SELECT votes, total FROM posts").fetchone(),
            conn.execute("SELECT count(*) FROM votes").fetchone()[0],
        )
    )
    assert counts == (3, (3, 10), 3)
    await writer.close()
