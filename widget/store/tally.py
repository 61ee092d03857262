"""The vote arithmetic, written once: what a reader's vote does to a post's counts and its day's.

A post's row holds votes, total and r1..r5; a day's row (daily) holds votes and total. When one
reader goes from `old` to `new` (None: no vote) the rows move by a fixed amount, a Move. The
single path (votes.py: a vote, a withdrawal, a reader forgotten) writes one Move; the batch
(vote_batch.py) folds many into a Tally and writes each post's and each day's sum once. Both ask
this module, so they cannot drift apart. No SQL and no connection here.

What the numbers mean, kept as wave 1 defined them:
- A change or a withdrawal counts on the day it happens, not on the day of the vote it undoes:
  the days still add up to the post's counts, and the trend shows when readers acted.
- A move that changes nothing (the same rating again) leaves the day alone; a day touched by
  moves that cancel out (up, then back down) still gets its row, as writing them one by one does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

Counts = tuple[int, int, int, int, int, int, int]  # votes, total, r1..r5
PostKey = tuple[str, str]  # site, post
DayKey = tuple[PostKey, str]  # (site, post), day


@dataclass(frozen=True, slots=True)
class Move:
    post: Counts  # added to the post's votes, total, r1..r5
    day: tuple[int, int] | None  # added to the day's votes and total; None: the day is untouched
    # The non-zero entries of `post` as (index, amount), at most four: what a fold adds. Adding
    # only those took less than half the time of adding all seven in a batch of 512 votes.
    steps: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        steps = tuple((index, amount) for index, amount in enumerate(self.post) if amount)
        object.__setattr__(self, "steps", steps)


def _compute(old: int | None, new: int | None) -> Move:
    buckets = [0, 0, 0, 0, 0]
    if old is not None:
        buckets[old - 1] -= 1
    if new is not None:
        buckets[new - 1] += 1
    votes = (new is not None) - (old is not None)
    total = (new or 0) - (old or 0)
    r1, r2, r3, r4, r5 = buckets
    return Move((votes, total, r1, r2, r3, r4, r5), None if old == new else (votes, total))


RATINGS = (None, 1, 2, 3, 4, 5)
# Thirty-six possible moves, computed once: a batch of 512 votes then looks each one up.
_MOVES = {(old, new): _compute(old, new) for old in RATINGS for new in RATINGS}


def move(old: int | None, new: int | None) -> Move:
    """What one reader going from rating `old` to `new` (None: no vote) does to the counts."""
    try:
        return _MOVES[old, new]
    except KeyError:
        raise ValueError(f"a rating is 1 to 5 or None, not {old!r} -> {new!r}") from None


def day_of(timestamp: float) -> str:
    """The UTC day (YYYY-MM-DD) a move at this time counts on."""
    return _day_label(int(timestamp // 86400))


@lru_cache(maxsize=8)
def _day_label(day: int) -> str:
    # Once per day, not once per vote: strftime was a tenth of a batch's Python time.
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")


@dataclass(slots=True)
class Tally:
    """Moves folded: a sum per post, and per (post, day) that at least one move touched."""

    posts: dict[PostKey, list[int]] = field(default_factory=dict)
    days: dict[DayKey, list[int]] = field(default_factory=dict)

    def add(self, key: PostKey, at: float, change: Move) -> None:
        """Fold in one reader's move on the post `key` (site, post) made at time `at`."""
        counts = self.posts.get(key)
        if counts is None:
            self.posts[key] = list(change.post)
        else:
            for index, amount in change.steps:
                counts[index] += amount
        moved = change.day
        if moved is not None:
            day_key = (key, day_of(at))
            day = self.days.get(day_key)
            if day is None:
                self.days[day_key] = list(moved)
            else:
                day[0] += moved[0]
                day[1] += moved[1]


def fold(moves: Iterable[tuple[PostKey, float, Move]]) -> Tally:
    """Many ((site, post), time, move) folded into one Tally, in order."""
    tally = Tally()
    for key, at, change in moves:
        tally.add(key, at, change)
    return tally
