"""The one fixture module: settings on a temporary database, the app, and real servers."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


# Abuse limits are off in the shared fixtures: most tests send many requests from one address
# (the test client). The limits have their own tests (tests/test_guard*.py) with real values.
NO_LIMITS = {"vote_burst": 0, "feedback_burst": 0, "summary_burst": 0, "daily_votes_per_post": 0}
NO_LIMITS_ENV = {
    "WIDGET_VOTE_BURST": "0",
    "WIDGET_FEEDBACK_BURST": "0",
    "WIDGET_SUMMARY_BURST": "0",
    "WIDGET_DAILY_VOTES_PER_POST": "0",
}


def voter() -> str:
    """A fresh reader token, as the embed would make one."""
    return secrets.token_urlsafe(18)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db=str(tmp_path / "widget.db"), secret_key="test-secret", access_log=False, **NO_LIMITS
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """`python -m widget serve` in a child process, as an operator would run it."""

    db: Path
    port: int
    extra_env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *args: str) -> LiveServer:
        env = {**os.environ, "WIDGET_ACCESS_LOG": "false", **self.extra_env}
        self.log_path = self.db.with_suffix(f".{self.port}.log")
        with self.log_path.open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "widget",
                    "serve",
                    "--db",
                    str(self.db),
                    "--port",
                    str(self.port),
                    *args,
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log_path.read_text())
            try:
                if httpx.get(self.url + "/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("server did not start:\n" + self.log_path.read_text())

    def stop(self) -> int:
        if self.process is None:
            return 0
        self.process.terminate()
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        db=tmp_path / "live.db",
        port=free_port(),
        extra_env={"WIDGET_SECRET_KEY": "live-secret", **NO_LIMITS_ENV},
    )
    try:
        yield server
    finally:
        server.stop()
