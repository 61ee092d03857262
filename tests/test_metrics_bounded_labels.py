"""/metrics labels come from fixed sets: made-up methods or paths do not add series.

Under Granian any method token reaches the app; each new label value was a series kept for
the life of the process (80,000 such requests took /metrics to 13.8 MB).
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS, metrics_text
from widget.http.metrics import HTTP_METHODS
from widget.runtime.app import create_app
from widget.settings import Settings


def _series(client: TestClient) -> list[str]:
    return [
        line.rsplit(" ", 1)[0]
        for line in metrics_text(client).splitlines()
        if line.startswith("widget_requests_total{")
    ]


def _labels(series: list[str], name: str) -> set[str]:
    return {m.group(1) for s in series for m in re.finditer(rf'{name}="([^"]*)"', s)}


def test_made_up_methods_are_counted_as_other(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "l.db"), secret_key="k", access_log=False, **NO_LIMITS)
    with TestClient(create_app(settings)) as client:
        client.request("BREW", "/api/v1/summary?post=a")
        before = _series(client)
        for n in range(300):
            answer = client.request(f"X{n}", "/api/v1/summary?post=a")
            assert answer.status_code == 405  # the reader still gets an answer
            client.request(f"Y{n}", f"/made/up/{n}")
            client.request("GET", f"/made/up/{n}")
        after = _series(client)
        recorder = client.app.recorder  # type: ignore[attr-defined]
        memo = len(recorder._counters)
    assert _labels(after, "method") <= HTTP_METHODS | {"other"}
    assert _labels(after, "path") <= {"/api/v1/summary", "other"}
    assert "other" in _labels(after, "method")
    # 300 new methods on a known path and 600 requests on unknown paths: one series each at most
    # (other/405 on the summary, other/404 and GET/404 on "other").
    assert len(after) <= len(before) + 2
    assert memo == len(after)  # the recorder's own lookup table stays as small


def test_standard_methods_keep_their_names(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "l.db"), secret_key="k", access_log=False, **NO_LIMITS)
    with TestClient(create_app(settings)) as client:
        client.get("/api/v1/summary?post=a")
        client.options("/api/v1/summary?post=a")
        client.delete("/api/v1/summary?post=a")
        series = _series(client)
    assert 'widget_requests_total{method="GET",path="/api/v1/summary",status="200"}' in series
    assert _labels(series, "method") == {"GET", "OPTIONS", "DELETE"}
