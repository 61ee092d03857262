"""The hottest request answered before the router: a repeated summary read.

A page view asks for the same few posts' summaries as the view before it, so most reads find
their encoded answer in RenderedSummaries (cache.py). This middleware sends that answer
directly, skipping route matching and the Request/Response objects; metrics and nosniff still
apply (it sits inside MetricsMiddleware). Anything else — a miss, a conditional request, a
refused address — goes down the normal path, which gives the full answer or the error envelope.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from widget.api import address_of, encoded_cors
from widget.errors import RateLimited
from widget.state import Services

SUMMARY_PATH = "/api/v1/summary"


class SummaryFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != SUMMARY_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        svc: Services | None = getattr(scope["app"].state, "services", None)
        rendered = (
            None if svc is None else svc.rendered.get(scope["query_string"], svc.cache, svc.sites)
        )
        if svc is None or rendered is None:
            await self.app(scope, receive, send)
            return
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"if-none-match":
                await self.app(scope, receive, send)  # the full path answers 304s
                return
        if svc.guard.limits_reads:
            try:
                await svc.guard.admit("summary", address_of(svc, scope))
            except RateLimited:
                await self.app(scope, receive, send)  # refused again there, with the envelope
                return
        cors = encoded_cors(rendered.site, origin)
        await send(
            {"type": "http.response.start", "status": 200, "headers": [*rendered.headers, *cors]}
        )
        await send({"type": "http.response.body", "body": rendered.body})
