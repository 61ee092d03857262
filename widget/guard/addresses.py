"""Who is asking, and keyed hashes of what identifies them.

No raw voter token or address is stored anywhere: the database keeps HMACs only.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def voter_key(secret: str, token: str) -> str:
    """A keyed hash of the reader's token: stable per reader, useless without the key."""
    digest = hmac.new(secret.encode(), b"voter:" + token.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def parse_networks(cidrs: Sequence[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str:
    """The reader's address: X-Forwarded-For is believed only from a trusted peer.

    The chain is walked from the right (the hop nearest to us); the first address that is not
    itself a trusted proxy is the client. Anything unparsable stops the walk.
    """
    address = peer or "unknown"
    if not trusted or not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
