"""The widget as readers meet it: Debian's Chromium, a real server, the host page elsewhere.

The host pages are plain HTML files served by a second HTTP server on another port (another
origin), exactly as a blog would embed the snippet. One browser, one widget server and one host
site serve the whole module; every test uses its own post ids and a fresh browser context
(empty storage), so the tests do not see each other. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import ARTIFACTS, HostSite, LiveServer, voter

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The page may not use storage", "SecurityError"); },
});
"""
HOSTILE_CSS = """<style>
  button { display: none !important; }
  * { color: red !important; font: 40px/1 serif !important; }
  div { padding: 40px !important; background: yellow !important; }
  svg, [role=radio], ul, p, form { display: none !important; visibility: hidden !important; }
</style>"""


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def widget(post: str, *extra: str) -> str:
    return f'<div data-rating-widget data-post="{post}" {" ".join(extra)}></div>'


def embed_page(
    host: HostSite, server: LiveServer, name: str, body: str, head: str = "", lang: str = "en"
) -> str:
    script = f'<script src="{server.url}/embed.js" async></script>'
    return host.page(name, f"{body}\n{script}", head=head, lang=lang)


def summary(server: LiveServer, post: str, site: str = "default") -> tuple[int, float]:
    found = httpx.get(f"{server.url}/api/v1/summary", params={"site": site, "post": post})
    data = found.json()["posts"][0]
    return data["count"], data["average"]


def db_rows(server: LiveServer, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.db) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh reader: new storage, a desktop window, and every page error collected."""
    made = chromium.new_context(viewport={"width": 1000, "height": 800})
    errors: list[Any] = []
    made.on("page", lambda page: page.on("pageerror", lambda error: errors.append(error)))
    yield made
    made.close()
    assert errors == [], errors


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


# --- feedback ------------------------------------------------------------------------------


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


def refusing(status: int) -> Any:
    """A route handler answering as the server does when it refuses."""

    def handler(route: Any) -> None:
        error = {"error": {"code": "refused", "message": "refused by the test"}}
        route.fulfill(status=status, json=error, headers={"Access-Control-Allow-Origin": "*"})

    return handler


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


# --- keyboard, languages, themes -----------------------------------------------------------


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


# --- stars: the average, the reader's own vote, the preview ---------------------------------


def seed(server: LiveServer, post: str, ratings: list[int], site: str = "default") -> None:
    """Other readers' votes, through the API."""
    for rating in ratings:
        body = {"site": site, "post": post, "rating": rating, "voter": voter()}
        httpx.post(f"{server.url}/api/v1/votes", json=body).raise_for_status()


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


# --- Escape, failures ----------------------------------------------------------------------


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


# --- accessibility and screenshots ---------------------------------------------------------


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
