"""create_app(settings) -> the app. The lifespan owns the database, the writer and caches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from widget import api, dashboard, embed, logs, store
from widget.access_log import AccessLog
from widget.cache import SummaryCache
from widget.db import Writer, connect_reader, open_database
from widget.errors import MethodNotAllowed, NotFound, OriginNotAllowed, WidgetError
from widget.fastpath import WidgetApp
from widget.guard import parse_networks
from widget.guard.service import Guard
from widget.metrics import Metrics, MetricsMiddleware, Recorder, metrics_refusal
from widget.settings import Settings
from widget.state import Services, services
from widget.templating import make_environment

log = logging.getLogger("widget")


def error_response(error: WidgetError) -> Response:
    return api.json_response(error.envelope(), error.status, error.headers())


async def handle_widget_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WidgetError)
    if dashboard.is_dashboard_path(request.url.path):
        return await dashboard.html_error(request, exc.status, exc.message)
    response = error_response(exc)
    if request.url.path.startswith("/api/") and not isinstance(exc, OriginNotAllowed):
        response.headers.update(api.error_cors_headers(request))
    return response


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if dashboard.is_dashboard_path(request.url.path):  # authors get pages, not JSON
        message = "there is no such page" if exc.status_code == 404 else str(exc.detail)
        response = await dashboard.html_error(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response
    if exc.status_code == 404:
        return error_response(NotFound("no such page or endpoint"))
    if exc.status_code == 405:
        response = error_response(MethodNotAllowed(f"{request.method} is not allowed here"))
        if exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    error = WidgetError(str(exc.detail))
    error.status = exc.status_code
    error.code = "http_error"
    return error_response(error)


async def handle_crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(WidgetError("something went wrong on our side"))


async def healthz(request: Request) -> Response:
    return api.json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when a write transaction can be taken: the database is there and writable."""
    svc = services(request)
    try:
        await svc.write(lambda conn: conn.execute("SELECT count(*) FROM sites").fetchone())
    except WidgetError as exc:
        return api.json_response({"status": "unavailable", "reason": exc.message}, 503)
    return api.json_response({"status": "ready"})


async def metrics(request: Request) -> Response:
    svc = services(request)
    refusal = metrics_refusal(svc.settings.metrics_token, request.scope)
    if refusal is not None:
        raise refusal
    body = svc.metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


def create_app(settings: Settings, extra_routes: list[BaseRoute] | None = None) -> WidgetApp:
    metrics_registry = Metrics()
    access_log = (
        AccessLog(settings.log_format, settings.anonymize_logs) if settings.access_log else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: WidgetApp) -> AsyncIterator[dict[str, Any]]:
        conn = open_database(settings.db, settings.sync)
        secret = settings.secret_key or store.secret_key(conn)
        sites = store.load_sites(conn)
        reader = await connect_reader(settings.db)
        writer = Writer(conn, settings.writer_batch, metrics_registry.batch_size.observe)
        guard = Guard(settings, secret)
        guard.start(conn, writer.submit)  # today's address salt, before any request
        writer.start()
        app.state.services = Services(
            settings=settings,
            writer=writer,
            reader=reader,
            cache=SummaryCache(settings.cache_size),
            metrics=metrics_registry,
            secret=secret,
            trusted_proxies=parse_networks(settings.trusted_proxies),
            guard=guard,
            sites=sites,
        )
        log.info("serving database %s", settings.db)
        follower = asyncio.ensure_future(app.state.services.follow_other_writers())
        await dashboard.announce_setup(app.state.services)
        unmask = logs.anonymize_access_logs() if settings.anonymize_logs else None
        try:
            yield {}
        finally:
            if unmask is not None:
                unmask()
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            await guard.close()
            await writer.close()
            await reader.close()
            if access_log is not None:
                access_log.flush()
            log.info("writer drained, database closed")

    routes: list[BaseRoute] = [
        *api.routes,  # first: the router tries routes in order, and these are the hot ones
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
        *embed.routes(settings.demo),
        *dashboard.routes(),
        *(extra_routes or []),
    ]
    recorder = Recorder(
        metrics_registry,
        access_log,
        headers=[(b"x-content-type-options", b"nosniff")],  # on every response
    )
    app = WidgetApp(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(MetricsMiddleware, recorder=recorder),
            Middleware(dashboard.DashboardHeaders),
        ],
        exception_handlers={
            WidgetError: handle_widget_error,
            HTTPException: handle_http_exception,
            Exception: handle_crash,
        },
    )
    app.recorder = recorder  # read by WidgetApp when it builds its stack, on the first request
    app.state.templates = make_environment()
    app.state.settings = settings
    return app
