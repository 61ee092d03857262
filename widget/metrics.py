"""Prometheus metrics, one registry per app so tests and several apps never collide."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KNOWN_PATHS = frozenset(
    {
        "/api/v1/summary",
        "/api/v1/votes",
        "/api/v1/feedback",
        "/api/v1/forget",
        "/api/v1/openapi.json",
        "/embed.js",
        "/embed/frame",
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


class MetricsMiddleware:
    """Counts and times every HTTP request; pure ASGI to keep the per-request cost small."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            label = path_label(scope["path"])
            self.metrics.requests.labels(label, scope["method"], str(status)).inc()
            self.metrics.latency.labels(label).observe(time.perf_counter() - started)
