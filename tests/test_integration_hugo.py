"""The Hugo partial and module on a real Hugo build: the build puts each post's summary (with
its JSON-LD and the no-JavaScript frame) inside the widget's element; readers see it until the
live numbers replace it in place; votes name the post; the page's dark class is followed.
Hugo is Debian's package (apt-get install hugo when missing)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests import integration_sites
from tests.browser_support import db_rows, expect, seed
from tests.conftest import ARTIFACTS, ROOT, LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integrations]
MODULE = ROOT / "integrations" / "hugo"
WHITE, DARK = "rgb(255, 255, 255)", "rgb(22, 27, 34)"
CONFIG = """baseURL = "{base}"
title = "Field notes"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
[module]
  [[module.imports]]
    path = "rating-widget"
[params.ratingWidget]
  server = "{server}"
  site = "notes"
[caches.getresource]
  dir = ":cacheDir/:project"
  maxAge = "10m"
"""
BASEOF = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title>
<style>
  html { background: #fff; color: #1f2328 }
  html.dark { background: #0d1117; color: #e6edf3 }
</style>
</head>
<body>
<button id="theme" onclick="document.documentElement.classList.toggle('dark')">Dark mode</button>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""
SINGLE = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ partial "rating-widget.html" . }}
<p id="after">Thanks for reading.</p>{{ end }}
"""
LIST = """{{ define "main" }}{{ range .Pages }}
<a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ end }}{{ end }}"""
POSTS = {
    "landing": "Landing on Jezero",
    "sampling": "Taking samples",
}


@pytest.fixture(scope="module")
def widget_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from widget.models import Site

    notes = Site("notes", "Field notes", (), {"schema": "Product"})
    yield from integration_sites.widget_server_for(tmp_path_factory, "hugo", notes)


@pytest.fixture(scope="module")
def notes_site(
    tmp_path_factory: pytest.TempPathFactory, widget_service: LiveServer
) -> Iterator[integration_sites.StaticSite]:
    found: list[str] = []
    integration_sites.installed_or_skip(
        "Hugo (Debian's hugo package)",
        lambda: found.append(integration_sites.debian_package("hugo", "hugo")),
    )
    project = tmp_path_factory.mktemp("hugo-site")
    shutil.copytree(MODULE, project / "themes" / "rating-widget")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    (project / "hugo.toml").write_text(CONFIG.format(base=base, server=widget_service.url))
    for name, text in (("baseof", BASEOF), ("single", SINGLE), ("list", LIST)):
        (project / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
        (project / "layouts" / "_default" / f"{name}.html").write_text(text)
    for slug, title in POSTS.items():
        (project / "content" / "posts").mkdir(parents=True, exist_ok=True)
        text = f'---\ntitle: "{title}"\n---\n\nA field note about {title.lower()}.\n'
        (project / "content" / "posts" / f"{slug}.md").write_text(text)
    seed(widget_service, "/posts/landing/", [5, 4, 4], site="notes")  # before the build
    cache = project / ".hugo-cache"
    integration_sites.run([found[0], "--cacheDir", str(cache)], project, timeout=120)
    site = integration_sites.StaticSite(project / "public", port)
    try:
        yield site
    finally:
        site.close()


def widget_of(page: Any, post: str) -> Any:
    return page.locator(f'[data-rating-widget][data-post="{post}"]')


def test_the_build_time_summary_shows_until_the_live_numbers_take_its_place(
    chromium: Any, notes_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    seed(widget_service, "/posts/landing/", [1], site="notes")  # a vote after the build
    made = chromium.new_context(color_scheme="light", viewport={"width": 900, "height": 700})
    page = made.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    held: list[Any] = []
    page.route("**/api/v1/summary?*", lambda route: held.append(route))
    page.goto(notes_site.url + "/posts/landing/")
    box = widget_of(page, "/posts/landing/")
    expect(box.get_by_text("4.3 of 5 · 3 votes")).to_be_visible()  # from the build
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    before = page.locator("#after").bounding_box()["y"]
    built = box.inner_html()
    held[0].continue_()
    expect(box.get_by_text("3.5 of 5 · 4 votes")).to_be_visible()
    assert page.locator("#after").bounding_box()["y"] == before
    assert box.inner_html() == built
    [ld] = [
        json.loads(t)
        for t in page.locator('script[type="application/ld+json"]').all_text_contents()
    ]
    assert ld["@type"] == "Product" and ld["name"] == "Landing on Jezero"
    assert ld["url"] == notes_site.url + "/posts/landing/"
    assert ld["aggregateRating"]["bestRating"] == 5
    box.get_by_role("radio", name="5 stars").click()
    expect(box.get_by_text("Your rating: 5 stars")).to_be_visible()
    stored = db_rows(
        widget_service, "SELECT title, url, votes FROM posts WHERE post = '/posts/landing/'"
    )
    assert stored == [("Landing on Jezero", notes_site.url + "/posts/landing/", 5)]
    assert integration_sites.widget_axe(page) == []
    page.get_by_role("button", name="Dark mode").click()  # the theme's class="dark" on <html>
    expect(box.locator(".w")).to_have_css("background-color", DARK)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integration-hugo-dark.png"))
    page.get_by_role("button", name="Dark mode").click()
    expect(box.locator(".w")).to_have_css("background-color", WHITE)
    assert errors == []
    made.close()


def test_a_post_without_votes_and_readers_without_javascript(
    chromium: Any, notes_site: integration_sites.StaticSite
) -> None:
    made = chromium.new_context(java_script_enabled=False)
    page = made.new_page()
    page.goto(notes_site.url + "/posts/landing/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_text("of 5 ·")).to_be_visible()
    expect(page.get_by_text("4.3 of 5 · 3 votes")).to_be_hidden()  # one summary: the frame's
    page.goto(notes_site.url + "/posts/sampling/")
    expect(page.frame_locator("iframe").get_by_text("No ratings yet")).to_be_visible()
    made.close()
