"""The widget in a reader's browser: widgets mount and fetch their data, votes go in, change
and are withdrawn, with storage blocked, in a single-page app, without JavaScript, and after
the service failed. Helpers and the set-up in embed_browser_support.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import ARTIFACTS, HostSite, LiveServer, voter
from tests.embed_browser_support import (
    db_rows,
    embed_page,
    expect,
    refusing,
    seed,
    summary,
    widget,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The page may not use storage", "SecurityError"); },
});
"""


# --- mounting and data ---------------------------------------------------------------------


def test_several_widgets_arrive_with_one_code_and_one_data_request(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    body = "\n".join(
        [widget("batch-1"), widget("batch-2"), widget("batch-3"), widget("batch-4", 'lang="sk"')]
    )
    url = embed_page(host_site, widget_server, "batch", body)
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(url)
    for post in ("batch-1", "batch-2", "batch-3"):
        expect(page.locator(f'[data-post="{post}"]').get_by_text("No ratings yet")).to_be_visible()
    expect(
        page.locator('[data-post="batch-4"]').get_by_text("Zatiaľ bez hodnotenia")
    ).to_be_visible()
    data = [u for u in seen if "/api/v1/" in u]
    code = [u for u in seen if u.startswith(widget_server.url) and u.endswith(".js")]
    assert len(data) == 1, data
    assert all(f"post=batch-{n}" in data[0] for n in range(1, 5))
    assert "lang=en" in data[0] and "lang=sk" in data[0]
    assert code == [f"{widget_server.url}/embed.js"]


def test_one_request_per_site_and_the_post_id_from_the_canonical_link(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    canonical = '<link rel="canonical" href="https://blog.example.org/2026/landing/">'
    body = '<div id="no-id" data-rating-widget></div>' + widget("site-2", 'data-site="blog"')
    url = embed_page(host_site, widget_server, "two-sites", body, head=canonical)
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(url)
    expect(page.locator("#no-id").get_by_text("No ratings yet")).to_be_visible()
    expect(page.locator('[data-post="site-2"]').get_by_text("No ratings yet")).to_be_visible()
    data = sorted(u for u in seen if "/api/v1/" in u)
    assert len(data) == 2, data
    assert "site=blog" in data[0] and "post=site-2" in data[0]
    assert "site=default" in data[1] and "post=%2F2026%2Flanding%2F" in data[1]


def test_vote_reaches_the_api_and_the_widget_and_a_reload_remembers_it(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    other_reader = {"post": "reload-1", "rating": 2, "voter": voter()}
    httpx.post(f"{widget_server.url}/api/v1/votes", json=other_reader)
    url = embed_page(host_site, widget_server, "reload", widget("reload-1"))
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="reload-1"]')
    expect(box.get_by_text("2.0 of 5 · 1 vote")).to_be_visible()
    box.get_by_role("radio", name="4 stars").click()
    expect(box.get_by_role("status")).to_have_text("Thank you for rating!")
    expect(box.get_by_text("3.0 of 5 · 2 votes")).to_be_visible()
    assert summary(widget_server, "reload-1") == (2, 3.0)
    # The distribution shows on hover (and stays on tap).
    box.get_by_text("3.0 of 5 · 2 votes").hover()
    rows = box.get_by_role("list", name="How readers rated it").get_by_role("listitem")
    expect(rows).to_have_text(["5 stars0", "4 stars1", "3 stars0", "2 stars1", "1 star0"])
    page.reload()
    expect(box.get_by_role("radio", name="4 stars")).to_have_attribute("aria-checked", "true")
    expect(box.get_by_text("Your rating: 4 stars")).to_be_visible()
    expect(box.get_by_text("3.0 of 5 · 2 votes")).to_be_visible()
    assert context.cookies() == []


def test_change_and_withdraw(context: Any, widget_server: LiveServer, host_site: HostSite) -> None:
    url = embed_page(host_site, widget_server, "change", widget("change-1"))
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="change-1"]')
    box.get_by_role("radio", name="5 stars").click()
    expect(box.get_by_text("Your rating: 5 stars")).to_be_visible()
    box.get_by_role("button", name="Change").click()
    expect(box.get_by_role("radio", name="5 stars")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(box.get_by_text("Your rating: 4 stars")).to_be_visible()
    assert summary(widget_server, "change-1") == (1, 4.0)
    box.get_by_role("button", name="Withdraw").click()
    expect(box.get_by_role("status")).to_have_text("Your rating has been removed.")
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    assert summary(widget_server, "change-1") == (0, 0.0)
    page.reload()
    expect(box.get_by_text("No ratings yet")).to_be_visible()
    expect(box.locator("[aria-checked=true]")).to_have_count(0)


# --- storage, single-page apps, no JavaScript ----------------------------------------------


def test_blocked_local_storage_still_votes(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    context.add_init_script(BLOCK_STORAGE)
    url = embed_page(host_site, widget_server, "nostorage", widget("nostore-1"))
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="nostore-1"]')
    box.get_by_role("radio", name="2 stars").click()
    expect(box.get_by_text("Your rating: 2 stars")).to_be_visible()
    box.get_by_role("radio", name="3 stars").click()  # the same in-memory reader changes it
    expect(box.get_by_text("Your rating: 3 stars")).to_be_visible()
    assert summary(widget_server, "nostore-1") == (1, 3.0)
    assert context.cookies() == []


SPA_BODY = """
<div id="app"></div>
<script>
  // Queued before embed.js has loaded, as a single-page app's router might.
  window.RatingWidget = window.RatingWidget || [];
  const first = document.createElement("div");
  first.dataset.post = "spa-1";
  document.getElementById("app").append(first);
  RatingWidget.push(["mount", first]);
</script>
"""


def test_single_page_app_mount_unmount_refresh(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    url = embed_page(host_site, widget_server, "spa", SPA_BODY)
    page = context.new_page()
    page.goto(url)
    expect(page.locator('[data-post="spa-1"]').get_by_text("No ratings yet")).to_be_visible()
    page.evaluate(
        """() => {
        const next = document.createElement("div");
        next.dataset.post = "spa-2";
        document.getElementById("app").append(next);
        RatingWidget.mount(next);
        RatingWidget.unmount(document.querySelector('[data-post="spa-1"]'));
    }"""
    )
    second = page.locator('[data-post="spa-2"]')
    expect(second.get_by_text("No ratings yet")).to_be_visible()
    emptied = page.evaluate(
        "document.querySelector('[data-post=\"spa-1\"]').shadowRoot.children.length"
    )
    assert emptied == 0
    httpx.post(
        f"{widget_server.url}/api/v1/votes", json={"post": "spa-2", "rating": 5, "voter": voter()}
    )
    page.evaluate("RatingWidget.refresh()")
    expect(second.get_by_text("5.0 of 5 · 1 vote")).to_be_visible()


def test_without_javascript_the_frame_records_votes_and_feedback(
    chromium: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    frame_src = f"{widget_server.url}/embed/frame?site=default&amp;post=nojs-1"
    body = widget("nojs-1") + (
        f'<noscript><iframe src="{frame_src}" title="Rate this article"'
        ' style="border:0;width:100%;height:30rem"></iframe></noscript>'
    )
    url = embed_page(host_site, widget_server, "nojs", body)
    made = chromium.new_context(java_script_enabled=False)
    page = made.new_page()
    page.goto(url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_text("No ratings yet")).to_be_visible()
    frame.get_by_label("4 stars").check()
    frame.get_by_role("button", name="Send rating").click()
    expect(frame.get_by_role("status")).to_have_text("Thank you for rating!")
    expect(frame.get_by_text("4.0 of 5 · 1 vote")).to_be_visible()
    assert summary(widget_server, "nojs-1") == (1, 4.0)
    frame.get_by_label("1 star", exact=True).check()
    frame.get_by_role("button", name="Send rating").click()
    expect(frame.get_by_text("1.0 of 5 · 1 vote")).to_be_visible()
    frame.get_by_label("Out of date").check()
    frame.get_by_label("Your note to the author").fill("The screenshots show the old menu.")
    frame.get_by_role("button", name="Send", exact=True).click()
    expect(frame.get_by_role("status")).to_have_text("Thank you. The author will read your note.")
    stored = db_rows(
        widget_server, "SELECT rating, reason, text FROM feedback WHERE post = ?", "nojs-1"
    )
    assert stored == [(1, "outdated", "The screenshots show the old menu.")]
    page.screenshot(path=str(ARTIFACTS / "embed-nojs-frame.png"))
    made.close()


# --- failures ------------------------------------------------------------------------------


def failing(*answers: int | str) -> Any:
    """A summary route that fails with each answer in turn (a status, or "abort" for a lost
    connection), then lets requests through to the server."""
    left = list(answers)

    def handler(route: Any) -> None:
        if not left:
            route.continue_()
        elif (answer := left.pop(0)) == "abort":
            route.abort()
        else:
            headers = {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Expose-Headers": "Retry-After",
                "Retry-After": "1",
            }
            error = {"error": {"code": "busy", "message": "failed by the test"}}
            route.fulfill(status=answer, json=error, headers=headers)

    return handler


def test_a_failed_summary_is_said_in_the_pages_language_and_retried(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "down-1", [4])
    body = widget("down-1") + widget("down-sk", 'data-lang="sk-SK"')
    url = embed_page(host_site, widget_server, "down", body)
    page = context.new_page()
    page.route("**/api/v1/summary?**", failing(429))  # Retry-After: 1
    page.goto(url)
    box, slovak = page.locator("[data-post=down-1]"), page.locator("[data-post=down-sk]")
    expect(box.get_by_role("status")).to_have_text("Ratings are unavailable right now.")
    expect(slovak.get_by_role("status")).to_have_text("Hodnotenia sú teraz nedostupné.")
    expect(box.get_by_role("radio")).to_have_count(5)
    expect(box.get_by_role("radio", name="4/5")).to_be_visible()
    # One retry after the second the server asked for, and the widget is whole again.
    expect(box.get_by_text("4.0 of 5 · 1 vote")).to_be_visible()
    expect(slovak.get_by_text("Zatiaľ bez hodnotenia")).to_be_visible()
    expect(box.get_by_role("status")).to_have_text("")
    expect(box.get_by_role("radio", name="4 stars")).to_be_visible()


def test_a_reader_can_vote_once_the_service_is_back_and_refusals_have_vote_words(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    url = embed_page(host_site, widget_server, "back", widget("back-1"))
    page = context.new_page()
    page.route("**/api/v1/summary?**", failing("abort"))
    page.goto(url)
    box = page.locator("[data-post=back-1]")
    expect(box.get_by_role("status")).to_have_text("Ratings are unavailable right now.")
    # The service is back: the chosen star asks for the summary again, then votes.
    box.get_by_role("radio", name="4/5").click()
    expect(box.get_by_role("status")).to_have_text("Thank you for rating!")
    expect(box.get_by_role("radio", name="4 stars")).to_have_attribute("aria-checked", "true")
    assert summary(widget_server, "back-1") == (1, 4.0)
    page.route("**/api/v1/votes", refusing(422))
    box.get_by_role("radio", name="5 stars").click()
    expect(box.get_by_role("status")).to_have_text(
        "The rating could not be recorded. Please reload the page and try again."
    )
    assert summary(widget_server, "back-1") == (1, 4.0)
