"""A new operator and author in Debian's Chromium: setup link, triage, settings, export, axe.

Runs `python -m widget seed-demo` and `serve` as an operator would, then drives the dashboard
on a desktop and a phone viewport, in light and dark. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, ROOT, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a passphrase for the editor"


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    """The shared Chromium of conftest.py, under the name these tests use."""
    return chromium


@pytest.fixture
def seeded_server(live_server: LiveServer) -> LiveServer:
    subprocess.run(
        [sys.executable, "-m", "widget", "seed-demo", "--db", str(live_server.db)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return live_server.start()


def setup_link(server: LiveServer) -> str:
    assert server.log_path is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"(/dashboard/setup\?token=[\w-]+)", server.log_path.read_text())
        if found:
            return server.url + found.group(1)
        time.sleep(0.1)
    raise AssertionError("no setup link in the log:\n" + server.log_path.read_text())


def shoot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=full_page)


def assert_accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    assert violations == [], results.generate_report()


def test_new_operator_and_author_workflow(seeded_server: LiveServer, browser: Any) -> None:
    base = seeded_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )

    # The operator starts the service with no account: the log shows a one-time link.
    page.goto(base + "/dashboard")
    assert page.url == base + "/dashboard/login"
    page.goto(setup_link(seeded_server))
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("text=Create admin and log in")
    page.wait_for_url(base + "/dashboard")
    assert page.locator("h1").inner_text() == "Your sites"
    assert page.locator("text=Field Notes").count() >= 1
    shoot(page, "home")
    assert_accessible(page)

    # Overview: ranked posts, totals and a server-drawn chart.
    page.click("h2 >> text=Field Notes")
    page.wait_for_url(re.compile(r".*/dashboard/sites/field-notes$"))
    assert page.locator("table.posts tbody tr").count() == 50
    assert (page.locator("svg[role=img] title").first.text_content() or "").startswith(
        "Votes per day"
    )
    shoot(page, "overview")
    assert_accessible(page)
    page.click("text=90 days")
    page.select_option("#sort", "votes")
    page.click("form.filters >> text=Apply")
    page.wait_for_url(re.compile(r".*sort=votes.*"))
    votes = [
        int(v.replace(",", ""))
        for v in page.locator("table.posts tbody td:nth-child(5)").all_inner_texts()
    ]
    assert votes == sorted(votes, reverse=True)

    # One post in detail.
    page.locator("table.posts tbody th a").first.click()
    page.wait_for_url(re.compile(r".*/post\?post=.*"))
    assert page.locator("text=Distribution of ratings").count() >= 1
    page.click("#dist-h ~ details summary, section:has(#dist-h) details summary")
    assert page.locator("section:has(#dist-h) table").is_visible()
    shoot(page, "post")
    assert_accessible(page)

    # Inbox: triage two items at once.
    page.click("nav[aria-label=Main] >> text=Inbox")
    page.wait_for_url(base + "/dashboard/inbox")
    unread_before = int(page.locator(".top .count").inner_text())
    shoot(page, "inbox", full_page=False)
    assert_accessible(page)
    first_two = page.locator("article.feedback.status-new input[name=ids]")
    first_two.nth(0).check()
    first_two.nth(1).check()
    page.select_option("#action", "planned")
    page.click("form#bulk >> text=Apply")
    page.wait_for_url(re.compile(r".*/dashboard/inbox\?done=2"))
    assert "2 items updated" in page.locator("p.notice").inner_text()
    assert int(page.locator(".top .count").inner_text()) == unread_before - 2

    # One item with a private note.
    item = page.locator("article.feedback.status-new").first
    item.locator("summary").click()
    item.locator("input[value=dismissed]").check()
    item.locator("textarea").fill("Answered by mail.")
    item.locator("text=Save").click()
    page.wait_for_load_state()
    assert page.locator("text=Answered by mail.").count() >= 1

    # Settings: a new threshold, honoured by the public API at once; the embed code copies.
    page.goto(base + "/dashboard/sites/field-notes/settings")
    assert_accessible(page)
    page.select_option("#threshold", "4")
    page.click("text=Save settings")
    page.wait_for_url(re.compile(r".*settings\?saved=1"))
    summary = page.request.get(base + "/api/v1/summary?site=field-notes&post=anything").json()
    assert summary["site"]["threshold"] == 4
    copy = page.locator("button.copy")
    assert copy.is_visible()
    copy.click()
    page.wait_for_function("document.querySelector('.copied').textContent.length > 0")
    shoot(page, "settings")

    # Export: the CSV a spreadsheet would open.
    page.goto(base + "/dashboard/sites/field-notes/exports")
    with page.expect_download() as info:
        page.click("text=votes, 30 days, CSV")
    path = info.value.path()
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"post", "title", "rating", "created_at", "updated_at"}
    assert all(1 <= int(row["rating"]) <= 5 for row in rows)

    # The audit log records the settings change.
    page.goto(base + "/dashboard/audit")
    assert page.locator("text=update site").count() >= 1
    assert csp_errors == []
    context.close()


def test_phone_and_dark_mode(seeded_server: LiveServer, browser: Any) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "widget",
            "create-author",
            "writer",
            "--site",
            "field-notes",
            "--db",
            str(seeded_server.db),
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    base = seeded_server.url
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, color_scheme=scheme, is_mobile=True
        )
        page = context.new_page()
        page.goto(base + "/dashboard/login")
        page.fill("#username", "writer")
        page.fill("#password", PASSWORD)
        page.click("button.primary")  # the header also holds the language buttons
        page.wait_for_url(base + "/dashboard")
        page.goto(base + "/dashboard/sites/field-notes")
        # Nothing is wider than the screen except the table, which scrolls in its own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        shoot(page, f"phone-overview-{scheme}", full_page=False)
        page.goto(base + "/dashboard/inbox")
        assert page.locator("text=Operator Handbook").count() == 0  # not this author's site
        shoot(page, f"phone-inbox-{scheme}", full_page=False)
        if scheme == "dark":
            assert_accessible(page)
        context.close()


def test_slovak_author_on_desktop_and_phone(seeded_server: LiveServer, browser: Any) -> None:
    """A browser set to Slovak gets the dashboard in Slovak; the switch goes to English."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "widget",
            "create-author",
            "jana",
            "--site",
            "field-notes",
            "--db",
            str(seeded_server.db),
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    base = seeded_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sk-SK")
    page = context.new_page()
    page.goto(base + "/dashboard/login")
    assert page.locator("h1").inner_text() == "Prihlásenie"
    page.fill("#username", "jana")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/dashboard")
    assert page.locator("h1").inner_text() == "Vaše weby"

    page.goto(base + "/dashboard/sites/field-notes")
    assert page.get_attribute("html", "lang") == "sk"
    assert (page.locator("svg[role=img] title").first.text_content() or "").startswith(
        "Hlasy za deň"
    )
    # Times rewritten by the script in Slovak ("25. 11. 2026 14:03"), not the browser default.
    first_time = page.locator("table.posts time").first.inner_text()
    assert re.match(r"\d{1,2}\. \d{1,2}\. \d{4}", first_time), first_time
    assert page.locator("form.filters").is_visible()
    shoot(page, "sk-overview", full_page=False)
    assert_accessible(page)

    # A post: the longer Slovak star labels fit inside the histogram.
    page.locator("table.posts tbody th a").first.click()
    page.wait_for_url(re.compile(r".*/post\?post=.*"))
    assert page.locator("svg.histogram text.axis").first.text_content() == "5 hviezdičiek"
    leftmost = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.histogram text.axis')]"
        ".map(t => t.getBBox().x))"
    )
    assert leftmost >= 0

    # Wide screen: the inbox filters are shown; the summary that folds them is not needed.
    page.goto(base + "/dashboard/inbox")
    assert page.locator("details.filter-box form").is_visible()
    assert page.locator("details.filter-box > summary").is_hidden()

    # The switch: English from now on, for this browser, whatever it asks for.
    page.click("details.languages > summary")
    page.click("button[value=en]")
    page.wait_for_url(base + "/dashboard/inbox")
    assert page.locator("h1").inner_text() == "Feedback inbox"
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("details.languages > summary").inner_text().endswith("English")
    page.click("details.languages > summary")
    page.click("button[value=sk]")
    page.wait_for_url(base + "/dashboard/inbox")
    assert page.locator("h1").inner_text() == "Schránka spätnej väzby"
    context.close()

    # A phone: the filters fold away so that feedback fills the first screen.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="sk-SK"
    )
    page = phone.new_page()
    page.goto(base + "/dashboard/login")
    page.fill("#username", "jana")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/dashboard")
    page.goto(base + "/dashboard/inbox")
    assert page.locator("details.filter-box > summary").is_visible()
    assert page.locator("#q").is_hidden()
    assert page.locator("article.feedback").first.bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "sk-inbox", full_page=False)
    assert_accessible(page)
    page.click("details.filter-box > summary")
    assert page.locator("#q").is_visible()
    phone.close()
