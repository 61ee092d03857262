"""The one fixture module: settings on a temporary database, the app, and real servers."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests import pg_support
from tests.dashboard_support import World, login, running, seed_world
from widget.runtime.app import create_app
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


# --- the backends: SQLite by default; modules marked `backends` run on PostgreSQL too --------

BACKENDS = ("sqlite", "postgres")
_databases = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `backends` (a module's pytestmark, or one test) run once per backend;
    a test of such a module that reads the SQLite file itself is marked `sqlite_only`."""
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("backends") is None:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg_support.Postgres]:
    """One throwaway PostgreSQL for the session (tests/pg_support.py), removed afterwards."""
    if not pg_support.available():
        pytest.skip(f"PostgreSQL's binaries are not in {pg_support.PG_BIN} (make system-packages)")
    server = pg_support.Postgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> str:
    """The `--db` of a test: a fresh SQLite file, or a fresh database on the session's server."""
    if backend == "sqlite":
        return str(tmp_path / "widget.db")
    server: pg_support.Postgres = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{next(_databases)}")


@pytest.fixture
def settings(database: str) -> Settings:
    return Settings(db=database, secret_key="test-secret", access_log=False, **NO_LIMITS)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# --- dashboard tests: two sites, their authors, and a logged-in author or admin -------------


@pytest.fixture
def world(settings: Settings) -> World:
    return seed_world(settings)


@pytest.fixture
def alice(world: World) -> Iterator[tuple[TestClient, str]]:
    """The author of the alpha site, logged in: the client and a CSRF token."""
    with running(world.settings) as client:
        yield client, login(client, "alice")


@pytest.fixture
def root(world: World) -> Iterator[tuple[TestClient, str]]:
    """The admin, logged in: the client and a CSRF token."""
    with running(world.settings) as client:
        yield client, login(client, "root")


def metrics_text(client: TestClient) -> str:
    """What /metrics serves, read from the app: the test client's peer ("testclient") is not a
    loopback address, so /metrics itself refuses it (tests/test_metrics_access.py)."""
    registry = client.app.state.metrics  # type: ignore[attr-defined]
    return str(registry.render().decode())


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
    database: str | None = None  # a postgresql:// URL; else the SQLite file `db`

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
                    self.database or str(self.db),
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


# --- browser tests: one Chromium per module; one widget server, one host site for the run -----
# The widget's browser tests are split by subject into several modules. Every test uses post
# ids of its own and a fresh browser context, so sharing the servers across modules lets no test
# see another's state. Chromium stays per module: while sync Playwright is open, asyncio.run()
# fails in every later test (about 2 s of CPU per launch).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, shared by the tests of one module."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make system-packages)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh reader: new storage, a desktop window, and every page error collected."""
    made = chromium.new_context(viewport={"width": 1000, "height": 800})
    errors: list[Any] = []
    made.on("page", lambda page: page.on("pageerror", lambda error: errors.append(error)))
    yield made
    made.close()
    assert errors == [], errors


class HostSite:
    """Someone's blog: plain HTML files served from another port, so another origin."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page(self, name: str, body: str, *, head: str = "", lang: str = "en") -> str:
        html = (
            f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{name}</title>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )
        (self.root / f"{name}.html").write_text(html, encoding="utf-8")
        return f"{self.url}/{name}.html"


@pytest.fixture(scope="session")
def host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostSite]:
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    root = tmp_path_factory.mktemp("host-site")
    server = ThreadingHTTPServer(
        ("127.0.0.1", free_port()), partial(QuietHandler, directory=str(root))
    )
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HostSite(root, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def widget_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service with --demo, a `default` site, a `blog` site with JSON-LD, threshold 3
    and its own English thank-you text, and a `quiet` site that hides the average until the
    reader has voted."""
    from widget import store
    from widget.models import Site
    from widget.store.sqlite.writer import open_database

    db = tmp_path_factory.mktemp("embed-server") / "embed.db"
    conn = open_database(str(db))
    blog = Site(
        "blog",
        "A blog",
        (),
        {"schema": "Article", "threshold": 3, "texts": {"en": {"thanks": "Cheers, thank you!"}}},
    )
    quiet = Site("quiet", "A quiet site", (), {"hide_average": True})
    conn.execute("BEGIN IMMEDIATE")
    store.save_site(conn, blog)
    store.save_site(conn, quiet)
    conn.execute("COMMIT")
    conn.close()
    env = {"WIDGET_SECRET_KEY": "embed-secret", "WIDGET_FEEDBACK_MIN_OPEN_MS": "0"}
    server = LiveServer(db=db, port=free_port(), extra_env={**env, **NO_LIMITS_ENV})
    server.start("--demo")
    try:
        yield server
    finally:
        server.stop()


async def vote_until(
    base: str,
    post: str,
    index: int,
    halt: asyncio.Event,
    acked: dict[str, int],
    refused: list[httpx.Response] | None = None,
    timeout: float = 10,
) -> None:
    """One reader after another votes on `post` until `halt`, each from its own address.

    Acknowledged votes land in `acked` (token -> rating); other answers in `refused`. A broken
    connection ends the client: that vote was never acknowledged.
    """
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        n = 0
        while not halt.is_set():
            token, rating = voter(), 1 + (index + n) % 5
            try:
                response = await http.post(
                    "/api/v1/votes",
                    json={"post": post, "rating": rating, "voter": token},
                    headers={"X-Forwarded-For": f"2001:db8::{index:x}:{n:x}"},
                )
            except httpx.TransportError:
                return
            if response.status_code == 200:
                acked[token] = rating
            elif refused is not None:
                refused.append(response)
            n += 1
