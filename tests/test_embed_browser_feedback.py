"""The widget's feedback form in a reader's browser: opened by a low rating, offered after a
high one, refusals told in words, Escape. Helpers and the set-up in embed_browser_support.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import HostSite, LiveServer
from tests.embed_browser_support import db_rows, embed_page, expect, refusing, seed, widget

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_low_rating_opens_the_form_and_the_feedback_reaches_the_database(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    # The `blog` site: threshold 3, JSON-LD as Article, its own English thank-you.
    body = widget("form-1", 'data-site="blog"', 'data-title="Fixing the build"')
    url = embed_page(host_site, widget_server, "form", body)
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="form-1"]')
    box.get_by_role("radio", name="3 stars").click()
    expect(box.get_by_role("status")).to_have_text("Cheers, thank you!")
    form = box.locator("form")
    expect(form.get_by_text("What would have made it better?")).to_be_visible()
    note = form.get_by_label("Your note to the author")
    expect(form.get_by_text("2,000 characters left")).to_be_visible()
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("alert")).to_have_text("Please write a few words first.")
    expect(note).to_be_focused()
    form.get_by_role("button", name="Has mistakes").click()
    expect(form.get_by_role("button", name="Has mistakes")).to_have_attribute(
        "aria-pressed", "true"
    )
    note.fill("Step 3 still uses the old API.")
    expect(form.get_by_text("1,970 characters left")).to_be_visible()
    with page.expect_request("**/api/v1/feedback") as sent:
        form.get_by_role("button", name="Send").click()
    body_sent = json.loads(sent.value.post_data)
    assert body_sent["hp"] == "" and isinstance(body_sent["open_ms"], int)
    expect(box.get_by_role("status")).to_have_text("Thank you. The author will read your note.")
    expect(form).to_be_hidden()
    stored = db_rows(
        widget_server,
        "SELECT site, rating, reason, text, lang, status FROM feedback WHERE post = ?",
        "form-1",
    )
    assert stored == [("blog", 3, "incorrect", "Step 3 still uses the old API.", "en", "new")]
    # The site enabled JSON-LD, so the widget adds it for search engines.
    ld = json.loads(page.locator('head script[data-rw="blog/form-1"]').text_content())
    assert ld["@type"] == "Article" and ld["name"] == "Fixing the build"
    assert ld["aggregateRating"]["ratingCount"] == 1


def test_high_rating_offers_the_form_and_server_refusals_are_told_in_words(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    url = embed_page(host_site, widget_server, "refusals", widget("refuse-1"))
    page = context.new_page()
    page.goto(url)
    box = page.locator('[data-post="refuse-1"]')
    box.get_by_role("radio", name="5 stars").click()
    expect(box.locator("form")).to_have_count(0)
    box.get_by_role("button", name="Tell the author more").click()
    form = box.locator("form")
    expect(form.get_by_label("Your note to the author")).to_be_focused()
    form.get_by_label("Your note to the author").fill("More diagrams, please.")
    answers = {
        429: "Too many attempts. Please wait a minute and try again.",
        422: "The note could not be accepted. Please check it and try again.",
    }
    for status, words in answers.items():
        page.route("**/api/v1/feedback", refusing(status))
        form.get_by_role("button", name="Send").click()
        expect(form.get_by_role("alert")).to_have_text(words)
        page.unroute("**/api/v1/feedback")
    form.get_by_role("button", name="Not now").click()
    expect(form).to_be_hidden()
    expect(box.get_by_role("button", name="Tell the author more")).to_be_focused()


def test_escape_closes_the_distribution_then_the_form(
    context: Any, widget_server: LiveServer, host_site: HostSite
) -> None:
    seed(widget_server, "escape-1", [4])
    url = embed_page(host_site, widget_server, "escape", widget("escape-1"))
    page = context.new_page()
    page.goto(url)
    box = page.locator("[data-post=escape-1]")
    numbers = box.get_by_role("button", name="4.0 of 5 · 1 vote")
    numbers.click()
    spread = box.get_by_role("list", name="How readers rated it")
    expect(spread).to_be_visible()
    page.keyboard.press("Escape")
    expect(spread).to_be_hidden()
    expect(numbers).to_be_focused()
    expect(numbers).to_have_attribute("aria-expanded", "false")
    one = box.get_by_role("radio", name="1 star", exact=True)
    one.click()
    note = box.get_by_label("Your note to the author")
    note.fill("Half a thought")
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(one).to_be_focused()
    # The unsent note waits for the reader's return.
    page.keyboard.press("Enter")
    expect(note).to_have_value("Half a thought")
