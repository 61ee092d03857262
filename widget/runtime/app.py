"""create_app(settings) -> the app. The lifespan owns the database, the writer and caches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from widget import store
from widget.actions.services import Services, services
from widget.cache import SummaryCache
from widget.errors import OriginNotAllowed, WidgetError
from widget.guard.service import Guard
from widget.http import dashboard
from widget.http.access_log import AccessLog
from widget.http.answers import json_error, to_widget_error
from widget.http.api import routes as api
from widget.http.embed import code as embed
from widget.http.fastpath import WidgetApp
from widget.http.metrics import Metrics, MetricsMiddleware, Recorder, metrics_refusal
from widget.http.templating import make_environment
from widget.runtime import logs
from widget.runtime.subscribers import count_in_metrics, keep_caches_fresh
from widget.settings import Settings

log = logging.getLogger("widget")


async def answer_error(request: Request, exc: Exception) -> Response:
    """Every error of a routed request: a page under /dashboard, the envelope elsewhere."""
    if not isinstance(exc, WidgetError | HTTPException | ClientDisconnect):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    error = to_widget_error(exc, request.method)
    extra = (exc.headers or {}) if isinstance(exc, HTTPException) else {}  # e.g. Allow on 405
    if dashboard.is_dashboard_path(request.url.path):  # authors get pages, not JSON
        response = await dashboard.html_error(request, error.status, error.message)
        response.headers.update({**error.headers(), **extra})
        return response
    status, body, headers = json_error(error)
    response = Response(body, status)
    response.raw_headers = headers
    response.headers.update({k: v for k, v in extra.items() if k == "Allow"})
    if request.url.path.startswith("/api/") and not isinstance(error, OriginNotAllowed):
        response.headers.update(api.error_cors_headers(request, error))
    return response


async def healthz(request: Request) -> Response:
    return api.json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when a write transaction can be taken: the database is there and writable."""
    svc = services(request)
    try:
        await svc.store.ready()
    except WidgetError as exc:
        return api.json_response({"status": "unavailable", "reason": exc.message}, 503)
    return api.json_response({"status": "ready"})


async def metrics(request: Request) -> Response:
    svc = services(request)
    refusal = metrics_refusal(svc.settings.metrics_token, request.scope)
    if refusal is not None:
        raise refusal
    body = request.app.state.metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


def create_app(settings: Settings, extra_routes: list[BaseRoute] | None = None) -> WidgetApp:
    metrics_registry = Metrics()
    access_log = (
        AccessLog(settings.log_format, settings.anonymize_logs) if settings.access_log else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: WidgetApp) -> AsyncIterator[dict[str, Any]]:
        data = await store.open_store(
            settings.db, settings.sync, settings.writer_batch, metrics_registry.batch_size.observe
        )
        secret = settings.secret_key or await data.secret_key()
        guard = Guard(settings, secret)
        await guard.start(data)  # today's address salt, before any request
        app.state.services = Services(
            settings=settings,
            store=data,
            cache=SummaryCache(settings.cache_size),
            secret=secret,
            guard=guard,
            sites=await data.load_sites(),
        )
        keep_caches_fresh(app.state.services)
        count_in_metrics(app.state.services, metrics_registry)
        log.info("serving database %s", store.shown(settings.db))
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
            await data.close()
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
            WidgetError: answer_error,
            HTTPException: answer_error,
            ClientDisconnect: answer_error,
            Exception: answer_error,
        },
    )
    app.recorder = recorder  # read by WidgetApp when it builds its stack, on the first request
    app.state.templates = make_environment()
    app.state.settings = settings
    app.state.metrics = metrics_registry
    return app
