"""Running an ASGI app under uvicorn or Granian, with the same settings for both.

`run(settings)` is what `python -m widget serve` calls; `serve_app` is shared with the benchmark
so its bare reference endpoint runs under exactly the same server configuration.

Both servers stop the same way on SIGINT/SIGTERM: stop accepting, let in-flight requests finish,
then run the lifespan shutdown, which drains the writer before the database is closed.

A stop used to leave some clients without any answer: Granian's worker closes its listener and
every idle keep-alive connection the moment it hears the signal, so a keep-alive client's next
request met a closed connection (8 of 8 in tests/test_shutdown_answers.py; the audit counted
28-63 of 64 fresh connections), and uvicorn does the same on its next tick. A client cannot tell
that from a failure. So on the first SIGINT/SIGTERM the app first answers every new request 503
with Retry-After and Connection: close (WidgetApp.begin_shutdown) for DRAIN_SECONDS, with the
listener still open, and only then lets the server stop: after that, connecting is refused,
which a client or balancer can tell apart and retry elsewhere.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp

from widget.runtime import logs
from widget.runtime.app import create_app
from widget.settings import Settings

log = logging.getLogger("widget")

GRACEFUL_SHUTDOWN_SECONDS = 10
# How long a stopping server keeps its listener open to answer 503s: long enough for a
# request on its way (or a keep-alive client between two requests) to get an answer, short
# enough that a restart stays quick. Well inside GRACEFUL_SHUTDOWN_SECONDS.
DRAIN_SECONDS = 1.0


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

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=log_config,
        access_log=False,  # the app writes its own, in batches: see widget/http/access_log.py
        proxy_headers=False,  # guard.py decides whom to believe about client addresses
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = _draining_uvicorn_server(config, app)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)  # what uvicorn.run exits with when the start failed


def _draining_uvicorn_server(config: Any, app: ASGIApp) -> Any:
    """uvicorn's Server, answering 503s for DRAIN_SECONDS after the first signal.

    uvicorn closes its listener and idle keep-alive connections at once, so a keep-alive
    client's next request could meet a closed connection; as under Granian, the app answers
    503 first (see _answer_before_stopping). A second signal stops at once, as uvicorn's own
    second Ctrl+C does: there is no supervisor here to repeat the first.
    """
    import uvicorn

    begin = getattr(app, "begin_shutdown", None)

    class DrainingServer(uvicorn.Server):
        draining_since: float | None = None
        signal_number: int = signal.SIGTERM

        def handle_exit(self, sig: int, frame: Any) -> None:
            if begin is None or self.draining_since is not None:
                super().handle_exit(sig, frame)
                return
            begin()  # only sets a flag: safe in a signal handler
            self.draining_since = time.monotonic()
            self.signal_number = sig

        async def on_tick(self, counter: int) -> bool:  # every 0.1 s
            since = self.draining_since
            due = since is not None and time.monotonic() - since >= DRAIN_SECONDS
            if due and not self.should_exit:
                super().handle_exit(self.signal_number, None)
            return bool(await super().on_tick(counter))

    return DrainingServer(config)


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
        log_access=False,  # the app writes its own, in batches: see widget/http/access_log.py
        # A graceful stop that hangs (a stuck client) ends after this, as under uvicorn.
        workers_kill_timeout=GRACEFUL_SHUTDOWN_SECONDS,
    )
    supervisor = os.getpid()

    def load_in_worker(_target: str) -> ASGIApp:
        # Runs in the forked worker. Granian's worker outlives a supervisor killed with SIGKILL
        # and would keep serving as an orphan; ask the kernel for SIGTERM (a graceful stop that
        # drains the writer) when the supervisor dies.
        _terminate_with_parent(supervisor)
        app = make_app()
        _answer_before_stopping(app)
        return app

    server.serve(target_loader=load_in_worker)


def _answer_before_stopping(app: ASGIApp) -> None:
    """In the Granian worker: on SIGINT/SIGTERM, answer 503s for DRAIN_SECONDS, then stop.

    Granian's worker installs its signal handlers with granian._signals.set_loop_signals, which
    it imports when the worker starts, after this loader ran; we wrap it, keep the stop event
    it returns and put our handler in front (measured with Granian 2.8; the shutdown test fails
    if a later version stops calling it). A second signal changes nothing: systemd signals the
    whole group, so the worker hears the signal from it and again from the supervisor.
    """
    begin = getattr(app, "begin_shutdown", None)
    if begin is None:  # the benchmark's bare app: Granian's own behaviour
        return
    import granian._signals as granian_signals

    granian_set_loop_signals: Callable[[Any], Any] = granian_signals.set_loop_signals

    def set_loop_signals(loop: Any) -> Any:
        stop = granian_set_loop_signals(loop)
        draining = False

        def drain_then_stop() -> None:
            nonlocal draining
            if not draining:
                draining = True
                begin()
                loop.call_later(DRAIN_SECONDS, stop.set)

        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, drain_then_stop)
        except NotImplementedError:  # a loop without signal handlers: Granian's stop as is
            pass
        return stop

    granian_signals.set_loop_signals = set_loop_signals


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
