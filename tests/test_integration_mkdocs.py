"""The MkDocs plugin on a real MkDocs Material build: listed under `plugins`, it puts a widget
on every page, with the page's URL as post id and its title; Material's instant navigation
(content swapped without a reload) gets a widget on each page too, and its palette toggle
turns the widget dark. MkDocs, Material and the plugin go into a private virtual environment
under .cache/ the first time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import integration_sites
from tests.browser_support import db_rows, expect
from tests.conftest import ARTIFACTS, ROOT, LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integrations]
PLUGIN = ROOT / "integrations" / "mkdocs"
WHITE, DARK = "rgb(255, 255, 255)", "rgb(22, 27, 34)"
PAGES = {
    "index.md": "# Field guide\n\nStart with [landing](guide/landing.md).\n",
    "guide/landing.md": "# Landing on Jezero\n\nThe parachute, the sky crane and the wait.\n",
    "guide/sampling.md": "# Taking samples\n\nA core is drilled, sealed and left behind.\n",
}
CONFIG = """site_name: Field guide
site_url: {site_url}
theme:
  name: material
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {{icon: material/brightness-7, name: Switch to dark mode}}
    - scheme: slate
      toggle: {{icon: material/brightness-4, name: Switch to light mode}}
nav:
  - Home: index.md
  - Landing on Jezero: guide/landing.md
  - Taking samples: guide/sampling.md
plugins:
  - search
  - rating-widget:
      server: {server}
      site: default
      exclude: [index.md]
"""


@pytest.fixture(scope="module")
def widget_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from integration_sites.widget_server_for(tmp_path_factory, "mkdocs")


@pytest.fixture(scope="module")
def docs_site(
    tmp_path_factory: pytest.TempPathFactory, widget_service: LiveServer
) -> Iterator[integration_sites.StaticSite]:
    tools: list[Path] = []
    integration_sites.installed_or_skip(
        "MkDocs Material (pip)",
        lambda: tools.append(integration_sites.python_tools("mkdocs", "-e", f"{PLUGIN}[material]")),
    )
    project = tmp_path_factory.mktemp("mkdocs-site")
    for name, text in PAGES.items():
        (project / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / name).write_text(text)
    port = free_port()
    site_url = f"http://127.0.0.1:{port}/"
    (project / "mkdocs.yml").write_text(CONFIG.format(site_url=site_url, server=widget_service.url))
    integration_sites.run([str(tools[0] / "mkdocs"), "build", "--strict"], project, timeout=300)
    site = integration_sites.StaticSite(project / "site", port)
    try:
        yield site
    finally:
        site.close()


def widget_of(page: Any, post: str) -> Any:
    return page.locator(f'[data-rating-widget][data-post="{post}"]')


def test_every_page_gets_a_widget_through_instant_navigation(
    chromium: Any, docs_site: integration_sites.StaticSite, widget_service: LiveServer
) -> None:
    made = chromium.new_context(color_scheme="light", viewport={"width": 1400, "height": 900})
    page = made.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(docs_site.url + "/")
    expect(page.get_by_role("heading", name="Field guide")).to_be_visible()
    expect(page.locator("[data-rating-widget]")).to_have_count(0)  # excluded in mkdocs.yml
    page.evaluate("window.sameDocument = true")  # gone if a click reloaded the page
    page.locator(".md-sidebar--primary").get_by_role("link", name="Landing on Jezero").first.click()
    first = widget_of(page, "/guide/landing/")
    expect(first.get_by_text("No ratings yet")).to_be_visible()
    first.get_by_role("radio", name="5 stars").click()
    expect(first.get_by_text("Your rating: 5 stars")).to_be_visible()
    page.locator(".md-sidebar--primary").get_by_role("link", name="Taking samples").first.click()
    second = widget_of(page, "/guide/sampling/")
    expect(second.get_by_text("No ratings yet")).to_be_visible()
    second.get_by_role("radio", name="3 stars").click()
    expect(second.get_by_text("Your rating: 3 stars")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True  # instant navigation all along
    expect(widget_of(page, "/guide/landing/")).to_have_count(0)
    stored = db_rows(widget_service, "SELECT post, title, url FROM posts ORDER BY post")
    assert stored == [
        ("/guide/landing/", "Landing on Jezero", docs_site.url + "/guide/landing/"),
        ("/guide/sampling/", "Taking samples", docs_site.url + "/guide/sampling/"),
    ]
    assert integration_sites.widget_axe(page) == []
    assert errors == []
    made.close()


def test_the_widget_follows_materials_palette_toggle(
    chromium: Any, docs_site: integration_sites.StaticSite
) -> None:
    made = chromium.new_context(color_scheme="light", viewport={"width": 1200, "height": 700})
    page = made.new_page()
    page.goto(docs_site.url + "/guide/sampling/")
    box = widget_of(page, "/guide/sampling/").locator(".w")
    expect(box).to_have_css("background-color", WHITE)
    page.locator('label[title="Switch to dark mode"]').click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    expect(box).to_have_css("background-color", DARK)
    assert integration_sites.widget_axe(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integration-mkdocs-dark.png"))
    made.close()
