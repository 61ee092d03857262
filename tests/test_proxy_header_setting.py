"""WIDGET_PROXY_HEADER: only the header our proxy writes names the client; the other is the
client's own text, passed through, and must change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from tests.conftest import voter
from tests.dashboard_support import csrf_of
from tests.guard_support import client_from, guarded_settings, services_of
from widget.errors import ConfigError
from widget.guard.auth import LoginThrottle
from widget.http.dashboard.web import client_ip
from widget.settings import Settings

CAP = 50  # the shipped WIDGET_DAILY_VOTES_PER_POST


def _votes(settings: Settings, headers_for: list[dict[str, str]]) -> list[int]:
    with client_from(settings) as client:  # the peer is our trusted proxy, 10.0.0.2
        return [
            client.post(
                "/api/v1/votes",
                json={"post": "one-post", "rating": 5, "voter": voter()},
                headers=headers,
            ).status_code
            for headers in headers_for
        ]


def test_behind_a_forwarded_proxy_a_rotating_x_forwarded_for_does_not_beat_the_cap(
    tmp_path: Path,
) -> None:
    settings = guarded_settings(tmp_path, proxy_header="forwarded", vote_burst=1000)
    rotating = [
        {"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": "for=192.0.2.7"}
        for n in range(CAP + 10)
    ]
    assert _votes(settings, rotating) == [200] * CAP + [429] * 10


def test_by_default_a_client_written_forwarded_is_ignored(tmp_path: Path) -> None:
    """Our proxy writes X-Forwarded-For; a Forwarded header is whatever the client sent."""
    settings = guarded_settings(tmp_path, vote_burst=1000)
    rotating = [
        {"X-Forwarded-For": "192.0.2.7", "Forwarded": f"for=198.51.100.{n}"}
        for n in range(CAP + 10)
    ]
    assert _votes(settings, rotating) == [200] * CAP + [429] * 10
    # Forwarded alone (our proxy added nothing) counts as the proxy itself, not as the client.
    alone = [{"Forwarded": f"for=198.51.100.{n}"} for n in range(CAP + 10)]
    (tmp_path / "alone").mkdir()
    fresh = guarded_settings(tmp_path / "alone", vote_burst=1000)
    assert _votes(fresh, alone) == [200] * CAP + [429] * 10


def test_the_setting_accepts_the_two_headers_only() -> None:
    assert Settings.from_env({"WIDGET_PROXY_HEADER": "Forwarded"}).proxy_header == "Forwarded"
    with pytest.raises(ConfigError, match="WIDGET_PROXY_HEADER"):
        Settings.from_env({"WIDGET_PROXY_HEADER": "x-real-ip"})


@pytest.mark.parametrize("proxy_header", ["x-forwarded-for", "forwarded"])
@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"x-forwarded-for", b"198.51.100.1")],
        [(b"forwarded", b"for=198.51.100.2")],
        [(b"x-forwarded-for", b"198.51.100.1"), (b"forwarded", b"for=198.51.100.2")],
        [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"198.51.100.3")],
        [(b"forwarded", b'for="[2001:db8::9]:4711"'), (b"x-real-ip", b"6.6.6.6")],
    ],
)
def test_the_dashboard_and_the_api_see_the_same_address(
    tmp_path: Path, proxy_header: str, headers: list[tuple[bytes, bytes]]
) -> None:
    settings = guarded_settings(tmp_path, proxy_header=proxy_header)
    with client_from(settings) as client:
        svc = services_of(client)
        app = client.app
        scope = {
            "type": "http",
            "app": app,
            "client": ("10.0.0.2", 40000),
            "headers": headers,
            "method": "GET",
            "path": "/",
            "query_string": b"",
        }
        request = Request(scope)
        assert client_ip(request) == svc.guard.address(request.scope)


def test_the_login_throttle_keys_the_client_as_the_api_does(tmp_path: Path) -> None:
    """Behind a Forwarded proxy, rotating X-Forwarded-For does not buy more login attempts."""
    settings = guarded_settings(tmp_path, proxy_header="forwarded")
    limit = LoginThrottle().per_address
    with client_from(settings) as client:
        codes = []
        for n in range(limit + 1):
            form = client.get("/dashboard/login")
            codes.append(
                client.post(
                    "/dashboard/login",
                    data={"csrf": csrf_of(form.text), "username": f"user{n}", "password": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": "for=192.0.2.7"},
                    follow_redirects=False,
                ).status_code
            )
    assert codes == [401] * limit + [429]
