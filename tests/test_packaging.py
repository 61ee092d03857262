"""The wheel carries static files and templates: an installed copy serves /embed.js."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.slow


def test_installed_wheel_serves_embed_from_any_directory(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
    )
    wheel = next(tmp_path.glob("rating_widget-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "widget/static/embed.js" in names
    assert "widget/templates/demo.html" in names
    assert "widget/locales/sk.po" in names  # the texts, read at start-up
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(target), "WIDGET_ACCESS_LOG": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "widget", "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/embed.js", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None and response.status_code == 200
        assert "data-rating-widget" in response.text
        assert (elsewhere / "widget.db").exists()  # the default database is ./widget.db
    finally:
        server.terminate()
        server.wait(timeout=15)
