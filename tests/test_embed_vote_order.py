"""However fast a reader clicks, the rating stored is the last one chosen; and "Change" shows
that the stars wait for a new choice, also after a mouse click (which shows no focus ring)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import browser_support
from tests.browser_support import axe_serious, db_rows, embed_page, expect, widget
from tests.conftest import ARTIFACTS, HostSite, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
context = browser_support.reader

# Counts the vote requests in flight at once and the ratings sent, in the page itself.
WATCH_VOTES = """
const realFetch = window.fetch;
window.sentVotes = { now: 0, most: 0, ratings: [] };
window.fetch = function (url, options) {
  if (!String(url).includes("/api/v1/votes")) return realFetch.apply(this, arguments);
  const seen = window.sentVotes;
  seen.most = Math.max(seen.most, ++seen.now);
  seen.ratings.push(options.method == "DELETE" ? 0 : JSON.parse(options.body).rating);
  return realFetch.apply(this, arguments).finally(() => seen.now--);
};
"""


def click_in_one_go(page: Any, post: str, ratings: list[int]) -> None:
    """Clicks on several stars within the same millisecond (faster than any hand)."""
    page.evaluate(
        """([post, ratings]) => {
        const host = document.querySelector(`[data-post="${post}"]`);
        const stars = host.shadowRoot.querySelectorAll("[role=radio]");
        for (const r of ratings) stars[r - 1].click();
    }""",
        [post, ratings],
    )


@pytest.mark.parametrize("trial", range(5))
def test_the_last_of_many_quick_clicks_is_the_rating_stored(
    context: Any, widget_server: LiveServer, host_site: HostSite, trial: int
) -> None:
    post = f"order-{trial}"
    context.add_init_script(WATCH_VOTES)
    page = context.new_page()
    page.goto(embed_page(host_site, widget_server, post, widget(post)))
    box = page.locator(f'[data-post="{post}"]')
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    clicks = [[1, 2, 3, 4, 5], [5, 1, 4], [2, 5, 3], [4, 4, 1, 2], [3, 1]][trial]
    click_in_one_go(page, post, clicks)
    last = clicks[-1]
    expect(box.get_by_text(f"Your rating: {last} star")).to_be_visible()
    expect(box.get_by_text(f"{last}.0 of 5 · 1 vote")).to_be_visible()
    page.wait_for_function("window.sentVotes.now == 0")
    seen = page.evaluate("window.sentVotes")
    assert seen["most"] == 1, seen  # one write at a time, so they cannot cross
    assert seen["ratings"] == [clicks[0], last], seen  # the choices in between were skipped
    assert db_rows(widget_server, "SELECT votes, total FROM posts WHERE post = ?", post) == [
        (1, last)
    ]


def test_a_quick_withdraw_after_a_vote_leaves_no_vote(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    page = context.new_page()
    page.goto(embed_page(host_site, widget_server, "order-withdraw", widget("order-w")))
    box = page.locator('[data-post="order-w"]')
    box.get_by_role("radio", name="3 stars").click()
    expect(box.get_by_role("button", name="Withdraw")).to_be_visible()
    page.evaluate(
        """() => {
        const root = document.querySelector('[data-post="order-w"]').shadowRoot;
        root.querySelectorAll("[role=radio]")[4].click();
        root.querySelector("[data-a=withdraw]").click();
    }"""
    )
    expect(box.get_by_role("status")).to_have_text("Your rating has been removed.")
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    assert db_rows(widget_server, "SELECT votes FROM posts WHERE post = 'order-w'") == [(0,)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_change_after_a_mouse_click_shows_the_stars_waiting(
    chromium: Any, widget_server: LiveServer, host_site: HostSite, scheme: str
) -> None:
    post = f"change-wait-{scheme}"
    made = chromium.new_context(color_scheme=scheme, viewport={"width": 700, "height": 300})
    page = made.new_page()
    page.goto(embed_page(host_site, widget_server, post, widget(post)))
    box = page.locator(f'[data-post="{post}"]')
    box.get_by_role("radio", name="4 stars").click()
    expect(box.get_by_text("Your rating: 4 stars")).to_be_visible()
    stars = box.get_by_role("radiogroup")
    expect(stars).to_have_css("outline-style", "none")
    box.get_by_role("button", name="Change").click()
    expect(box.get_by_role("status")).to_have_text("Rate this article")
    expect(stars).to_have_css("outline-style", "dashed")
    assert axe_serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-change-waiting-{scheme}.png"))
    box.get_by_role("radio", name="2 stars").click()
    expect(box.get_by_text("Your rating: 2 stars")).to_be_visible()
    expect(stars).to_have_css("outline-style", "none")
    # Escape gives up the change and leaves the rating as it was.
    box.get_by_role("button", name="Change").click()
    expect(stars).to_have_css("outline-style", "dashed")
    page.keyboard.press("Escape")
    expect(stars).to_have_css("outline-style", "none")
    expect(box.get_by_role("status")).to_have_text("")
    expect(box.get_by_text("Your rating: 2 stars")).to_be_visible()
    made.close()
