"""Abuse control and privacy in one place: who is asking, keyed hashes, limits, spam.

- addresses: the client address through trusted proxies (X-Forwarded-For, Forwarded)
- keys: HMAC of voter tokens and salted, daily-rotating HMAC of addresses
- limits: the Limiter interface and in-memory token buckets
- spam: feedback scoring and crawler detection
- akismet: the optional Akismet check
- service: the Guard that the app keeps on its lifespan state
"""

from widget.guard.addresses import (
    IPNetwork,
    client_address,
    forwarded_hops,
    identity,
    mask_address,
    parse_networks,
)
from widget.guard.keys import voter_key

__all__ = [
    "IPNetwork",
    "client_address",
    "forwarded_hops",
    "identity",
    "mask_address",
    "parse_networks",
    "voter_key",
]
