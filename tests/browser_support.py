"""What the embed's browser test files share: the host page snippet, a fresh reader, axe.

Each test module takes the `reader` fixture as its own (`context = browser_support.reader`),
so a module needs only conftest's chromium, widget_server and host_site besides.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import HostSite, LiveServer, voter

SERIOUS = ("serious", "critical")


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def widget(post: str, *extra: str, inside: str = "") -> str:
    return f'<div data-rating-widget data-post="{post}" {" ".join(extra)}>{inside}</div>'


def embed_page(
    host: HostSite, server: LiveServer, name: str, body: str, head: str = "", lang: str = "en"
) -> str:
    script = f'<script src="{server.url}/embed.js" async></script>'
    return host.page(name, f"{body}\n{script}", head=head, lang=lang)


def db_rows(server: LiveServer, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.db) as conn:
        return conn.execute(sql, args).fetchall()


def seed(server: LiveServer, post: str, ratings: list[int], site: str = "default") -> None:
    for rating in ratings:
        answer = httpx.post(
            f"{server.url}/api/v1/votes",
            json={"site": site, "post": post, "rating": rating, "voter": voter()},
        )
        assert answer.status_code == 200, answer.text


def background(page: Any, post: str) -> str:
    box = page.locator(f'[data-post="{post}"]').locator(".w")
    return str(box.evaluate("node => getComputedStyle(node).backgroundColor"))


def axe_serious(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def reader(chromium: Any) -> Iterator[Any]:
    """A fresh reader: new storage, a desktop window; page errors and console errors fail."""
    made = chromium.new_context(viewport={"width": 1000, "height": 800})
    errors: list[Any] = []

    def watch(page: Any) -> None:
        page.on("pageerror", lambda error: errors.append(error))
        # The plain host site has no favicon; every other console error is the widget's.
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.location.get("url", "").endswith("/favicon.ico")
                and errors.append(m.text)
            ),
        )

    made.on("page", watch)
    made.console_errors = errors
    yield made
    made.close()
    assert errors == [], errors
