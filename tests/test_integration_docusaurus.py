"""The Docusaurus plugin on a real Docusaurus 3 build (integrations/docusaurus/example): one
line in `plugins`, and every doc and blog post has a widget, through client-side navigation,
with the doc's path as post id, its title, and the site's colour mode.

The example site is built once for the module (about a minute on two cores) against the
module's widget server; `npm ci` installs Docusaurus from the committed lock file first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests import integration_sites
from tests.browser_support import db_rows, expect, seed
from tests.conftest import ROOT, LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integrations]
EXAMPLE = ROOT / "integrations" / "docusaurus" / "example"
WHITE, DARK = "rgb(255, 255, 255)", "rgb(22, 27, 34)"


@pytest.fixture(scope="module")
def widget_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from widget.models import Site

    # JSON-LD on, as in the report where embed.js broke React's hydration (error #418).
    docs = Site("default", "Field guide", (), {"schema": "SoftwareApplication"})
    yield from integration_sites.widget_server_for(tmp_path_factory, "docusaurus", docs)


@pytest.fixture(scope="module")
def docs_site(
    tmp_path_factory: pytest.TempPathFactory, widget_service: LiveServer
) -> Iterator[integration_sites.StaticSite]:
    integration_sites.installed_or_skip(
        "Docusaurus (npm ci)", lambda: integration_sites.npm_site(EXAMPLE)
    )
    out = tmp_path_factory.mktemp("docusaurus-build")
    port = free_port()
    integration_sites.run(
        ["npx", "docusaurus", "build", "--out-dir", str(out)],
        EXAMPLE,
        RATING_WIDGET_URL=widget_service.url,
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    site = integration_sites.StaticSite(out, port)
    try:
        yield site
    finally:
        site.close()


@pytest.fixture
def reader(chromium: Any) -> Iterator[Any]:
    made = chromium.new_context(color_scheme="light", viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    made.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    made.on(
        "page",
        lambda page: page.on(
            "console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}")
        ),
    )
    yield made
    made.close()
    assert errors == [], errors  # React's hydration errors (#418) land here


def widget_of(page: Any, post: str) -> Any:
    return page.locator(f'[data-rating-widget][data-post="{post}"]')


def test_every_doc_gets_a_widget_through_sidebar_navigation(
    reader: Any, docs_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    page = reader.new_page()
    page.goto(docs_site.url + "/docs/landing")
    first = widget_of(page, "/docs/landing")
    expect(first.get_by_text("No ratings yet")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if a click reloaded the page
    first.get_by_role("radio", name="4 stars").click()
    expect(first.get_by_text("Your rating: 4 stars")).to_be_visible()

    page.locator("nav.menu").get_by_role("link", name="Taking samples").click()
    second = widget_of(page, "/docs/sampling")
    expect(second.get_by_text("No ratings yet")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    expect(widget_of(page, "/docs/landing")).to_have_count(0)
    second.get_by_role("radio", name="2 stars").click()
    expect(second.get_by_text("Your rating: 2 stars")).to_be_visible()
    stored = db_rows(widget_service, "SELECT post, title, url, votes FROM posts ORDER BY post")
    # The URL is the page's canonical link (with the slash the static server redirected to).
    assert [(p, t, u.rstrip("/"), n) for p, t, u, n in stored] == [
        ("/docs/landing", "Landing on Jezero", docs_site.url + "/docs/landing", 1),
        ("/docs/sampling", "Taking samples", docs_site.url + "/docs/sampling", 1),
    ]
    assert integration_sites.widget_axe(page) == []

    # Back to the first doc: its widget again, with the reader's vote.
    page.go_back()
    again = widget_of(page, "/docs/landing")
    expect(again.get_by_text("Your rating: 4 stars")).to_be_visible()


def test_the_widget_follows_docusaurus_colour_mode(
    reader: Any, docs_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    seed(widget_service, "/docs/sampling", [4, 5])
    page = reader.new_page()
    page.goto(docs_site.url + "/docs/sampling")  # a direct load of a post with votes
    box = widget_of(page, "/docs/sampling").locator(".w")
    expect(box).to_have_css("background-color", WHITE)
    page.get_by_role("button", name=re.compile("dark and light mode")).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(box).to_have_css("background-color", DARK)
    ld = page.locator('head script[data-rw="default//docs/sampling"]')
    expect(ld).to_have_count(1)  # in <head>, outside what React hydrates
    assert '"bestRating":5' in ld.text_content()
    assert integration_sites.widget_axe(page) == []
    page.screenshot(path=str(ROOT / "test-artifacts" / "integration-docusaurus-dark.png"))


def test_blog_posts_get_a_widget_and_the_blog_list_does_not(
    reader: Any, docs_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    page = reader.new_page()
    page.goto(docs_site.url + "/blog")
    expect(page.get_by_role("heading", name="First light")).to_be_visible()
    expect(page.locator("[data-rating-widget]")).to_have_count(0)
    page.get_by_role("link", name="First light").first.click()
    post = widget_of(page, "/blog/2026/11/01/first-light")
    post.get_by_role("radio", name="5 stars").click()
    expect(post.get_by_text("Your rating: 5 stars")).to_be_visible()
    stored = db_rows(
        widget_service, "SELECT title FROM posts WHERE post = '/blog/2026/11/01/first-light'"
    )
    assert stored == [("First light",)]
    page.screenshot(path=str(ROOT / "test-artifacts" / "integration-docusaurus-blog.png"))
