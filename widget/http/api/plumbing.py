"""The API's HTTP plumbing: JSON bodies and answers, CORS, the reader's address.

Shared by the Starlette routes (api.py) and the raw-ASGI hot paths (api_votes.py,
fastpath.py), so each helper takes plain values (a header, an origin, a scope) with a thin
Request wrapper where routes want one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive

from widget.actions.services import Services
from widget.errors import (
    BodyTooLarge,
    MalformedJSON,
    NotFound,
    OriginNotAllowed,
    UnsupportedMediaType,
    WidgetError,
)
from widget.models import Site, any_site_allows
from widget.numbers import declared_size

ALLOWED_HEADERS = "Content-Type"
PREFLIGHT_MAX_AGE = "86400"
# Body limits per route in bytes, each also capped by WIDGET_MAX_BODY_BYTES: a vote carries at
# most a title and a URL, a withdrawal or a forget only identifiers; feedback carries the text
# and gets the whole setting.
VOTE_BODY_BYTES = 8192
WITHDRAW_BODY_BYTES = 4096
FORGET_BODY_BYTES = 1024
JSON_TYPE = (b"content-type", b"application/json")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class EncodedResponse(Response):
    """A 200 whose headers are already bytes: a reused summary answer skips encoding them."""

    def __init__(self, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = 200
        self.body = body
        self.background = None
        self.raw_headers = raw_headers


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(dumps(payload), status, headers, media_type="application/json")


# --- request body ---------------------------------------------------------------------------


async def receive_json(
    receive: Receive, content_type: str | None, declared: str | None, limit: int
) -> dict[str, Any]:
    """The body as a JSON object; size is enforced while reading, before any parsing."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    if declared_size(declared) > limit:
        raise BodyTooLarge(f"the body is larger than {limit} bytes")
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    try:
        data = json.loads(chunks[0] if len(chunks) == 1 else b"".join(chunks))
    except (ValueError, RecursionError) as exc:
        raise MalformedJSON("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise MalformedJSON("the body must be a JSON object")
    return data


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    headers = request.headers
    return await receive_json(
        request.receive, headers.get("content-type"), headers.get("content-length"), limit
    )


def body_limit(svc: Services, route_limit: int) -> int:
    return min(route_limit, svc.settings.max_body_bytes)


# --- origins ----------------------------------------------------------------------------------


def cors_headers(site: Site, origin: str | None) -> dict[str, str]:
    if origin is None or not site.allows_origin(origin):
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def encoded(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """Header names and values as raw ASGI pairs."""
    return [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]


def encoded_cors(site: Site, origin: str | None) -> list[tuple[bytes, bytes]]:
    """cors_headers as raw ASGI header pairs, for answers whose other headers are pre-encoded."""
    return encoded(cors_headers(site, origin))


def cors_for_errors(
    sites: Iterable[Site], origin: str | None, error: WidgetError | None = None
) -> dict[str, str]:
    """Let a page read our error answers (say, how long to wait after a 429).

    Only for an origin some site allows, except a 404 (say, no such site: a typo in
    data-site), which any page may read so the widget can tell its owner in the console; it
    says nothing a page could not learn by asking. A refused write gets nothing to read.
    """
    if origin is None:
        return {}
    if not isinstance(error, NotFound) and not any_site_allows(sites, origin):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Retry-After",
        "Vary": "Origin",
    }


def error_cors_headers(request: Request, error: WidgetError | None = None) -> dict[str, str]:
    svc: Services | None = getattr(request.app.state, "services", None)
    if svc is None:
        return {}
    return cors_for_errors(svc.sites.values(), request.headers.get("origin"), error)


def refused_reader(site: Site, origin: str) -> Response:
    """A summary asked from a page the site does not allow: a 403 that page can read, so the
    widget tells the site owner in the console which origin to add (the numbers themselves
    are public: without an Origin, anyone gets them)."""
    error = OriginNotAllowed(
        f"origin {origin} is not allowed for site {site.slug!r}; add it to the site's allowed"
        " origins in the dashboard"
    )
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Cache-Control": "no-store"}
    return json_response(error.envelope(), error.status, headers)
