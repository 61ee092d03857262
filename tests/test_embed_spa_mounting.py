"""Single-page apps with no glue: widgets that a router adds, swaps or removes later mount and
unmount by themselves, and a vote names the page it was cast on, not the one first loaded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import browser_support
from tests.browser_support import db_rows, embed_page, expect, seed, widget
from tests.conftest import HostSite, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
context = browser_support.reader

# A router as a framework would write one: it swaps the page's content for the next route's,
# pushes the URL and sets the title afterwards (as React's effects do), and never calls the
# widget. Each "page" holds the one-div contract.
ROUTER = """
<nav><a href="#" data-to="first">First</a> <a href="#" data-to="second">Second</a>
<a href="#" data-to="none">No widget</a></nav>
<main id="app"></main>
<script>
  const post = (id) => `<div data-rating-widget data-site="blog" data-post="${id}"></div>`;
  const pages = {
    first: "<h1>First post</h1>" + post("route-1"),
    second: "<h1>Second post</h1>" + post("route-2"),
    none: "<h1>About</h1>",
  };
  const titles = { first: "First post", second: "Second post", none: "About" };
  function go(name) {
    document.getElementById("app").innerHTML = pages[name];
    history.pushState({}, "", "?page=" + name);
    setTimeout(() => (document.title = titles[name]), 50);
  }
  document.querySelector("nav").onclick = (e) => {
    e.preventDefault();
    if (e.target.dataset.to) go(e.target.dataset.to);
  };
  go("first");
</script>
"""


def jsonld_in_head(page: Any) -> list[dict[str, Any]]:
    found = page.locator('head script[type="application/ld+json"]').all_text_contents()
    return [json.loads(text) for text in found]


def test_a_router_swapping_pages_gets_a_widget_on_each_with_its_own_title_and_url(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "route-1", [4, 5], site="blog")  # the blog site has JSON-LD on
    url = embed_page(host_site, widget_server, "router", ROUTER)
    page = context.new_page()
    page.goto(url)
    first = page.locator('[data-post="route-1"]')
    expect(first.get_by_text("4.5 of 5 · 2 votes")).to_be_visible()
    expect(page).to_have_title("First post")
    [ld] = jsonld_in_head(page)
    assert ld["name"] == "First post" and ld["url"] == f"{host_site.url}/router.html?page=first"
    assert ld["aggregateRating"]["bestRating"] == 5 and ld["aggregateRating"]["worstRating"] == 1

    page.get_by_role("link", name="Second").click()
    second = page.locator('[data-post="route-2"]')
    expect(second.get_by_text("No ratings yet")).to_be_visible()
    assert jsonld_in_head(page) == []  # the first post's left with its widget
    expect(page).to_have_title("Second post")
    second.get_by_role("radio", name="4 stars").click()
    expect(second.get_by_text("Your rating: 4 stars")).to_be_visible()
    stored = db_rows(
        widget_server, "SELECT title, url FROM posts WHERE site = 'blog' AND post = 'route-2'"
    )
    assert stored == [("Second post", f"{host_site.url}/router.html?page=second")]
    [ld] = jsonld_in_head(page)
    assert ld["name"] == "Second post" and ld["aggregateRating"]["ratingCount"] == 1

    page.get_by_role("link", name="No widget").click()
    expect(page.get_by_role("heading", name="About")).to_be_visible()
    expect(page.get_by_role("radiogroup")).to_have_count(0)
    assert jsonld_in_head(page) == []
    page.go_back()  # the router draws nothing on popstate: no widget, and no error either
    page.get_by_role("link", name="First").click()
    expect(page.locator('[data-post="route-1"]').get_by_text("4.5 of 5 · 2 votes")).to_be_visible()


def test_an_element_reused_for_another_post_shows_that_posts_numbers(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "reuse-2", [2])
    url = embed_page(host_site, widget_server, "reuse", widget("reuse-1", 'id="w"'))
    page = context.new_page()
    page.goto(url)
    box = page.locator("#w")
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    # Frameworks keep the element and change its attributes when the route changes.
    page.evaluate("document.getElementById('w').dataset.post = 'reuse-2'")
    expect(box.get_by_text("2.0 of 5 · 1 vote")).to_be_visible()
    box.get_by_role("radio", name="5 stars").click()
    expect(box.get_by_text("3.5 of 5 · 2 votes")).to_be_visible()
    assert db_rows(widget_server, "SELECT votes FROM posts WHERE post = 'reuse-1'") == []


def test_widgets_added_together_share_one_request_and_the_host_element_is_left_alone(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "late-1", [5], site="blog")
    url = embed_page(host_site, widget_server, "late", '<div id="later"></div>')
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#later")).to_be_attached()
    page.wait_for_function("!!(window.RatingWidget && window.RatingWidget.mount)")
    asked: list[str] = []
    page.on("request", lambda r: "/api/v1/summary" in r.url and asked.append(r.url))
    page.evaluate(
        """() => {
        const markup = ['late-1', 'late-2', 'late-3']
          .map((p) => `<div data-rating-widget data-site="blog" data-post="${p}"><p>built</p>`)
          .map((open) => open + "</div>")
          .join("");
        document.getElementById("later").innerHTML = markup;
    }"""
    )
    for post in ("late-2", "late-3"):
        expect(page.locator(f'[data-post="{post}"]').get_by_text("No ratings yet")).to_be_visible()
    expect(page.locator('[data-post="late-1"]').get_by_text("5.0 of 5 · 1 vote")).to_be_visible()
    assert len(asked) == 1, asked
    # What a framework hydrates stays exactly as it rendered it; the JSON-LD is in <head>.
    light = page.eval_on_selector_all("[data-rating-widget]", "all => all.map((e) => e.innerHTML)")
    assert light == ["<p>built</p>"] * 3
    assert [ld["name"] for ld in jsonld_in_head(page)] == ["late"]
