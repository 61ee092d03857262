"""What the widget looks like to a reader: languages, themes and reduced motion, a hostile host
page's CSS, the average as part-filled stars, the reader's own vote and the preview. Helpers
and the set-up in embed_browser_support.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, HostSite, LiveServer
from tests.embed_browser_support import embed_page, expect, seed, widget

pytestmark = [pytest.mark.browser, pytest.mark.slow]


HOSTILE_CSS = """<style>
  button { display: none !important; }
  * { color: red !important; font: 40px/1 serif !important; }
  div { padding: 40px !important; background: yellow !important; }
  svg, [role=radio], ul, p, form { display: none !important; visibility: hidden !important; }
</style>"""


# --- languages, themes, hostile pages ------------------------------------------------------


def test_slovak_texts(context: Any, widget_server: LiveServer, host_site: HostSite) -> None:
    body = widget("sk-1") + widget("cs-1", 'data-lang="cs"')
    url = embed_page(host_site, widget_server, "slovak", body, lang="sk")
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="sk-1"]')
    expect(box.get_by_text("Zatiaľ bez hodnotenia")).to_be_visible()
    expect(box.get_by_role("radiogroup", name="Ohodnoťte tento článok")).to_be_visible()
    for name in ("1 hviezdička", "3 hviezdičky", "5 hviezdičiek"):
        expect(box.get_by_role("radio", name=name)).to_be_visible()
    box.get_by_role("radio", name="2 hviezdičky").click()
    expect(box.get_by_role("status")).to_have_text("Ďakujeme za hodnotenie!")
    expect(box.get_by_text("2,0 z 5 · 1 hlas")).to_be_visible()
    expect(box.get_by_text("Čo by článok zlepšilo?")).to_be_visible()
    expect(box.get_by_text("Zostáva 2 000 znakov")).to_be_visible()
    czech = page.locator('[data-post="cs-1"]')
    expect(czech.get_by_text("Zatím bez hodnocení")).to_be_visible()


def background(page: Any, post: str) -> str:
    part = page.locator(f'[data-post="{post}"]').locator(".w")
    return str(part.evaluate("node => getComputedStyle(node).backgroundColor"))


def test_light_dark_and_auto_themes(
    chromium: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    body = widget("theme-auto") + widget("theme-dark", 'data-theme="dark"')
    body += widget("theme-light", 'data-theme="light"')
    url = embed_page(host_site, widget_server, "themes", body)
    for scheme, auto in (("light", "rgb(255, 255, 255)"), ("dark", "rgb(22, 27, 34)")):
        made = chromium.new_context(color_scheme=scheme)
        page = made.new_page()
        page.goto(url)
        expect(
            page.locator('[data-post="theme-auto"]').get_by_text("No ratings yet")
        ).to_be_visible()
        assert background(page, "theme-auto") == auto
        assert background(page, "theme-dark") == "rgb(22, 27, 34)"
        assert background(page, "theme-light") == "rgb(255, 255, 255)"
        made.close()
    for motion, duration in (("reduce", "0s"), ("no-preference", "0.2s")):
        made = chromium.new_context(reduced_motion=motion)
        page = made.new_page()
        page.goto(url)
        star = page.locator('[data-post="theme-auto"]').get_by_role("radio", name="1 star")
        assert star.evaluate("b => getComputedStyle(b).transitionDuration") == duration
        made.close()


def test_hostile_host_css_cannot_break_the_widget(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    url = embed_page(host_site, widget_server, "hostile", widget("hostile-1"), head=HOSTILE_CSS)
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="hostile-1"]')
    star = box.get_by_role("radio", name="4 stars")
    expect(star).to_be_visible()
    size = star.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44, "touch targets stay 44 px"
    star.click()
    summary_line = box.get_by_text("4.0 of 5 · 1 vote")
    expect(summary_line).to_be_visible()
    assert summary_line.evaluate("n => getComputedStyle(n).color") != "rgb(255, 0, 0)"
    assert summary_line.evaluate("n => getComputedStyle(n).fontSize") == "15px"
    page.screenshot(path=str(ARTIFACTS / "embed-hostile-css.png"))


# --- stars: the average, the reader's own vote, the preview --------------------------------


STARS_LOOK = """host => [...host.shadowRoot.querySelectorAll(".s")].map(star => {
  const filled = getComputedStyle(star.querySelector(".a"));
  return { clip: filled.clipPath, opacity: Number(filled.opacity) };
})"""


def stars_look(box: Any) -> list[tuple[int, float]]:
    """Each star as the reader sees it: how much of it is filled (percent) and how strongly."""
    found = []
    for star in box.evaluate(STARS_LOOK):
        # The filled layer is clipped from the end side: inset(0 <empty part> 0 0).
        empty = float(re.findall(r"(-?[\d.]+)%", star["clip"])[0])
        found.append((round(min(100.0, max(0.0, 100 - empty))), star["opacity"]))
    return found


def test_average_as_partial_pale_stars_own_vote_and_preview_strong(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "partial-1", [5, 5, 5, 5, 4, 4, 4, 4, 4, 3])  # 4.3
    body = widget("partial-1") + '<div dir="rtl">' + widget("partial-1", 'id="rtl"') + "</div>"
    url = embed_page(host_site, widget_server, "partial", body)
    page = context.new_page()
    page.goto(url)
    box = page.locator("[data-post=partial-1]").first
    expect(box.get_by_text("4.3 of 5 · 10 votes")).to_be_visible()
    # The average is text and a picture; no radio is checked until the reader votes.
    expect(box.get_by_role("radio")).to_have_count(5)
    expect(box.get_by_role("radio", checked=True)).to_have_count(0)
    pale = stars_look(box)
    assert [filled for filled, _ in pale] == [100, 100, 100, 100, 30]
    assert {strength for _, strength in pale} == {0.45}
    # On a right-to-left page the part-filled star fills from its right edge.
    mirrored = page.locator("#rtl").evaluate(
        "host => getComputedStyle(host.shadowRoot.querySelector('svg')).scale"
    )
    assert mirrored == "-1 1"
    # The pointer previews its rating in the strong colour.
    box.get_by_role("radio", name="2 stars").hover()
    assert stars_look(box) == [(100, 1), (100, 1), (0, 0.45), (0, 0.45), (0, 0.45)]
    box.get_by_role("radio", name="3 stars").click()
    expect(box.get_by_role("radio", name="3 stars")).to_have_attribute("aria-checked", "true")
    expect(box.get_by_text("4.2 of 5 · 11 votes")).to_be_visible()
    page.mouse.move(0, 0)
    assert stars_look(box) == [(100, 1), (100, 1), (100, 1), (0, 1), (0, 1)]
    # So does the keyboard: an arrow previews the star it moves to, before Enter votes.
    page.keyboard.press("ArrowRight")
    expect(box.get_by_role("radio", name="4 stars")).to_be_focused()
    assert [filled for filled, _ in stars_look(box)] == [100, 100, 100, 100, 0]
    expect(box.get_by_role("radio", name="3 stars")).to_have_attribute("aria-checked", "true")


def test_a_site_that_hides_the_average_shows_it_after_the_vote(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "quiet-1", [5, 4], site="quiet")
    url = embed_page(host_site, widget_server, "quiet", widget("quiet-1", 'data-site="quiet"'))
    page = context.new_page()
    page.goto(url)
    box = page.locator("[data-post=quiet-1]")
    count = box.get_by_role("button", name="2 votes", exact=True)
    expect(count).to_be_visible()
    assert [filled for filled, _ in stars_look(box)] == [0, 0, 0, 0, 0]
    count.click()  # nor does the distribution give it away
    expect(box.get_by_role("list")).to_be_hidden()
    box.get_by_role("radio", name="3 stars").click()
    expect(box.get_by_text("4.0 of 5 · 3 votes")).to_be_visible()
