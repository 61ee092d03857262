"""Rate limits: a small Limiter interface and token buckets kept in this process's memory.

The interface is what a shared implementation (PostgreSQL or another store, when several
instances run) has to provide; the in-memory one needs no extra service. Keys are the salted
address hashes from keys.py, never addresses.

Memory is bounded: when a limiter holds `max_keys` buckets it first forgets the ones that have
refilled completely (forgetting those changes nothing: a missing bucket is a full one), and only
if that is not enough the oldest ones. Each sweep frees at least half the room, so its cost is
spread over many requests and a take() stays O(1) on average.
"""

from __future__ import annotations

import math
from typing import Protocol


class Limiter(Protocol):
    def take(self, key: bytes, now: float) -> float:
        """Spend one unit for key; 0.0 when allowed, else the seconds until it would be."""
        ...


class TokenBuckets:
    """`burst` requests at once, then `per_minute` on average; burst 0 turns the limit off."""

    def __init__(self, per_minute: float, burst: int, max_keys: int = 20_000) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.max_keys = max(2, max_keys)
        # key -> (tokens left, when counted); dicts keep insertion order, so the first keys
        # are the longest-lived.
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def take(self, key: bytes, now: float) -> float:
        if self.burst <= 0:
            return 0.0
        state = self._buckets.get(key)
        if state is None:
            if len(self._buckets) >= self.max_keys:
                self._sweep(now)
            tokens = self.burst
        else:
            tokens = min(self.burst, state[0] + max(0.0, now - state[1]) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate if self.rate > 0 else math.inf

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        rate, burst = self.rate, self.burst
        self._buckets = {
            key: (tokens, at)
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * rate < burst
        }
        target = self.max_keys // 2
        if len(self._buckets) > target:
            # Everyone left is still throttled; dropping the oldest gives them a fresh bucket,
            # which is the cost of a memory bound. A flood from many addresses therefore can
            # help a throttled one only once it has pushed out max_keys/2 newer buckets.
            for key in list(self._buckets)[: len(self._buckets) - target]:
                del self._buckets[key]


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    if math.isinf(seconds):
        return 3600
    return max(1, math.ceil(seconds))
