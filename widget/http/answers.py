"""The one translation of errors into answers, for the middleware and the fast path alike.

`to_widget_error` says what any exception means to a client (a typed error keeps its status
and code; the router's 404 and 405 become ours; anything else is our bug, a 500 that says
nothing of its cause); `json_error` writes it in the API's envelope. The dashboard and the
frame render the same WidgetError as a page in the reader's or author's language.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from widget.errors import MalformedBody, MethodNotAllowed, NotFound, WidgetError

JSON_TYPE = (b"content-type", b"application/json")
CRASH_MESSAGE = "something went wrong on our side"


def to_widget_error(exc: BaseException, method: str = "GET") -> WidgetError:
    if isinstance(exc, WidgetError):
        return exc
    if isinstance(exc, ClientDisconnect):
        # The body never arrived whole: the reader has gone, or the body is broken (a chunk
        # size of "zz"); see fastpath.FastPaths._vote. Either way a 400, not a crash.
        return MalformedBody()
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return NotFound("no such page or endpoint")
        if exc.status_code == 405:
            return MethodNotAllowed(f"{method} is not allowed here")
        error = WidgetError(str(exc.detail))
        error.status, error.code = exc.status_code, "http_error"
        return error
    return WidgetError(CRASH_MESSAGE)


def json_error(error: WidgetError) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Status, body and headers (the error's own, e.g. Retry-After, included) of the envelope."""
    body = json.dumps(error.envelope(), ensure_ascii=False, separators=(",", ":")).encode()
    headers = [JSON_TYPE, (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in error.headers().items()]
    return error.status, body, headers
