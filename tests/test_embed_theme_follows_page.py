"""data-theme="auto" follows the host page's own light or dark mode (as Docusaurus, Hugo themes
and MkDocs Material declare it), changes with the page's toggle, and falls back to the
reader's system only when the page declares nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import axe_serious, background, embed_page, expect, widget
from tests.conftest import ARTIFACTS, HostSite, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WHITE, DARK = "rgb(255, 255, 255)", "rgb(22, 27, 34)"
# A theme toggle as documentation sites write it: the page's own colours follow <html>.
PAGE_STYLE = """<style>
  html { background: #fff; color: #1f2328; }
  html[data-theme=dark], html.dark { color-scheme: dark; background: #0d1117; color: #e6edf3; }
  .md-dark { color-scheme: dark; background: #0d1117; color: #e6edf3; }
</style>"""
TOGGLE = '<button id="toggle" onclick="{js}">Toggle the theme</button>'


def open_page(chromium: Any, url: str, os_scheme: str) -> Any:
    made = chromium.new_context(color_scheme=os_scheme, viewport={"width": 700, "height": 400})
    page = made.new_page()
    page.goto(url)
    return page


@pytest.mark.parametrize(
    ("convention", "html_attrs", "toggle_js"),
    [
        (
            "data-theme",
            'data-theme="dark"',
            "document.documentElement.dataset.theme ="
            " document.documentElement.dataset.theme == 'dark' ? 'light' : 'dark'",
        ),
        ("class", 'class="dark"', "document.documentElement.classList.toggle('dark')"),
    ],
    ids=["data-theme", "class"],
)
def test_auto_follows_the_pages_declared_theme_and_its_toggle(
    chromium: Any,
    widget_server: LiveServer,
    host_site: HostSite,
    convention: str,
    html_attrs: str,
    toggle_js: str,
) -> None:
    post = f"page-theme-{convention}"
    body = (
        TOGGLE.format(js=toggle_js) + widget(post) + widget(post + "-light", 'data-theme="light"')
    )
    name = f"page-theme-{convention}"
    url = embed_page(host_site, widget_server, name, body, head=PAGE_STYLE)
    path = host_site.root / f"{name}.html"
    path.write_text(path.read_text().replace('<html lang="en">', f'<html lang="en" {html_attrs}>'))
    # The reader's system is light, the page is dark: the page wins.
    page = open_page(chromium, url, "light")
    box = page.locator(f'[data-post="{post}"]')
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    assert background(page, post) == DARK
    assert background(page, post + "-light") == WHITE  # a fixed theme stays as asked
    assert axe_serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-page-theme-{convention}-dark.png"))
    page.get_by_role("button", name="Toggle the theme").click()
    expect(box.locator(".w")).to_have_css("background-color", WHITE)
    assert axe_serious(page) == []
    page.screenshot(path=str(ARTIFACTS / f"embed-page-theme-{convention}-light.png"))
    page.context.close()
    # And the other way round: a light page on a dark system stays light.
    page = open_page(chromium, url, "dark")
    expect(page.locator(f'[data-post="{post}"]').get_by_text("No ratings yet")).to_be_visible()
    page.get_by_role("button", name="Toggle the theme").click()
    expect(page.locator(f'[data-post="{post}"] .w')).to_have_css("background-color", WHITE)
    page.context.close()


def test_auto_follows_a_color_scheme_on_body_and_else_the_system(
    chromium: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    # MkDocs Material marks <body>, and its CSS declares color-scheme there.
    toggle = TOGGLE.format(js="document.body.classList.toggle('md-dark')")
    body = toggle + widget("body-scheme")
    url = embed_page(host_site, widget_server, "body-scheme", body, head=PAGE_STYLE)
    page = open_page(chromium, url, "light")
    expect(page.locator('[data-post="body-scheme"]').get_by_text("No ratings yet")).to_be_visible()
    assert background(page, "body-scheme") == WHITE
    page.get_by_role("button", name="Toggle the theme").click()
    expect(page.locator('[data-post="body-scheme"] .w')).to_have_css("background-color", DARK)
    page.context.close()
    # A page that declares nothing: the reader's system decides.
    url = embed_page(host_site, widget_server, "no-scheme", widget("no-scheme"))
    for os_scheme, colour in (("light", WHITE), ("dark", DARK)):
        page = open_page(chromium, url, os_scheme)
        box = page.locator('[data-post="no-scheme"]')
        expect(box.get_by_text("No ratings yet")).to_be_visible()
        assert background(page, "no-scheme") == colour
        page.context.close()
