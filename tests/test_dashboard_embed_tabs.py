"""The site settings' embed code: one tab per ecosystem, each ready to paste with the site's
slug and the service's address, and a schema.org choice that says which types get stars."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from tests.browser_support import axe_serious, expect
from tests.conftest import ARTIFACTS, ROOT, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "tabs for every platform"
TABS = ["Any page", "Docusaurus", "MkDocs", "Hugo", "Jekyll", "WordPress", "Ghost"]


@pytest.fixture
def author_server(live_server: LiveServer) -> LiveServer:
    db = str(live_server.db)
    subprocess.run(
        [sys.executable, "-m", "widget", "create-author", "editor", "--admin", "--db", db],
        input=PASSWORD.encode(),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return live_server.start()


def logged_in(chromium: Any, server: LiveServer, scheme: str) -> Any:
    made = chromium.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
    made.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = made.new_page()
    page.goto(server.url + "/dashboard/login")
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.click("button.primary[type=submit]")
    page.wait_for_url(server.url + "/dashboard")
    page.goto(server.url + "/dashboard/sites/default/settings")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_one_tab_per_ecosystem_and_the_copy_button_copies_the_one_shown(
    chromium: Any, author_server: LiveServer, scheme: str
) -> None:
    page = logged_in(chromium, author_server, scheme)
    tabs = page.get_by_role("tablist", name="Embed code for your platform").get_by_role("tab")
    expect(tabs).to_have_text(TABS)
    expect(page.get_by_role("tab", name="Any page")).to_have_attribute("aria-selected", "true")
    shown = page.get_by_role("tabpanel")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text(f'<script src="{author_server.url}/embed.js" async>')
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copied")).not_to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()").startswith("<div data-rating-widget")
    page.get_by_role("tab", name="Hugo").click()
    expect(shown).to_contain_text('{{ partial "rating-widget.html" . }}')
    expect(shown).to_contain_text(f'server = "{author_server.url}"')
    expect(shown).to_contain_text('maxAge = "10m"')
    page.keyboard.press("ArrowRight")  # the tabs' own keys
    expect(page.get_by_role("tab", name="Jekyll")).to_be_focused()
    expect(shown).to_contain_text("{% include rating-widget.html %}")
    page.get_by_role("tab", name="Docusaurus").click()
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copied")).not_to_have_text("")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert '["docusaurus-plugin-rating-widget", { server: "' in copied
    assert "<script" not in copied
    assert axe_serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#embed").screenshot(path=str(ARTIFACTS / f"dashboard-embed-tabs-{scheme}.png"))
    page.context.close()


def test_the_schema_choice_offers_star_types_first_and_says_so(
    chromium: Any, author_server: LiveServer
) -> None:
    page = logged_in(chromium, author_server, "light")
    groups = page.locator("#schema optgroup")
    expect(groups).to_have_count(2)
    assert groups.nth(0).get_attribute("label") == "Shown as stars in search results"
    assert groups.nth(1).get_attribute("label") == "Read, but not shown as stars"
    first = page.locator("#schema option").nth(1)  # after "Off"
    expect(first).to_have_text("Product")
    assert "Article" in groups.nth(1).inner_text() and "Article" not in groups.nth(0).inner_text()
    expect(page.locator("#schema-help")).to_contain_text("For articles and blog posts")
    page.select_option("#schema", "SoftwareApplication")
    page.click("text=Save settings")
    expect(page.locator("#schema")).to_have_value("SoftwareApplication")
    page.context.close()


def test_without_javascript_the_snippets_stack_under_their_names(
    chromium: Any, author_server: LiveServer
) -> None:
    made = chromium.new_context(java_script_enabled=False)
    page = made.new_page()
    page.goto(author_server.url + "/dashboard/login")
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.click("button.primary[type=submit]")
    page.goto(author_server.url + "/dashboard/sites/default/settings")
    headings = page.locator("#embed h3")
    expect(headings).to_have_text(TABS)
    expect(
        page.get_by_text("add_shortcode('rating_widget', 'rating_widget_markup');")
    ).to_be_visible()
    made.close()
