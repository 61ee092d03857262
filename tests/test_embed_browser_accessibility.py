"""The widget for every reader: keyboard only, axe-core on the demo pages, and what the
screenshots show (dark mode readable, the phone's width, twelve widgets on one page).
Helpers and the set-up in embed_browser_support.py."""

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


RGB = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)")
AA_TEXT = 4.5  # WCAG 2 AA contrast for normal-size text
DEMO_POST = '[data-post="jezero-field-guide"]'
# The twelve notes of /demo/many, by the language of the radiogroup's name (seven English).
MANY_NAMES = {
    "Rate this article": 7,
    "Ohodnoťte tento článok": 1,
    "Ohodnoťte tento článek": 1,
    "Diesen Artikel bewerten": 1,
    "Notez cet article": 1,
    "Valora este artículo": 1,
}


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a computed CSS colour such as rgb(22, 27, 34)."""
    found = RGB.match(colour)
    assert found, colour
    channels = [float(value) / 255 for value in found.groups()]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def assert_readable(page: Any, dark: bool) -> None:
    """The widget's own colours: dark ground and light text in dark mode (and the reverse in
    light mode), and both its text and its muted summary line readable at AA."""
    box = page.locator(DEMO_POST)
    ground = box.locator(".w").evaluate("node => getComputedStyle(node).backgroundColor")
    text = box.locator(".w").evaluate("node => getComputedStyle(node).color")
    line = box.get_by_text(re.compile(r"of 5 ·")).first
    muted = line.evaluate("node => getComputedStyle(node).color")
    if dark:
        assert luminance(ground) < 0.05 and luminance(text) > 0.6, (ground, text)
    else:
        assert luminance(ground) > 0.9 and luminance(text) < 0.05, (ground, text)
    assert contrast(text, ground) >= AA_TEXT, (text, ground)
    assert contrast(muted, ground) >= AA_TEXT, (muted, ground)


def assert_fits_the_phone(page: Any, width: int) -> None:
    """The open feedback form on a phone: no sideways scrolling, form and note inside."""
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == width and scroll_width <= width, scroll_width
    form = page.locator(DEMO_POST).locator("form")
    for part in (form, form.get_by_label("Your note to the author")):
        edges = part.bounding_box()
        assert edges["x"] >= 0 and edges["x"] + edges["width"] <= width, edges


def assert_twelve_widgets(page: Any) -> None:
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(12)
    for index in range(12):
        expect(groups.nth(index)).to_be_visible()
    for name, count in MANY_NAMES.items():
        expect(page.get_by_role("radiogroup", name=name, exact=True)).to_have_count(count)


def test_screenshots_show_readable_themes_a_phone_sized_form_and_twelve_widgets(
    chromium: Any, widget_server: LiveServer
) -> None:
    """The screenshots in test-artifacts/ for people to look at, and what they show checked:
    the distribution readable in light and dark, the feedback form within a phone's width,
    all twelve widgets of /demo/many, each named in its note's language."""
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
            chip = page.get_by_role("button", name="Something is missing")
            chip.click()
            expect(chip).to_have_attribute("aria-pressed", "true")
            assert_fits_the_phone(page, viewport["width"])
        elif path == "/demo/many":
            assert_twelve_widgets(page)
        else:  # the distribution, as a hover shows it
            page.get_by_text(re.compile(r"of 5 ·")).first.hover()
            expect(page.get_by_role("list", name="How readers rated it")).to_be_visible()
            assert_readable(page, dark=scheme == "dark")
        page.get_by_role("radiogroup").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / name), full_page=path == "/demo/many")
        made.close()
