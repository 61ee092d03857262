"""Running an ASGI app under uvicorn or Granian, with the same settings for both.

`run(settings)` is what `python -m widget serve` calls; `serve_app` is shared with the benchmark
so its bare reference endpoint runs under exactly the same server configuration.

Both servers stop the same way on SIGINT/SIGTERM: stop accepting, let in-flight requests finish,
then run the lifespan shutdown, which drains the writer before the database is closed.
"""

from __future__ import annotations

import copy
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp

from widget import logs
from widget.app import create_app
from widget.settings import Settings

log = logging.getLogger("widget")

GRACEFUL_SHUTDOWN_SECONDS = 10


def run(settings: Settings) -> None:
    log_config = logs.configure(settings.log_format)
    if settings.demo:
        log.info("demo article at http://%s:%d/demo", settings.host, settings.port)
    serve_app(lambda: create_app(settings), settings, log_config)


def serve_app(
    make_app: Callable[[], ASGIApp], settings: Settings, log_config: dict[str, Any]
) -> None:
    """Serve the app made by make_app with the server named in settings (one worker)."""

    def make_frozen_app() -> ASGIApp:
        app = make_app()
        # Everything loaded so far (modules, routes, templates: some 45,000 objects) lives as
        # long as the process; left to the collector, each full collection walked them all
        # (12 ms measured), a pause every few seconds under load. Frozen, it never does.
        gc.collect()
        gc.freeze()
        return app

    if settings.server == "granian":
        _serve_granian(make_frozen_app, settings, log_config)
    else:
        _serve_uvicorn(make_frozen_app(), settings, log_config)


def _serve_uvicorn(app: ASGIApp, settings: Settings, log_config: dict[str, Any]) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=log_config,
        access_log=False,  # the app writes its own, in batches: see widget/access_log.py
        proxy_headers=False,  # guard.py decides whom to believe about client addresses
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def _serve_granian(
    make_app: Callable[[], ASGIApp], settings: Settings, log_config: dict[str, Any]
) -> None:
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    server = Server(
        target="widget",  # only a label: the app comes from the loader below
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,  # with lifespan: the writer starts and drains as under uvicorn
        workers=1,
        loop=Loops.uvloop,
        log_level=LogLevels.info,
        log_dictconfig=_granian_log_config(log_config),
        log_access=False,  # the app writes its own, in batches: see widget/access_log.py
        # A graceful stop that hangs (a stuck client) ends after this, as under uvicorn.
        workers_kill_timeout=GRACEFUL_SHUTDOWN_SECONDS,
    )
    supervisor = os.getpid()

    def load_in_worker(_target: str) -> ASGIApp:
        # Runs in the forked worker. Granian's worker outlives a supervisor killed with SIGKILL
        # and would keep serving as an orphan; ask the kernel for SIGTERM (a graceful stop that
        # drains the writer) when the supervisor dies.
        _terminate_with_parent(supervisor)
        return make_app()

    server.serve(target_loader=load_in_worker)


def _terminate_with_parent(parent: int) -> None:
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0) != 0:
        log.warning("cannot ask to stop with the supervisor: errno %d", ctypes.get_errno())
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _granian_log_config(log_config: dict[str, Any]) -> dict[str, Any]:
    """Our handlers and format for Granian's own loggers too."""
    config = copy.deepcopy(log_config)
    ours = config["loggers"]["widget"]
    config["loggers"]["_granian"] = dict(ours)
    config["loggers"]["granian.access"] = dict(ours)
    return config
