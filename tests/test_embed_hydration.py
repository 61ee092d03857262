"""A server-rendered page keeps what it rendered: a build-time fragment stays visible, at the
widget's height, until the live numbers replace it in place; the host element's own content is
never touched (so frameworks can hydrate it); readers without JavaScript see one summary."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests import browser_support
from tests.browser_support import axe_serious, embed_page, expect, seed, widget
from tests.conftest import ARTIFACTS, HostSite, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
context = browser_support.reader


def built_fragment(server: LiveServer, host: HostSite, post: str) -> str:
    """What a static-site build puts in the page: the fragment with its no-JavaScript frame."""
    query = {"site": "blog", "post": post, "frame": "1", "title": "Built post"}
    query["url"] = f"{host.url}/{post}.html"
    answer = httpx.get(f"{server.url}/embed/fragment?{urlencode(query)}")
    assert answer.status_code == 200
    return answer.text


# The page's layout shifts so far (Chrome keeps them for a buffered observer only).
LAYOUT_SHIFTS = """() => new Promise((done) => {
  new PerformanceObserver((list) => done(list.getEntries().map((e) => e.value)))
    .observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done([]), 500);
})"""


def hold_summaries(page: Any) -> list[Any]:
    """Keep the summary requests waiting until the test lets them go."""
    held: list[Any] = []
    page.route("**/api/v1/summary?*", lambda route: held.append(route))
    return held


def wait_for(page: Any, held: list[Any]) -> None:
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the widget never asked for its numbers")


def test_the_fragment_stays_until_the_numbers_replace_it_without_moving_the_page(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "built-1", [4, 5], site="blog")
    fragment = built_fragment(widget_server, host_site, "built-1")
    seed(widget_server, "built-1", [3], site="blog")  # a vote after the build
    body = widget("built-1", 'data-site="blog"', inside=fragment) + '<p id="after">Next.</p>'
    page = context.new_page()
    held = hold_summaries(page)
    page.goto(embed_page(host_site, widget_server, "built-1", body))
    wait_for(page, held)
    box = page.locator('[data-post="built-1"]')
    expect(box.get_by_text("4.5 of 5 · 2 votes")).to_be_visible()  # the build's numbers
    before = page.locator("#after").bounding_box()["y"]
    built_html = box.inner_html()
    held[0].continue_()
    expect(box.get_by_text("4.0 of 5 · 3 votes")).to_be_visible()  # the live ones, in place
    expect(box.get_by_text("4.5 of 5 · 2 votes")).to_be_hidden()
    assert page.locator("#after").bounding_box()["y"] == before
    assert sum(page.evaluate(LAYOUT_SHIFTS)) == 0  # not once since the page was first drawn
    assert box.inner_html() == built_html  # what the page rendered, untouched
    # One JSON-LD for the post: the build's (no second one in <head>), with the scale and URL.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert '"bestRating": 5' in built_html and f"{host_site.url}/built-1.html" in built_html
    assert axe_serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-after-fragment.png"))


def test_an_empty_element_holds_the_widgets_height_before_the_numbers(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    body = widget("reserved-1") + '<p id="after">Next.</p>'
    page = context.new_page()
    held = hold_summaries(page)
    page.goto(embed_page(host_site, widget_server, "reserved-1", body))
    wait_for(page, held)
    before = page.locator("#after").bounding_box()["y"]
    held[0].continue_()
    expect(page.locator('[data-post="reserved-1"]').get_by_text("No ratings yet")).to_be_visible()
    # The frame went up as the script ran; the numbers arriving move nothing.
    assert page.locator("#after").bounding_box()["y"] == before


def test_without_javascript_readers_see_one_summary_the_frames(
    chromium: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "built-nojs", [5], site="blog")
    fragment = built_fragment(widget_server, host_site, "built-nojs")
    body = widget("built-nojs", 'data-site="blog"', inside=fragment)
    url = embed_page(host_site, widget_server, "built-nojs", body)
    made = chromium.new_context(java_script_enabled=False)
    page = made.new_page()
    page.goto(url)
    frame = page.frame_locator('iframe[title="Rate this article"]')
    expect(frame.get_by_text("5.0 of 5 · 1 vote")).to_be_visible()
    expect(page.get_by_text("5.0 of 5 · 1 vote")).to_be_hidden()  # the fragment's own line
    frame.get_by_role("radio", name="4 stars").check()
    frame.get_by_role("button", name="Send rating").click()
    expect(frame.get_by_text("4.5 of 5 · 2 votes")).to_be_visible()
    made.close()
