"""Prometheus metrics, one registry per app so tests and several apps never collide."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget.access_log import AccessLog

KNOWN_PATHS = frozenset(
    {
        "/api/v1/summary",
        "/api/v1/votes",
        "/api/v1/feedback",
        "/api/v1/forget",
        "/api/v1/openapi.json",
        "/embed.js",
        "/embed-form.js",
        "/embed/frame",
        "/embed/frame/feedback",
        "/embed/fragment",
        "/healthz",
        "/readyz",
        "/metrics",
        "/demo",
    }
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "widget_requests",
            "HTTP requests",
            ["path", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "widget_request_seconds",
            "Time to answer a request",
            ["path"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=self.registry,
        )
        self.votes = Counter("widget_votes", "Votes recorded", ["action"], registry=self.registry)
        # Looked up once: labels() takes a lock and builds a key on every call.
        self.votes_cast = self.votes.labels("cast")
        self.votes_withdrawn = self.votes.labels("withdrawn")
        self.feedback = Counter(
            "widget_feedback", "Feedback received", ["status"], registry=self.registry
        )
        self.batch_size = Histogram(
            "widget_writer_batch_size",
            "Writes committed per transaction",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            registry=self.registry,
        )

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))


def path_label(path: str) -> str:
    if path in KNOWN_PATHS:
        return path
    if path.startswith("/dashboard"):
        return "/dashboard"
    if path.startswith("/static/"):
        return "/static"
    return "other"


class Recorder:
    """Counts, times and logs every answered request, and holds the headers every response
    carries; shared by MetricsMiddleware and the fast paths that answer before it (fastpath.py).

    The labelled series are looked up once and kept: prometheus_client's labels() takes a lock
    and builds a key on every call. The access log (access_log.py) is written here because
    this is where the status and the time are known anyway.
    """

    def __init__(
        self,
        metrics: Metrics,
        access_log: AccessLog | None = None,
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        self.metrics = metrics
        self.access_log = access_log
        self.headers = list(headers)
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[str, Any] = {}

    def observe(self, scope: Scope, status: int, elapsed: float) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        label = path_label(path)
        counter = self._counters.get((label, method, status))
        if counter is None:
            counter = self.metrics.requests.labels(label, method, str(status))
            self._counters[(label, method, status)] = counter
        counter.inc()
        timer = self._timers.get(label)
        if timer is None:
            timer = self._timers[label] = self.metrics.latency.labels(label)
        timer.observe(elapsed)
        if self.access_log is not None:
            client = scope.get("client")
            query: bytes = scope.get("query_string", b"")
            target = f"{path}?{query.decode('latin-1')}" if query else path
            version = scope.get("http_version", "1.1")
            self.access_log.record(
                client[0] if client else "-", f"{method} {target} HTTP/{version}", status, elapsed
            )


class MetricsMiddleware:
    """Records every HTTP request with the Recorder and adds its headers (nosniff) to every
    response, in one pure-ASGI layer rather than one layer each, to keep the cost small."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        extra = self.recorder.headers

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if extra:
                    message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.recorder.observe(scope, status, time.perf_counter() - started)
