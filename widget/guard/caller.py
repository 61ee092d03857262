"""Who is asking: one Caller per request, built the same way for every surface.

The JSON API, the votes fast path, the no-JavaScript frame and the dashboard all call
`caller_of`, so the login throttle and the API's limits key one client the same way behind a
proxy. The address is resolved through the trusted proxies by the guard and goes no further
than the guard's checks (they turn it into a salted daily key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import Scope


class ResolvesAddresses(Protocol):
    """The part of the Guard that says who is asking (widget/guard/service.py)."""

    def address(self, scope: Mapping[str, Any]) -> str:
        """The client's address: the direct peer, or what the configured proxy header says
        when that peer is a trusted proxy."""
        ...


@dataclass(frozen=True, slots=True)
class Caller:
    address: str
    user_agent: str | None = None
    origin: str | None = None


def caller_of(guard: ResolvesAddresses, scope: Scope) -> Caller:
    """The Caller of an ASGI request."""
    user_agent = origin = None
    for name, value in scope["headers"]:
        if name == b"user-agent":
            user_agent = value.decode("latin-1")
        elif name == b"origin":
            origin = value.decode("latin-1")
    return Caller(guard.address(scope), user_agent, origin)
