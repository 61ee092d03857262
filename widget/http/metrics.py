"""Prometheus metrics, one registry per app so tests and several apps never collide.

Every label takes its value from a small fixed set: a label value is a time series kept for the
life of the process, so one made from request input (Granian passes any method token through)
lets a client grow the process and /metrics without bound. And /metrics is for the operator
only (see metrics_refusal): it tells, among other things, how much feedback was filed as spam.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget.errors import NotFound, Unauthorized, WidgetError
from widget.http.access_log import AccessLog

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


# RFC 9110's methods and PATCH; anything else is counted as "other".
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}
)
# Headers a reverse proxy adds: with any of them a loopback peer is passing on someone else.
FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"forwarded", b"x-real-ip"})


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


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else "other"


def status_label(status: int) -> str:
    """The status code itself: the app, not the client, picks it, and HTTP bounds it."""
    return str(status) if 100 <= status <= 599 else "other"


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
        # Bounded before the lookup: this dict keeps one entry per key, like the registry.
        known = method if method in HTTP_METHODS else "other"
        counter = self._counters.get((label, known, status))
        if counter is None:
            counter = self.metrics.requests.labels(label, known, status_label(status))
            self._counters[(label, known, status)] = counter
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


# --- who may read /metrics ------------------------------------------------------------------


class BearerRequired(Unauthorized):
    """A wrong or missing metrics token: 401 with the scheme to use (RFC 6750)."""

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="metrics"'}


def metrics_refusal(token: str, scope: Mapping[str, Any]) -> WidgetError | None:
    """Why this request may not read /metrics, or None when it may.

    With WIDGET_METRICS_TOKEN set, only `Authorization: Bearer <token>` (compared in constant
    time) opens it, from anywhere, and anything else gets a 401 naming the scheme: the route is
    no secret (it is in the README), and a scraper with a stale token should say why it fails.
    Without a token, only a direct request from loopback (an agent on the same machine) may read
    it; whatever comes through a proxy or from elsewhere gets the plain 404 of an unknown page.
    """
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if token:
        given = b""
        for name, value in headers:
            if name == b"authorization":
                given = value
                break
        scheme, _, credentials = given.partition(b" ")
        expected = token.encode()
        if scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), expected):
            return None
        return BearerRequired("/metrics needs the metrics token (Authorization: Bearer)")
    client = scope.get("client")
    direct = not any(name in FORWARDING_HEADERS for name, _ in headers)
    if client and _is_loopback(client[0]) and direct:
        return None
    return NotFound("no such page or endpoint")


def _is_loopback(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a test client's name, a Unix socket: not known to be this machine
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
