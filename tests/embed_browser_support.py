"""Helpers for the widget's browser tests (tests/test_embed_browser_*.py).

The widget as readers meet it: Debian's Chromium, a real server, the host page elsewhere. The
host pages are plain HTML files served by a second HTTP server on another port (another
origin), exactly as a blog would embed the snippet. One widget server and one host site serve
all these modules, and one browser each module (conftest.py); every test uses its own post ids
and a fresh browser context (empty storage, the `context` fixture), so the tests do not see
each other. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from tests.conftest import HostSite, LiveServer, voter


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def widget(post: str, *extra: str) -> str:
    return f'<div data-rating-widget data-post="{post}" {" ".join(extra)}></div>'


def embed_page(
    host: HostSite, server: LiveServer, name: str, body: str, head: str = "", lang: str = "en"
) -> str:
    script = f'<script src="{server.url}/embed.js" async></script>'
    return host.page(name, f"{body}\n{script}", head=head, lang=lang)


def summary(server: LiveServer, post: str, site: str = "default") -> tuple[int, float]:
    found = httpx.get(f"{server.url}/api/v1/summary", params={"site": site, "post": post})
    data = found.json()["posts"][0]
    return data["count"], data["average"]


def db_rows(server: LiveServer, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.db) as conn:
        return conn.execute(sql, args).fetchall()


def seed(server: LiveServer, post: str, ratings: list[int], site: str = "default") -> None:
    """Other readers' votes, through the API."""
    for rating in ratings:
        body = {"site": site, "post": post, "rating": rating, "voter": voter()}
        httpx.post(f"{server.url}/api/v1/votes", json=body).raise_for_status()


def refusing(status: int) -> Any:
    """A route handler answering as the server does when it refuses."""

    def handler(route: Any) -> None:
        error = {"error": {"code": "refused", "message": "refused by the test"}}
        route.fulfill(status=status, json=error, headers={"Access-Control-Allow-Origin": "*"})

    return handler
