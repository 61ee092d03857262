"""The widget for every reader: keyboard only, axe-core on the demo pages, screenshots in light,
dark and on a phone. Helpers and the set-up in embed_browser_support.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, HostSite, LiveServer
from tests.embed_browser_support import embed_page, expect, seed, summary, widget

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_keyboard_only(context: Any, widget_server: LiveServer, host_site: HostSite) -> None:
    body = widget("keys-1") + '\n<div dir="rtl">' + widget("keys-rtl") + "</div>"
    url = embed_page(host_site, widget_server, "keys", body)
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="keys-1"]')
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    page.keyboard.press("Tab")
    expect(box.get_by_role("radio", name="1 star", exact=True)).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    third = box.get_by_role("radio", name="3 stars")
    expect(third).to_be_focused()
    outline = third.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid", "the focused star must show a visible focus ring"
    page.keyboard.press("Enter")
    expect(box.get_by_text("Your rating: 3 stars")).to_be_visible()
    page.keyboard.press("End")
    page.keyboard.press("Space")
    expect(box.get_by_text("Your rating: 5 stars")).to_be_visible()
    assert summary(widget_server, "keys-1") == (1, 5.0)
    # One tab stop for the stars: the next Tab leaves the group.
    page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="5.0 of 5 · 1 vote")).to_be_focused()
    # Right-to-left pages mirror the arrows.
    rtl = page.locator('[data-post="keys-rtl"]')
    rtl.get_by_role("radio", name="1 star", exact=True).focus()
    page.keyboard.press("ArrowLeft")
    expect(rtl.get_by_role("radio", name="2 stars")).to_be_focused()


SERIOUS = ("serious", "critical")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds, as (rule, impact, how many nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found]


def test_axe_finds_nothing_serious_on_the_demo_pages(
    chromium: Any, widget_server: LiveServer
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    report: dict[str, Any] = {}
    for path, scheme in (("/demo/light", "light"), ("/demo/dark", "dark"), ("/demo/many", "dark")):
        made = chromium.new_context(color_scheme=scheme)
        page = made.new_page()
        page.goto(widget_server.url + path)
        expect(page.get_by_role("radiogroup").first).to_be_visible()
        report[path] = axe_violations(page)
        if path == "/demo/light":  # once more with the feedback form open
            page.get_by_role("radio", name="1 star", exact=True).first.click()
            expect(page.get_by_label("Your note to the author")).to_be_visible()
            report[path + " (form open)"] = axe_violations(page)
        made.close()
    (ARTIFACTS / "axe-embed.json").write_text(json.dumps(report, indent=2))
    serious = [v for found in report.values() for v in found if v["impact"] in SERIOUS]
    assert serious == [], json.dumps(report, indent=2)


def test_screenshots_light_dark_and_mobile(chromium: Any, widget_server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shots = (
        ("embed-light.png", "/demo/light", {"width": 1000, "height": 900}, "light"),
        ("embed-dark.png", "/demo/dark", {"width": 1000, "height": 900}, "dark"),
        ("embed-mobile.png", "/demo", {"width": 375, "height": 812}, "light"),
        ("embed-many.png", "/demo/many", {"width": 1000, "height": 1400}, "light"),
    )
    seed(widget_server, "jezero-field-guide", [5, 4, 4])  # an average with a part-filled star
    for name, path, viewport, scheme in shots:
        made = chromium.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1)
        page = made.new_page()
        page.goto(widget_server.url + path)
        expect(page.get_by_role("radiogroup").first).to_be_visible()
        if name == "embed-mobile.png":  # the feedback form on a phone
            page.get_by_role("radio", name="2 stars").first.click()
            expect(page.get_by_label("Your note to the author")).to_be_visible()
            page.get_by_role("button", name="Something is missing").click()
        elif path != "/demo/many":  # the distribution, as a hover shows it
            page.get_by_text(re.compile(r"of 5 ·")).first.hover()
        page.get_by_role("radiogroup").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / name), full_page=path == "/demo/many")
        made.close()
    for name, *_ in shots:
        assert (ARTIFACTS / name).stat().st_size > 5000
