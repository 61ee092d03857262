"""Who is asking: one Caller per request, built the same way for every surface.

The JSON API, the votes fast path, the no-JavaScript frame and the dashboard all call
`caller_of`, so the login throttle and the API's limits key one client the same way behind a
proxy. The address is resolved through the trusted proxies by the guard and goes no further
than the guard's checks (they turn it into a salted daily key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from starlette.types import Scope


class ResolvesAddresses(Protocol):
    """The part of the Guard that turns a peer and its forwarding headers into an address."""

    def address(self, peer: str | None, forwarded_for: str | None, forwarded: str | None) -> str:
        """The client's address; the headers count only when the peer is a trusted proxy."""
        ...

    @property
    def trusts_proxies(self) -> bool:
        """Whether any proxy is trusted; without one, headers are not even looked at."""
        ...


@dataclass(frozen=True, slots=True)
class Caller:
    address: str
    user_agent: str | None = None
    origin: str | None = None


def caller_of(guard: ResolvesAddresses, scope: Scope) -> Caller:
    """The Caller of an ASGI request, from one pass over its headers."""
    client = scope.get("client")
    peer = client[0] if client else None
    user_agent = origin = None
    # Every line of each forwarding header, joined in order (RFC 9110 5.3): a proxy that adds
    # its own line instead of appending to the client's must not leave us reading only those.
    forwarded_for: list[str] = []
    forwarded: list[str] = []
    trusting = guard.trusts_proxies
    for name, value in scope["headers"]:
        if name == b"user-agent":
            user_agent = value.decode("latin-1")
        elif name == b"origin":
            origin = value.decode("latin-1")
        elif trusting and name == b"x-forwarded-for":
            forwarded_for.append(value.decode("latin-1"))
        elif trusting and name == b"forwarded":
            forwarded.append(value.decode("latin-1"))
    if trusting:
        joined_for, joined = ", ".join(forwarded_for), ", ".join(forwarded)
        address = guard.address(peer, joined_for or None, joined or None)
    else:
        address = peer or "unknown"
    return Caller(address, user_agent, origin)
