"""Votes run as one batch (store.record_votes) against the same votes one by one
(store.record_vote with the daily cap), and the writer's grouping and fallback. The arithmetic
both share is in test_vote_tally.py; the fast path over HTTP is in test_votes_fastpath.py."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from widget import store
from widget.errors import NotFound, RateLimited
from widget.models import FeedbackInput, VoteInput, VoteResult
from widget.store.sqlite import vote_batch
from widget.store.sqlite.privacy import CAP_MESSAGE
from widget.store.sqlite.writer import Writer, _Job, open_database
from widget.store.tally import day_of

BASE = 1_790_000_000.0  # a moment well inside some UTC day
DAY = 86_400.0
POSTS = ("a", "b", "c")


# --- one write, two ways ------------------------------------------------------------------------


def _write(
    post: int,
    reader: int,
    rating: int,
    title: str | None,
    url: str | None,
    address: int,
    now: float,
    cap: int | None,
    site: str = "default",
) -> vote_batch.VoteWrite:
    check = None
    if cap is not None:
        post_id = POSTS[post]
        check = store.CapCheck(site, post_id, day_of(now), f"ip{address}", cap, 60)
    vote = VoteInput(site, POSTS[post], "t" * 16, rating, title, url)
    return vote_batch.VoteWrite(vote, f"reader{reader}", now, check)


def _one_by_one(conn: sqlite3.Connection, writes: list[vote_batch.VoteWrite]) -> list[Any]:
    """As the writer ran votes before record_votes: each in its own savepoint."""
    results: list[Any] = []
    for write in writes:
        conn.execute("SAVEPOINT op")
        try:
            results.append(
                store.record_vote(conn, write.vote, write.voter_key, write.now, write.cap)
            )
        except RateLimited as refused:
            conn.execute("ROLLBACK TO op")
            results.append(refused)
        conn.execute("RELEASE op")
    return results


def _in_transaction(conn: sqlite3.Connection, run: Any, writes: list[Any]) -> list[Any]:
    conn.execute("BEGIN IMMEDIATE")
    results: list[Any] = run(conn, writes)
    conn.execute("COMMIT")
    return results


def _tables(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    queries = {
        "posts": "SELECT site, post, votes, total, r1, r2, r3, r4, r5, title, url, last_vote_at"
        " FROM posts ORDER BY site, post",
        "daily": "SELECT site, post, day, votes, total FROM daily ORDER BY site, post, day",
        "votes": "SELECT site, post, voter_key, rating, created_at, updated_at FROM votes"
        " ORDER BY site, post, voter_key",
        "vote_caps": "SELECT day, site, post, ip_key, count FROM vote_caps"
        " ORDER BY day, site, post, ip_key",
    }
    return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def _outcome(result: Any) -> Any:
    if isinstance(result, RateLimited):
        return ("refused", result.message, result.retry_after)
    assert isinstance(result, VoteResult)
    return ("stored", result.your_vote)


def _assert_same_answers(
    chunk: list[vote_batch.VoteWrite], together: list[Any], alone: list[Any]
) -> None:
    """Ratings and refusals for every vote; summaries only for the last stored vote of each
    post in the chunk: record_votes answers every vote with its post's summary after the whole
    chunk, record_vote with the summary right after that vote, and those agree only there."""
    assert [_outcome(r) for r in together] == [_outcome(r) for r in alone]
    last: dict[str, int] = {}
    for index, (write, result) in enumerate(zip(chunk, alone, strict=True)):
        if isinstance(result, VoteResult):
            last[write.vote.post] = index
    for index in last.values():
        assert together[index].summary == alone[index].summary


cast = st.tuples(
    st.integers(0, len(POSTS) - 1),  # post
    st.integers(0, 4),  # reader
    st.integers(1, 5),  # rating
    st.sampled_from([None, "Title one", "Title two"]),
    st.sampled_from([None, "https://blog.example/a", "https://blog.example/b"]),
    st.integers(0, 2),  # address
    st.integers(0, 2),  # day
    st.sampled_from([None, 0, 1, 2]),  # the daily cap, None: no check at all
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(casts=st.lists(cast, max_size=40), cuts=st.lists(st.integers(1, 12), max_size=40))
def test_a_batch_leaves_what_the_same_votes_one_by_one_leave(
    casts: list[tuple[Any, ...]], cuts: list[int]
) -> None:
    writes = [
        _write(post, reader, rating, title, url, address, BASE + day * DAY + i, cap)
        for i, (post, reader, rating, title, url, address, day, cap) in enumerate(casts)
    ]
    chunks: list[list[vote_batch.VoteWrite]] = []
    start = 0
    for size in [*cuts, len(writes)]:
        if start < len(writes):
            chunks.append(writes[start : start + size])
            start += size
    batched, single = open_database(":memory:"), open_database(":memory:")
    for chunk in chunks:
        together = _in_transaction(batched, store.record_votes, chunk)
        alone = _in_transaction(single, _one_by_one, chunk)
        _assert_same_answers(chunk, together, alone)
    assert _tables(batched) == _tables(single)
    batched.close()
    single.close()


def _both_ways(chunks: list[list[vote_batch.VoteWrite]]) -> tuple[dict[str, Any], list[Any]]:
    batched, single = open_database(":memory:"), open_database(":memory:")
    answers = []
    for chunk in chunks:
        together = _in_transaction(batched, store.record_votes, chunk)
        alone = _in_transaction(single, _one_by_one, chunk)
        _assert_same_answers(chunk, together, alone)
        answers.append(together)
    tables = _tables(batched)
    assert tables == _tables(single)
    return tables, answers


def _job(operation: Any) -> Any:
    # The writer's own job record; the future is never touched by _apply*.
    return _Job(operation, None)  # type: ignore[arg-type]


def _withdrawal(post: int, reader: int, now: float) -> Any:
    return partial(
        store.withdraw_vote, site="default", post=POSTS[post], voter_key=f"reader{reader}", now=now
    )


def _writer_answer(result: Any) -> Any:
    if isinstance(result, VoteResult) and result.your_vote is None:
        return ("withdrawn", result.summary)
    return _outcome(result)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    # A withdrawal one time in five: often enough to split groups, rarely enough to leave runs.
    ops=st.lists(st.tuples(cast, st.integers(0, 4).map(lambda n: n == 0)), max_size=40),
    cuts=st.lists(st.integers(1, 12), max_size=40),
)
def test_the_writers_groups_leave_what_its_op_by_op_run_leaves(
    ops: list[tuple[tuple[Any, ...], bool]], cuts: list[int]
) -> None:
    """Writer._apply_optimistically (votes grouped between withdrawals) against Writer._apply
    (one savepoint per op, record_vote each), batch by batch: same tables, same answers
    (ratings, refusals and withdrawals' summaries; vote summaries differ as explained above)."""
    operations: list[Any] = []
    for i, ((post, reader, rating, title, url, address, day, cap), withdraw) in enumerate(ops):
        now = BASE + day * DAY + i
        if withdraw:
            operations.append(_withdrawal(post, reader, now))
        else:
            operations.append(_write(post, reader, rating, title, url, address, now, cap))
    grouped = Writer(open_database(":memory:"))
    alone = Writer(open_database(":memory:"))
    start = 0
    for size in [*cuts, len(operations)]:
        batch = [_job(op) for op in operations[start : start + size]]
        start += size
        if not batch:
            break
        together = _in_transaction(
            grouped._conn, lambda c, b: grouped._apply_optimistically(b), batch
        )
        one_by_one = _in_transaction(alone._conn, lambda c, b: alone._apply(b), batch)
        assert [_writer_answer(r) for r in together] == [_writer_answer(r) for r in one_by_one]
    assert _tables(grouped._conn) == _tables(alone._conn)
    grouped._conn.close()
    alone._conn.close()


def test_the_same_rating_twice_in_a_batch_does_not_move_updated_at() -> None:
    """One by one, a vote that changes nothing leaves the row alone (updated_at included)."""
    first = _write(0, 1, 4, None, None, 0, BASE, None)
    again = _write(0, 1, 4, None, None, 0, BASE + 5, None)
    tables, _ = _both_ways([[first, again]])
    assert [row[4:] for row in tables["votes"]] == [(BASE, BASE)]


def test_a_change_undone_in_a_batch_keeps_the_first_change_time() -> None:
    stored = _write(0, 1, 2, None, None, 0, BASE, None)
    change = _write(0, 1, 5, None, None, 0, BASE + 5, None)
    same = _write(0, 1, 5, None, None, 0, BASE + 9, None)
    tables, _ = _both_ways([[stored], [change, same]])
    assert [row[3:] for row in tables["votes"]] == [(5, BASE, BASE + 5)]


def test_a_change_and_back_on_a_later_day_leaves_the_same_daily_rows() -> None:
    """One by one, +2 then -2 on a new day leaves a (0, 0) row for that day."""
    stored = _write(0, 1, 3, None, None, 0, BASE, None)
    up = _write(0, 1, 5, None, None, 0, BASE + DAY, None)
    down = _write(0, 1, 3, None, None, 0, BASE + DAY + 1, None)
    tables, _ = _both_ways([[stored], [up, down]])
    assert tables["daily"][-1][3:] == (0, 0)


def test_one_reader_twice_in_a_batch_counts_once_against_the_cap() -> None:
    writes = [
        _write(0, 1, 2, "First title", None, 0, BASE, 1),
        _write(0, 1, 5, None, "https://blog.example/a", 0, BASE + 1, 1),  # a change, not new
        _write(0, 2, 4, None, None, 0, BASE + 2, 1),  # a second reader, same address: refused
        _write(0, 3, 1, None, None, 1, BASE + 3, 1),  # another address: counted
    ]
    tables, [answers] = _both_ways([writes])
    assert [_outcome(a)[0] for a in answers] == ["stored", "stored", "refused", "stored"]
    assert isinstance(answers[2], RateLimited) and answers[2].retry_after == 60
    assert tables["posts"][0][2:11] == (
        2,
        6,
        1,
        0,
        0,
        0,
        1,
        "First title",
        "https://blog.example/a",
    )
    assert [row[4] for row in tables["vote_caps"]] == [1, 1]


def test_a_refused_first_vote_then_an_accepted_one_on_the_same_post() -> None:
    earlier = _write(1, 0, 3, None, None, 0, BASE, 1)
    refused = _write(1, 1, 5, "Never stored", None, 0, BASE + 1, 1)
    accepted = _write(1, 2, 4, None, None, 1, BASE + 2, 1)
    tables, [_, answers] = _both_ways([[earlier], [refused, accepted]])
    assert _outcome(answers[0]) == ("refused", CAP_MESSAGE, 60)
    assert answers[1].summary.count == 2
    assert tables["posts"][0][2:4] == (2, 7)
    assert tables["posts"][0][9] is None  # the refused vote's title left no trace
    assert [row[2] for row in tables["votes"]] == ["reader0", "reader2"]


def test_a_cap_of_zero_checks_nothing_and_counts_nothing() -> None:
    writes = [_write(0, reader, 5, None, None, 0, BASE + reader, 0) for reader in range(4)]
    tables, [answers] = _both_ways([writes])
    assert [_outcome(a) for a in answers] == [("stored", 5)] * 4
    assert tables["vote_caps"] == []


def test_a_full_writer_batch_fits_in_one_statement_each(tmp_path: Path) -> None:
    """512 votes (the writer's largest batch) with caps: no variable limit reached, no fallback."""
    writes = [
        _write(i % 3, i, 1 + i % 5, None, None, i % 7, BASE + i, 3, site="default")
        for i in range(512)
    ]
    conn = open_database(str(tmp_path / "big.db"))
    results = _in_transaction(conn, store.record_votes, writes)  # raises if it does not fit
    assert sum(isinstance(r, VoteResult) for r in results) == 3 * 7 * 3  # posts, addresses, cap
    conn.close()


# --- through the writer -------------------------------------------------------------------------


async def _one_batch(writer: Writer, operations: list[Any]) -> list[Any]:
    jobs = [writer.submit(operation, short=True) for operation in operations]
    return await asyncio.gather(*jobs, return_exceptions=True)


def _spy_on_batches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each record_votes call did: 'ok' or the error it raised (then the writer fell back)."""
    calls: list[str] = []
    real = vote_batch.record_votes

    def spy(conn: sqlite3.Connection, writes: Any) -> list[Any]:
        try:
            result = real(conn, writes)
        except Exception as exc:
            calls.append(type(exc).__name__)
            raise
        calls.append(f"ok {len(writes)}")
        return result

    monkeypatch.setattr(vote_batch, "record_votes", spy)
    return calls


def _feedback(conn: sqlite3.Connection, post: str) -> int:
    item = FeedbackInput("default", post, "t" * 16, "more examples please")
    return store.add_feedback(conn, item, "reader1", "new", 0.0, BASE)


async def test_votes_withdrawals_and_feedback_in_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spy_on_batches(monkeypatch)
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "w.db")), on_batch=sizes.append)
    writer.start()
    withdraw = partial(store.withdraw_vote, site="default", post="a", now=BASE + 3)
    results = await _one_batch(
        writer,
        [
            _write(0, 1, 2, None, None, 0, BASE, None),
            _write(0, 1, 4, None, None, 0, BASE + 1, None),  # same reader changes, same group
            _write(0, 2, 5, None, None, 0, BASE + 2, None),
            partial(withdraw, voter_key="reader1"),
            partial(_feedback, post="a"),
            _write(0, 1, 1, None, None, 0, BASE + 4, None),  # back after withdrawing
            _write(1, 3, 3, None, None, 0, BASE + 5, None),
        ],
    )
    assert sizes == [7]
    assert calls == ["ok 3", "ok 2"]  # two groups around the withdrawal and the feedback
    assert [r.your_vote for i, r in enumerate(results) if i != 4] == [2, 4, 5, None, 1, 3]
    assert results[2].summary.count == 2 and results[2].summary.total == 9
    assert results[3].summary.count == 1 and results[3].summary.total == 5
    assert isinstance(results[4], int)
    assert results[5].summary.count == 2 and results[5].summary.total == 6
    state = await writer.submit(
        lambda conn: (
            conn.execute("SELECT post, votes, total, r1, r5 FROM posts ORDER BY post").fetchall(),
            conn.execute("SELECT voter_key, rating FROM votes ORDER BY voter_key").fetchall(),
            conn.execute("SELECT count(*) FROM feedback").fetchone()[0],
        )
    )
    assert state == (
        [("a", 2, 6, 1, 1), ("b", 1, 3, 0, 0)],
        [("reader1", 1), ("reader2", 5), ("reader3", 3)],
        1,
    )
    await writer.close()


async def test_a_cap_refusal_in_a_writer_batch_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spy_on_batches(monkeypatch)
    writer = Writer(open_database(str(tmp_path / "w.db")))
    writer.start()
    await writer.submit(_write(0, 0, 3, None, None, 0, BASE, 1), short=True)
    results = await _one_batch(
        writer,
        [
            _write(0, 1, 5, None, None, 0, BASE + 1, 1),  # same address, new reader: over
            _write(0, 2, 4, None, None, 1, BASE + 2, 1),
            _write(0, 0, 1, None, None, 0, BASE + 3, 1),  # a change is never capped
        ],
    )
    assert calls == ["ok 1", "ok 3"]
    assert isinstance(results[0], RateLimited)
    assert [r.your_vote for r in results[1:]] == [4, 1]
    assert results[2].summary.count == 2 and results[2].summary.total == 5
    await writer.close()


async def test_a_batch_that_fails_as_a_whole_runs_again_vote_by_vote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vote for a site that does not exist breaks record_votes (posts' foreign key); the
    others are still stored and that one gets record_vote's own error."""
    calls = _spy_on_batches(monkeypatch)
    sizes: list[int] = []
    writer = Writer(open_database(str(tmp_path / "w.db")), on_batch=sizes.append)
    writer.start()
    results = await _one_batch(
        writer,
        [
            _write(0, 1, 4, None, None, 0, BASE, 2),
            _write(0, 1, 4, None, None, 0, BASE, 2, site="nowhere"),
            _write(1, 2, 2, None, None, 0, BASE + 1, 2),
        ],
    )
    assert sizes == [3]
    assert calls == ["IntegrityError"]
    assert isinstance(results[1], NotFound) and results[1].field == "site"
    assert [results[0].your_vote, results[2].your_vote] == [4, 2]
    state = await writer.submit(
        lambda conn: (
            conn.execute("SELECT site, post, votes, total FROM posts ORDER BY post").fetchall(),
            conn.execute("SELECT site, post, count FROM vote_caps ORDER BY post").fetchall(),
        )
    )
    assert state == (
        [("default", "a", 1, 4), ("default", "b", 1, 2)],
        [("default", "a", 1), ("default", "b", 1)],
    )
    await writer.close()
