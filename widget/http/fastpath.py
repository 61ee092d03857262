"""The hottest requests, answered before any middleware: votes and repeated summary reads.

WidgetApp puts FastPaths outside Starlette's whole middleware stack, so these requests skip
the error and exception middlewares' send wrappers, route matching and Request objects, which
on one core cost more than the work itself (see api_votes.py for figures). What those layers
would have given is done here: the Recorder's metrics, access log and nosniff header, and a
logged 500 in the error envelope if our code fails.

- POST and DELETE /api/v1/votes always end here (api_votes.VotesEndpoint answers refusals
  in the envelope itself).
- GET /api/v1/summary ends here when its encoded answer is cached (cache.RenderedSummaries);
  a miss, a conditional request or a refused address goes down the normal path, which gives the
  full answer, the 304 or the error envelope.
- Once the server is stopping (WidgetApp.begin_shutdown, from serve.py), every new request gets
  a 503 with Retry-After and Connection: close until the listener closes, so a client can tell
  "try again shortly" from a failure; requests already inside finish normally.
"""

from __future__ import annotations

import logging
import time

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from widget.actions.services import Services
from widget.errors import MalformedBody, Unavailable
from widget.http.answers import json_error, to_widget_error
from widget.http.api.plumbing import encoded_cors
from widget.http.api.votes import VotesEndpoint
from widget.http.metrics import Recorder

log = logging.getLogger("widget")
SUMMARY_PATH = "/api/v1/summary"
VOTES_PATH = "/api/v1/votes"
CLIENT_GONE = 499  # in metrics and the access log only: the body did not reach us whole
RETRY_AFTER_SECONDS = 2  # a restart takes about one; the next instance should be there by then
STOPPING = Unavailable("the service is restarting; try again in a few seconds")


class FastPaths:
    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder
        self.votes = VotesEndpoint()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["app"].shutting_down:
                await self._stopping(scope, send)
                return
            path, method = scope["path"], scope["method"]
            svc: Services | None = getattr(scope["app"].state, "services", None)
            hot_read = path == SUMMARY_PATH and method == "GET"
            if svc is not None and path == VOTES_PATH and method in ("POST", "DELETE"):
                await self._vote(svc, scope, receive, send)
                return
            if svc is not None and hot_read and await self._summary(svc, scope, send):
                return
        await self.app(scope, receive, send)

    async def _vote(self, svc: Services, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            status, body, headers = await self.votes.answer(svc, scope, receive)
        except ClientDisconnect:
            # The body never arrived whole. Granian says so with http.disconnect both when the
            # reader has gone and when the body is broken (a chunk size of "zz"), and answers a
            # bare 500 of its own when the app sends nothing; uvicorn answers a broken body
            # with its own 400 first. We cannot tell the cases apart, and an answer to a reader
            # who has gone is dropped by either server, so the envelope always goes out; the
            # metrics and the access log count 499 (the request did not reach us whole).
            status, body, headers = json_error(MalformedBody())
            await self._send(scope, send, status, headers, body, started, CLIENT_GONE)
            return
        except Exception as exc:  # a bug: logged, and the reader gets the envelope, not a bare 500
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            status, body, headers = json_error(to_widget_error(exc))
        await self._send(scope, send, status, headers, body, started)

    async def _summary(self, svc: Services, scope: Scope, send: Send) -> bool:
        """Send the cached answer; False when the normal path has to answer instead."""
        started = time.perf_counter()
        rendered = svc.rendered.get(scope["query_string"], svc.cache, svc.sites)
        if rendered is None:
            return False
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"if-none-match":
                return False  # the full path answers 304s
        if origin is not None and not rendered.site.allows_origin(origin):
            return False  # the full path answers the refusal
        if svc.guard.limits_reads:
            try:
                await svc.guard.admit("summary", svc.guard.address(scope))
            except Exception:  # a refusal, or a bug: the full path answers it
                return False  # with the envelope (and a logged 500 for a bug)
        headers = [*rendered.headers, *encoded_cors(rendered.site, origin)]
        await self._send(scope, send, 200, headers, rendered.body, started)
        return True

    async def _stopping(self, scope: Scope, send: Send) -> None:
        status, body, headers = json_error(STOPPING)
        headers += [
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            (b"connection", b"close"),  # the keep-alive connection ends with this answer
        ]
        await self._send(scope, send, status, headers, body, time.perf_counter())

    async def _send(
        self,
        scope: Scope,
        send: Send,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        started: float,
        counted: int | None = None,
    ) -> None:
        """Send the answer; the metrics and access log record `counted` if given, else it."""
        headers = [*headers, *self.recorder.headers]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.recorder.observe(scope, counted or status, time.perf_counter() - started)


class WidgetApp(Starlette):
    """Starlette with FastPaths outside its middleware stack (see the module docstring)."""

    recorder: Recorder
    shutting_down = False

    def begin_shutdown(self) -> None:
        """From now on every new request is answered 503 (see the module docstring)."""
        self.shutting_down = True

    def build_middleware_stack(self) -> ASGIApp:
        return FastPaths(super().build_middleware_stack(), self.recorder)
