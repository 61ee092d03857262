"""Who may read /metrics: the operator's agent on loopback, or whoever holds the metrics token.

The page tells, among other things, how much feedback was filed as spam; the public must not
read it, through a proxy on the same machine neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import NO_LIMITS, LiveServer
from tests.guard_support import client_from
from widget.settings import Settings

TOKEN = "s3cret-metrics-token"


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        db=str(tmp_path / "m.db"), secret_key="k", access_log=False, **NO_LIMITS, **overrides
    )


def _assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "no such page or endpoint"}
    }


@pytest.mark.parametrize("peer", ["203.0.113.9", "10.0.0.2", "2001:db8::1", "testclient"])
def test_without_a_token_other_peers_get_the_plain_404(tmp_path: Path, peer: str) -> None:
    with client_from(_settings(tmp_path), peer=peer) as client:
        refused = client.get("/metrics")
        _assert_not_found(refused)
        assert refused.content == client.get("/no-such-page").content  # nothing to tell apart


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9"},
        {"X-Real-IP": "203.0.113.9"},
        {"x-forwarded-for": "127.0.0.1"},  # a proxy passing on a loopback client is a proxy
    ],
)
def test_without_a_token_loopback_through_a_proxy_gets_404(
    tmp_path: Path, header: dict[str, str]
) -> None:
    with client_from(_settings(tmp_path), peer="127.0.0.1") as client:
        _assert_not_found(client.get("/metrics", headers=header))


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_a_direct_loopback_request_reads_the_metrics(
    tmp_path: Path, peer: str
) -> None:
    with client_from(_settings(tmp_path), peer=peer) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "widget_requests_total" in response.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "],
)
@pytest.mark.parametrize("peer", ["127.0.0.1", "203.0.113.9"])
def test_with_a_token_anything_but_the_token_gets_401(
    tmp_path: Path, authorization: str | None, peer: str
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with client_from(_settings(tmp_path, metrics_token=TOKEN), peer=peer) as client:
        response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"
    assert "widget_" not in response.text


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_with_the_token_the_metrics_are_served_from_anywhere(tmp_path: Path, scheme: str) -> None:
    with client_from(_settings(tmp_path, metrics_token=TOKEN), peer="203.0.113.9") as client:
        sent = client.post("/api/v1/feedback", json={"post": "p", "voter": "v" * 20, "text": "ok"})
        assert sent.status_code == 201
        response = client.get(
            "/metrics",
            headers={"Authorization": f"{scheme} {TOKEN}", "X-Forwarded-For": "198.51.100.1"},
        )
    assert response.status_code == 200
    assert "widget_feedback_total" in response.text


@pytest.mark.slow
def test_a_live_server_serves_its_own_machine_only(live_server: LiveServer) -> None:
    live_server.start()
    direct = httpx.get(live_server.url + "/metrics")
    proxied = httpx.get(live_server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert direct.status_code == 200
    assert "widget_requests_total" in direct.text
    _assert_not_found(proxied)
