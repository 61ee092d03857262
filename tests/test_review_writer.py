"""Review: a batch re-run op by op after a failure counts nothing twice, caps included."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path

from widget import store
from widget.db import Writer, open_database
from widget.errors import InvalidField, RateLimited
from widget.models import VoteInput


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
