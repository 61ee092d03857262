"""A site owner whose page is refused (origin not in the site's list) or who mistyped the site
reads one clear line in the console naming the origin and the site; readers see the short
"unavailable" note, and the widget does not keep asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_support import embed_page, expect, widget
from tests.conftest import NO_LIMITS_ENV, HostSite, LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service with a `docs` site that allows only https://docs.example."""
    from widget import store
    from widget.models import Site
    from widget.store.sqlite.writer import open_database

    db = tmp_path_factory.mktemp("locked-server") / "locked.db"
    conn = open_database(str(db))
    conn.execute("BEGIN IMMEDIATE")
    store.save_site(conn, Site("docs", "Docs", ("https://docs.example",), {}))
    conn.execute("COMMIT")
    conn.close()
    server = LiveServer(
        db=db, port=free_port(), extra_env={"WIDGET_SECRET_KEY": "locked", **NO_LIMITS_ENV}
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def console_lines(chromium: Any, url: str, post: str) -> tuple[Any, list[str]]:
    made = chromium.new_context()
    page = made.new_page()
    lines: list[str] = []
    page.on(
        "console",
        lambda m: m.type == "error" and "Rating Widget" in m.text and lines.append(m.text),
    )
    asked: list[str] = []
    page.on("request", lambda r: "/api/v1/summary" in r.url and asked.append(r.url))
    page.goto(url)
    box = page.locator(f'[data-post="{post}"]')
    expect(box.get_by_role("status")).to_have_text("Ratings are unavailable right now.")
    page.wait_for_timeout(3500)  # past the 3 s the widget waits before asking again
    assert len(asked) == 1, asked  # the owner has to act: asking again would not help
    made.close()
    return page, lines


def test_a_refused_origin_is_named_in_one_console_line(
    chromium: Any, locked_server: LiveServer, host_site: HostSite
) -> None:
    body = widget("locked-1", 'data-site="docs"')
    url = embed_page(host_site, locked_server, "locked", body)
    _, lines = console_lines(chromium, url, "locked-1")
    assert len(lines) == 1, lines
    assert host_site.url in lines[0] and "'docs'" in lines[0]
    assert "allowed origins in the dashboard" in lines[0]


def test_an_unknown_site_is_named_in_one_console_line(
    chromium: Any, locked_server: LiveServer, host_site: HostSite
) -> None:
    body = widget("typo-1", 'data-site="dosc"')
    url = embed_page(host_site, locked_server, "typo", body)
    _, lines = console_lines(chromium, url, "typo-1")
    assert len(lines) == 1, lines
    assert "'dosc'" in lines[0] and "does not exist" in lines[0]
