"""Stopping the service loses no acknowledged vote and never leaves a request hanging."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.conftest import NO_LIMITS, LiveServer, vote_until, voter
from widget.actions.services import Services
from widget.guard import voter_key
from widget.runtime.app import create_app
from widget.settings import Settings


async def test_a_vote_after_the_writer_stopped_gets_a_503_envelope(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "s.db"), secret_key="k", access_log=False, **NO_LIMITS)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        svc: Services = app.state.services
        await svc.store.close()  # what the lifespan does once the server stops serving
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await asyncio.wait_for(
                client.post("/api/v1/votes", json={"post": "p", "rating": 5, "voter": voter()}),
                10,
            )
            ready = await asyncio.wait_for(client.get("/readyz"), 10)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert ready.status_code == 503


@pytest.mark.slow
def test_sigterm_during_a_burst_keeps_every_acknowledged_vote(live_server: LiveServer) -> None:
    live_server.extra_env["WIDGET_TRUSTED_PROXIES"] = "127.0.0.1/32"
    live_server.start()
    acked: dict[str, int] = {}
    refused: list[httpx.Response] = []

    async def burst() -> None:
        halt = asyncio.Event()

        async def stopper() -> None:
            while len(acked) < 300:
                await asyncio.sleep(0.01)
            assert live_server.process is not None
            live_server.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            halt.set()

        clients = (
            vote_until(live_server.url, "stop", i, halt, acked, refused, timeout=20)
            for i in range(30)
        )
        await asyncio.wait_for(asyncio.gather(stopper(), *clients), 120)

    asyncio.run(burst())
    assert live_server.process is not None
    # uvicorn re-raises the signal once it has shut down cleanly: "killed by SIGTERM" is the
    # normal end here; a hang would time out instead.
    assert live_server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    live_server.process = None
    # Refused during shutdown: only ever the 503 envelope.
    assert {r.status_code for r in refused} <= {503}
    assert all(r.json()["error"]["code"] == "unavailable" for r in refused)
    conn = sqlite3.connect(live_server.db)
    stored = dict(conn.execute("SELECT voter_key, rating FROM votes WHERE post = 'stop'"))
    posts = conn.execute("SELECT votes FROM posts WHERE post = 'stop'").fetchone()
    conn.close()
    assert [t for t, r in acked.items() if stored.get(voter_key("live-secret", t)) != r] == []
    assert posts == (len(stored),)
    assert live_server.log_path is not None
    assert "writer drained" in live_server.log_path.read_text()
