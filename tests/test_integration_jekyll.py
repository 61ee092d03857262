"""The Jekyll include on a real Jekyll build: a widget in every post with the post's URL as
post id and its title, and the frame for readers without JavaScript. Jekyll is Debian's
package (apt-get install jekyll when missing)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests import integration_sites
from tests.browser_support import db_rows, expect
from tests.conftest import ROOT, LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integrations]
INCLUDE = ROOT / "integrations" / "jekyll" / "rating-widget.html"
CONFIG = """title: Field notes
url: "{base}"
rating_widget:
  server: "{server}"
  site: "notes"
"""
LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><h1>{{ page.title }}</h1>{{ content }}{% include rating-widget.html %}</body></html>
"""
POST = '---\nlayout: post\ntitle: "Landing on Jezero"\n---\n\nThe sky crane, explained.\n'


@pytest.fixture(scope="module")
def widget_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from widget.models import Site

    notes = Site("notes", "Field notes", (), {})
    yield from integration_sites.widget_server_for(tmp_path_factory, "jekyll", notes)


@pytest.fixture(scope="module")
def notes_site(
    tmp_path_factory: pytest.TempPathFactory, widget_service: LiveServer
) -> Iterator[integration_sites.StaticSite]:
    found: list[str] = []
    integration_sites.installed_or_skip(
        "Jekyll (Debian's jekyll package)",
        lambda: found.append(integration_sites.debian_package("jekyll", "jekyll")),
    )
    project = tmp_path_factory.mktemp("jekyll-site")
    for folder in ("_includes", "_layouts", "_posts"):
        (project / folder).mkdir()
    shutil.copy(INCLUDE, project / "_includes" / "rating-widget.html")
    port = free_port()
    config = CONFIG.format(base=f"http://127.0.0.1:{port}", server=widget_service.url)
    (project / "_config.yml").write_text(config)
    (project / "_layouts" / "post.html").write_text(LAYOUT)
    (project / "_posts" / "2026-11-01-landing.md").write_text(POST)
    integration_sites.run([found[0], "build"], project, timeout=120)
    site = integration_sites.StaticSite(project / "_site", port)
    try:
        yield site
    finally:
        site.close()


def test_a_post_gets_a_widget_that_names_it_and_a_frame_without_javascript(
    chromium: Any, notes_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    post = "/2026/11/01/landing.html"
    made = chromium.new_context()
    page = made.new_page()
    page.goto(notes_site.url + post)
    box = page.locator(f'[data-rating-widget][data-post="{post}"]')
    box.get_by_role("radio", name="4 stars").click()
    expect(box.get_by_text("Your rating: 4 stars")).to_be_visible()
    stored = db_rows(widget_service, "SELECT title, url FROM posts WHERE post = ?", post)
    assert stored == [("Landing on Jezero", notes_site.url + post)]
    assert integration_sites.widget_axe(page) == []
    made.close()
    made = chromium.new_context(java_script_enabled=False)
    page = made.new_page()
    page.goto(notes_site.url + post)
    expect(page.frame_locator("iframe").get_by_text("4.0 of 5 · 1 vote")).to_be_visible()
    made.close()
