"""Helpers for the abuse and privacy tests: an app with real limits, seen from chosen addresses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from widget.actions.services import Services
from widget.runtime.app import create_app
from widget.settings import Settings

PROXY = "10.0.0.2"  # the reverse proxy the tests trust


def guarded_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The shipped defaults for every limit, a proxy we trust, and a throwaway database."""
    values: dict[str, Any] = {
        "db": str(tmp_path / "guarded.db"),
        "secret_key": "guard-test-secret",
        "access_log": False,
        "trusted_proxies": ("10.0.0.0/8",),
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def client_from(settings: Settings, peer: str = PROXY) -> Iterator[TestClient]:
    """A TestClient whose TCP peer is `peer` (the address no header can change)."""
    with TestClient(create_app(settings), client=(peer, 40000)) as client:
        yield client


def services_of(client: TestClient) -> Services:
    result: Services = client.app.state.services  # type: ignore[attr-defined]
    return result


def via_proxy(address: str, **extra: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **extra}


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
