"""The vote arithmetic (store/tally.py): what a vote, a change and a withdrawal do to a post's
counts and its day's, alone and folded. The same votes through the database, batched against
one by one, are in test_vote_batch_equivalence.py."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widget.store.tally import Move, Tally, day_of, fold, move

BASE = 1_790_000_000.0  # a moment well inside some UTC day
DAY = 86_400.0
ZERO = (0, 0, 0, 0, 0, 0, 0)


def test_a_new_vote_a_change_and_a_withdrawal() -> None:
    assert move(None, 4) == Move((1, 4, 0, 0, 0, 1, 0), (1, 4))
    assert move(2, 5) == Move((0, 3, 0, -1, 0, 0, 1), (0, 3))
    assert move(3, None) == Move((-1, -3, 0, 0, -1, 0, 0), (-1, -3))


def test_the_same_rating_again_moves_nothing_and_touches_no_day() -> None:
    for rating in (None, 1, 2, 3, 4, 5):
        assert move(rating, rating) == Move(ZERO, None)


def test_cast_change_withdraw_leaves_zeros_and_the_day_row() -> None:
    tally = fold(
        [
            (("blog", "p"), BASE, move(None, 2)),
            (("blog", "p"), BASE + 60, move(2, 5)),
            (("blog", "p"), BASE + 120, move(5, None)),
        ]
    )
    assert tally.posts == {("blog", "p"): list(ZERO)}
    # The day saw three moves that cancel out: it keeps its (0, 0) row, as one by one does.
    assert tally.days == {(("blog", "p"), day_of(BASE)): [0, 0]}


def test_a_change_on_a_later_day_counts_on_that_day_only() -> None:
    tally = fold([(("blog", "p"), BASE, move(None, 3)), (("blog", "p"), BASE + DAY, move(3, 5))])
    assert tally.posts[("blog", "p")] == [1, 5, 0, 0, 0, 0, 1]
    assert tally.days == {
        (("blog", "p"), day_of(BASE)): [1, 3],  # the first day keeps the vote as it was cast
        (("blog", "p"), day_of(BASE + DAY)): [0, 2],
    }


def test_a_vote_that_changes_nothing_still_names_its_post() -> None:
    """The post's row is written (title, url, last vote time) even when its counts stay."""
    tally = fold([(("blog", "p"), BASE, move(4, 4))])
    assert tally.posts == {("blog", "p"): list(ZERO)}
    assert tally.days == {}


def test_posts_and_sites_are_kept_apart() -> None:
    tally = fold(
        [
            (("blog", "p"), BASE, move(None, 5)),
            (("docs", "p"), BASE, move(None, 1)),
            (("blog", "q"), BASE, move(None, 2)),
        ]
    )
    assert tally.posts == {
        ("blog", "p"): [1, 5, 0, 0, 0, 0, 1],
        ("docs", "p"): [1, 1, 1, 0, 0, 0, 0],
        ("blog", "q"): [1, 2, 0, 1, 0, 0, 0],
    }


@pytest.mark.parametrize("old, new", [(0, 3), (3, 6), (None, 0), ("3", None), (2.5, 4)])
def test_a_rating_outside_one_to_five_is_refused(old: Any, new: Any) -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        move(old, new)


def test_a_day_is_the_utc_date() -> None:
    assert day_of(0.0) == "1970-01-01"
    assert day_of(DAY - 0.001) == "1970-01-01"
    assert day_of(DAY) == "1970-01-02"


rating = st.sampled_from([None, 1, 2, 3, 4, 5])
op = st.tuples(
    st.sampled_from(["blog", "docs"]),
    st.sampled_from(["p", "q", "r"]),
    st.integers(0, 3),  # day
    rating,  # old
    rating,  # new
)


@given(ops=st.lists(op, max_size=60))
def test_a_fold_is_the_sum_of_its_moves(ops: list[tuple[str, str, int, Any, Any]]) -> None:
    moves = [((site, post), BASE + day * DAY, move(old, new)) for site, post, day, old, new in ops]
    tally = fold(moves)
    posts: dict[tuple[str, str], list[int]] = {}
    days: dict[tuple[tuple[str, str], str], list[int]] = {}
    for key, at, one in moves:  # each move on its own, as record_vote writes it
        total = posts.setdefault(key, list(ZERO))
        total[:] = [a + b for a, b in zip(total, one.post, strict=True)]
        if one.day is not None:
            day = days.setdefault((key, day_of(at)), [0, 0])
            day[:] = [a + b for a, b in zip(day, one.day, strict=True)]
    assert tally.posts == posts
    assert tally.days == days


@given(
    actions=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["p", "q"]), st.integers(0, 2), rating),
        max_size=80,
    )
)
def test_folded_readers_match_their_final_ratings(
    actions: list[tuple[int, str, int, int | None]],
) -> None:
    """Readers voting, changing and withdrawing in any order: the post's counts are those of
    the ratings left standing, and its days add up to them."""
    standing: dict[tuple[str, int], int | None] = {}
    tally = Tally()
    for reader, post, day, new in actions:
        old = standing.get((post, reader))
        tally.add(("blog", post), BASE + day * DAY, move(old, new))
        standing[(post, reader)] = new
    for post, counts in tally.posts.items():
        ratings = [r for (p, _), r in standing.items() if p == post[1] and r is not None]
        by_star = Counter(ratings)
        assert counts == [len(ratings), sum(ratings), *(by_star[s] for s in range(1, 6))]
        days = [c for (key, _), c in tally.days.items() if key == post]
        assert [sum(d[0] for d in days), sum(d[1] for d in days)] == counts[:2]
