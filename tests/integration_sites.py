"""What the integration tests share: installing a generator when it is missing, serving a
built site from 127.0.0.1, and a widget server for the module.

Each generator is installed from its own registry the first time (npm ci from the committed
lock file, pip into a private virtual environment under .cache/, Debian's hugo with apt-get)
and skipped, with the reason, only when that cannot be done on this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from tests.conftest import NO_LIMITS_ENV, ROOT, LiveServer, free_port

CACHE = ROOT / ".cache" / "integrations"
INSTALL_TIMEOUT = 900  # seconds: npm ci of Docusaurus on a slow line


def run(args: list[str], cwd: Path, timeout: float = INSTALL_TIMEOUT, **env: str) -> None:
    """A build or install step; its output goes into the failure message when it fails."""
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )


def installed_or_skip(what: str, install: Any) -> None:
    """Run `install`; when this machine cannot (no network, no package manager), skip."""
    try:
        install()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"{what} could not be installed here: {str(exc)[-600:]}")


def npm_site(folder: Path) -> None:
    """node_modules of a site with a committed package-lock.json (npm ci: exactly the lock)."""
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed (Debian: apt-get install npm)")
    if not (folder / "node_modules" / ".package-lock.json").exists():
        run(["npm", "ci", "--no-audit", "--no-fund"], folder)


def python_tools(name: str, *requirements: str) -> Path:
    """A private virtual environment with `requirements`, kept under .cache/; its bin folder."""
    venv = CACHE / name
    stamp = venv / ".installed"
    wanted = "\n".join(requirements)
    if not stamp.exists() or stamp.read_text() != wanted:
        run([sys.executable, "-m", "venv", "--clear", str(venv)], ROOT)
        run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements], ROOT)
        stamp.write_text(wanted)
    return venv / "bin"


def debian_package(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` when it is missing."""
    found = shutil.which(command)
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{command} is missing and there is no apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    run([*sudo, "apt-get", "install", "-y", "-qq", package], ROOT, **env)
    found = shutil.which(command)
    if not found:
        raise RuntimeError(f"apt-get installed {package} but there is no {command}")
    return found


class StaticSite:
    """A built site served from a folder, as any static host would (index.html per folder)."""

    def __init__(self, root: Path, port: int) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.root = root
        self.server = ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=root))
        Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def widget_server_for(
    tmp_path_factory: pytest.TempPathFactory, name: str, *sites: Any
) -> Iterator[LiveServer]:
    """The service for one module's site, with `sites` (models.Site) besides `default`."""
    from widget import store
    from widget.store.sqlite.writer import open_database

    db = tmp_path_factory.mktemp(name) / "widget.db"
    conn = open_database(str(db))
    conn.execute("BEGIN IMMEDIATE")
    for site in sites:
        store.save_site(conn, site)
    conn.execute("COMMIT")
    conn.close()
    env = {"WIDGET_SECRET_KEY": f"{name}-secret", **NO_LIMITS_ENV}
    server = LiveServer(db=db, port=free_port(), extra_env=env).start()
    try:
        yield server
    finally:
        server.stop()


def widget_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious findings inside the widgets (the generator's own page is not ours)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, context="[data-rating-widget]").response["violations"]
    return [
        {"id": v["id"], "nodes": len(v["nodes"])}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
