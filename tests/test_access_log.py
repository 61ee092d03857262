"""The access log the app writes itself: one line per request, batched, masked, both formats."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from widget.http.access_log import FLUSH_SECONDS, AccessLog
from widget.runtime.app import create_app
from widget.settings import Settings


async def test_lines_are_batched_then_written_in_one_go() -> None:
    out = io.StringIO()
    log = AccessLog("text", anonymize=True, stream=out, clock=lambda: 1_764_000_000.25)
    log.record("198.51.100.77", "GET /api/v1/summary?post=a HTTP/1.1", 200, 0.00042)
    log.record("2001:db8:cafe:1::17", "POST /api/v1/votes HTTP/1.1", 429, 0.001)
    assert out.getvalue() == ""  # nothing yet: a write per request is what this avoids
    await asyncio.sleep(FLUSH_SECONDS + 0.2)
    lines = out.getvalue().splitlines()
    assert lines == [
        "2025-11-24 16:00:00,250 INFO widget.access: 198.51.100.0 - "
        '"GET /api/v1/summary?post=a HTTP/1.1" 200 0.42ms',
        "2025-11-24 16:00:00,250 INFO widget.access: 2001:db8:cafe:: - "
        '"POST /api/v1/votes HTTP/1.1" 429 1.00ms',
    ]


def test_json_lines_and_unmasked_addresses_when_asked() -> None:
    out = io.StringIO()
    log = AccessLog("json", anonymize=False, stream=out, clock=lambda: 1_764_000_000.5)
    log.record("198.51.100.77", "GET /healthz HTTP/1.1", 200, 0.0001)  # no loop: written now
    entry = json.loads(out.getvalue())
    assert entry == {
        "time": "2025-11-24T16:00:00.500Z",
        "level": "info",
        "logger": "widget.access",
        "message": '198.51.100.77 - "GET /healthz HTTP/1.1" 200 0.10ms',
    }


@pytest.mark.parametrize("enabled", [True, False])
def test_the_app_logs_each_request_once_and_flushes_on_shutdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], enabled: bool
) -> None:
    settings = Settings(db=str(tmp_path / "a.db"), secret_key="k", access_log=enabled)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/summary?post=first").status_code == 200
        assert client.get("/nowhere").status_code == 404
    lines = [line for line in capsys.readouterr().err.splitlines() if "widget.access" in line]
    if not enabled:
        assert lines == []
        return
    assert len(lines) == 2
    assert '"GET /api/v1/summary?post=first HTTP/1.1" 200' in lines[0]
    assert '"GET /nowhere HTTP/1.1" 404' in lines[1]
