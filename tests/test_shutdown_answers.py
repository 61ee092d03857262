"""After SIGTERM every request gets an answer: the normal one, or a 503 saying when to retry.

Requests arriving just after SIGTERM used to get no answer (under Granian the next request of
every idle keep-alive connection, and 28-63 of 64 fresh connections in the audit), so a client
could not tell "restarting" from "broken".
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS, LiveServer
from widget.runtime.app import create_app
from widget.settings import Settings

CONNECTIONS = 64
REQUEST = b"GET /api/v1/summary?post=stopping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@dataclass
class Answer:
    status: int  # 0: no answer at all (reset, or closed before a status line)
    headers: dict[str, str]
    body: bytes


async def _read_answer(reader: asyncio.StreamReader) -> Answer:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return Answer(0, {}, b"")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    try:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    except (asyncio.IncompleteReadError, ConnectionError):
        return Answer(0, headers, b"")  # a cut answer is no answer
    return Answer(int(status_line.split()[1]), headers, body)


async def _ask(connection: tuple[asyncio.StreamWriter, asyncio.StreamReader]) -> Answer:
    writer, reader = connection
    try:
        writer.write(REQUEST)
        await writer.drain()
    except ConnectionError:
        return Answer(0, {}, b"")
    return await asyncio.wait_for(_read_answer(reader), 15)


async def _connect(port: int) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
    return writer, reader


def _assert_answered(answers: list[Answer]) -> None:
    dropped = [a for a in answers if a.status == 0]
    assert dropped == [], f"{len(dropped)} of {len(answers)} got no answer"
    for answer in answers:
        assert answer.status in (200, 503), answer
        if answer.status == 503:
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.headers["connection"].lower() == "close"
            assert b'"code":"unavailable"' in answer.body


@pytest.mark.slow
@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_connections_opened_right_after_sigterm_all_get_an_answer(
    live_server: LiveServer, server: str
) -> None:
    live_server.start("--server", server)
    process = live_server.process
    assert process is not None

    async def scenario() -> tuple[list[Answer], list[Answer]]:
        # Keep-alive clients that already asked once, and will ask again after the signal.
        kept = [await _connect(live_server.port) for _ in range(8)]
        first = await asyncio.gather(*(_ask(c) for c in kept))
        assert {a.status for a in first} == {200}
        process.send_signal(signal.SIGTERM)
        fresh = await asyncio.gather(*(_connect(live_server.port) for _ in range(CONNECTIONS)))
        answers = await asyncio.gather(*(_ask(c) for c in fresh))
        again = await asyncio.gather(*(_ask(c) for c in kept))
        for writer, _ in [*fresh, *kept]:
            writer.close()
        return list(answers), list(again)

    answers, again = asyncio.run(asyncio.wait_for(scenario(), 60))
    _assert_answered(answers)
    _assert_answered(again)
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    live_server.process = None
    assert live_server.log_path is not None
    assert "writer drained" in live_server.log_path.read_text()


def test_a_stopping_app_answers_503_with_retry_after_and_close(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "s.db"), secret_key="k", access_log=False, **NO_LIMITS)
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/api/v1/summary?post=a").status_code == 200
        app.begin_shutdown()
        for method, path in [
            ("GET", "/api/v1/summary?post=a"),
            ("POST", "/api/v1/votes"),
            ("GET", "/dashboard"),
            ("GET", "/readyz"),
        ]:
            answer = client.request(method, path)
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "2"
            assert answer.headers["connection"] == "close"
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.json()["error"]["code"] == "unavailable"
