"""Running the app under an ASGI server."""

from __future__ import annotations

import logging

from widget import logs
from widget.app import create_app
from widget.settings import Settings

log = logging.getLogger("widget")


def run(settings: Settings) -> None:
    log_config = logs.configure(settings.log_format)
    if settings.demo:
        log.info("demo article at http://%s:%d/demo", settings.host, settings.port)
    import uvicorn

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=log_config,
        access_log=settings.access_log,
        proxy_headers=False,  # guard.py decides whom to believe about client addresses
        server_header=False,
        timeout_graceful_shutdown=10,
    )
