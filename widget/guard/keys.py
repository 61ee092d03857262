"""Keyed hashes of what identifies a reader. Nothing reversible is kept.

- A voter token is stored as HMAC(secret key, token): stable, so a reader can change a vote,
  and useless to anyone without the key.
- An address is only ever used as HMAC(salt of the day, address). The salt is random, changes
  at midnight UTC and is deleted after 48 hours, after which the day's address keys cannot be
  linked to anything, not even by us. The database keeps only a random seed per day; the salt
  is derived from it with the secret key, so a copy of the database alone (a backup) does not
  let anyone test guesses of addresses while the seed still exists.
"""

from __future__ import annotations

import hashlib
import hmac

DAY = 86400


def voter_key(secret: str, token: str) -> str:
    """A keyed hash of the reader's token: stable per reader, useless without the key."""
    # hmac.digest is the one-shot C path: a third of hmac.new's cost, once per vote.
    return hmac.digest(secret.encode(), b"voter:" + token.encode(), "sha256").hex()[:32]


def day_number(now: float) -> int:
    return int(now // DAY)


def day_label(number: int) -> str:
    """The UTC date of a day number, as stored in the salts and caps tables."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(number * DAY, UTC).strftime("%Y-%m-%d")


def salt_from_seed(secret: str, seed: str) -> bytes:
    return hmac.new(secret.encode(), b"ip-salt:" + seed.encode(), hashlib.sha256).digest()


class AddressHasher:
    """HMAC of an address with the salt of one day; cheap: the keyed state is computed once."""

    __slots__ = ("_base", "day")

    def __init__(self, day: int, salt: bytes) -> None:
        self.day = day
        self._base = hmac.new(salt, digestmod=hashlib.sha256)

    def key(self, identity: str) -> bytes:
        mac = self._base.copy()
        mac.update(identity.encode())
        return mac.digest()[:16]

    def token(self, *parts: str) -> str:
        """32 URL-safe characters from the parts, stable for the day, unlinkable after it."""
        mac = self._base.copy()
        mac.update("\n".join(("token", *parts)).encode())
        return mac.hexdigest()[:32]
