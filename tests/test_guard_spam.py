"""Feedback spam and crawlers: scored, kept as `spam` for review, never dropped or shown as new."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.conftest import voter
from tests.guard_support import client_from, guarded_settings, via_proxy
from widget.guard.spam import RecentTexts, is_crawler, score_feedback
from widget.models import FeedbackInput

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/126.0 Safari/537.36"
)


def item(text: str = "The second example fails on Python 3.12.", **extra: Any) -> FeedbackInput:
    values: dict[str, Any] = {"open_ms": 15_000}
    values.update(extra)
    return FeedbackInput(site="default", post="p", voter=voter(), text=text, **values)


def judge(feedback: FeedbackInput, user_agent: str | None = BROWSER, recent: Any = None) -> Any:
    return score_feedback(
        feedback,
        user_agent=user_agent,
        recent=recent or RecentTexts(),
        now=1000.0,
        min_open_ms=2500,
        max_links=2,
    )


@pytest.mark.parametrize(
    ("feedback", "spam", "signal"),
    [
        (item(), False, None),
        (item("See https://docs.python.org/3/ for the details."), False, None),
        (item(honeypot="http://cheap.example"), True, "honeypot"),
        (item(open_ms=300), False, "too_fast"),
        (item(open_ms=None), False, "no_timing"),
        (
            item("a https://a.example b https://b.example c https://c.example d www.d.example"),
            False,
            "links",
        ),
        (item("[url=http://x.example]best prices[/url]"), False, "markup"),
        # Signals add up: a fast, link-stuffed post from a script is spam.
        (item("https://a.example https://b.example https://c.example", open_ms=200), True, "links"),
        (item('<a href="http://x.example">x</a>', open_ms=None), True, "markup"),
    ],
)
def test_spam_scoring_cases(feedback: FeedbackInput, spam: bool, signal: str | None) -> None:
    verdict = judge(feedback)
    assert verdict.is_spam is spam
    assert verdict.status == ("spam" if spam else "new")
    if signal is None:
        assert verdict.signals == ()
        assert verdict.score == 0.0
    else:
        assert signal in verdict.signals


def test_repeated_longer_text_becomes_spam_but_short_phrases_do_not() -> None:
    recent = RecentTexts()
    copies = [
        "Great article!!! Visit our store for the best deals 2024",
        "great article visit our store for the best deals 2025",
        "GREAT ARTICLE. Visit our store, for the best deals",
    ]
    verdicts = [judge(item(text, open_ms=4000), recent=recent) for text in copies * 2]
    assert [v.is_spam for v in verdicts] == [False, False, False, True, True, True]
    assert all("repeated" in v.signals for v in verdicts[2:])
    short = [judge(item("Outdated."), recent=recent) for _ in range(10)]
    assert not any("repeated" in v.signals for v in short)


def test_recent_texts_forget_after_the_window_and_stay_bounded() -> None:
    recent = RecentTexts(window_seconds=60, max_entries=50)
    assert [recent.count("same words here", t) for t in (0, 1, 2)] == [1, 2, 3]
    assert recent.count("same words here", 100) == 1
    for n in range(500):
        recent.count(f"text number {n} " + "x" * (n % 7), 200)
    assert len(recent._seen) <= 50


@pytest.mark.parametrize(
    ("user_agent", "crawler"),
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", True),
        ("Scrapy/2.11 (+https://scrapy.org)", True),
        ("Wget/1.21.4", True),
        (BROWSER, False),
        ("Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120", False),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0", False),
        ("curl/8.5.0", False),  # a person at a terminal, as in the README
        ("", False),
        (None, False),
    ],
)
def test_crawler_detection(user_agent: str | None, crawler: bool) -> None:
    assert is_crawler(user_agent) is crawler


def _feedback_rows(db: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT text, status, spam_score FROM feedback ORDER BY id").fetchall()
    finally:
        conn.close()


def test_spam_is_stored_as_spam_and_the_sender_cannot_tell(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path)
    with client_from(settings) as client:
        honest = client.post(
            "/api/v1/feedback",
            json={"post": "p", "voter": voter(), "text": "Step 3 is missing.", "open_ms": 20000},
            headers=via_proxy("198.51.100.1", **{"User-Agent": BROWSER}),
        )
        bot = client.post(
            "/api/v1/feedback",
            json={"post": "p", "voter": voter(), "text": "nice", "hp": "filled", "open_ms": 50},
            headers=via_proxy("198.51.100.2", **{"User-Agent": BROWSER}),
        )
        crawler = client.post(
            "/api/v1/feedback",
            json={"post": "p", "voter": voter(), "text": "Indexing.", "open_ms": 20000},
            headers=via_proxy("198.51.100.3", **{"User-Agent": "Googlebot/2.1"}),
        )
    assert [r.status_code for r in (honest, bot, crawler)] == [201, 201, 201]
    assert honest.json()["status"] == bot.json()["status"] == "received"
    rows = _feedback_rows(settings.db)
    assert [(text, status) for text, status, _ in rows] == [
        ("Step 3 is missing.", "new"),
        ("nice", "spam"),
        ("Indexing.", "spam"),
    ]
    assert rows[0][2] == 0.0 and rows[1][2] >= 1.0


def test_crawler_votes_are_refused_openly(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path)
    with client_from(settings) as client:
        response = client.post(
            "/api/v1/votes",
            json={"post": "p", "rating": 5, "voter": voter()},
            headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "bot"
        assert response.headers["x-content-type-options"] == "nosniff"
        count = client.get("/api/v1/summary?post=p").json()["posts"][0]["count"]
        assert count == 0
        # Crawlers may still read summaries (JSON-LD, previews).
        read = client.get("/api/v1/summary?post=p", headers={"User-Agent": "Googlebot/2.1"})
        assert read.status_code == 200


# --- Akismet, against a fake on 127.0.0.1 ---------------------------------------------------


class FakeAkismet(BaseHTTPRequestHandler):
    requests: list[dict[str, list[str]]] = []  # noqa: RUF012 - one server per test run
    answer = "false"

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        type(self).requests.append({"path": [self.path], **form})
        text = form.get("comment_content", [""])[0]
        if type(self).answer == "broken":
            body, status = b"invalid", 200
        else:
            body, status = (b"true" if "casino" in text else b"false"), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def akismet() -> Iterator[str]:
    FakeAkismet.requests = []
    FakeAkismet.answer = "false"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAkismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/1.1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_akismet_second_opinion(tmp_path: Path, akismet: str) -> None:
    settings = guarded_settings(tmp_path, akismet_key="test-key", akismet_url=akismet)
    with client_from(settings) as client:

        def send(text: str, **extra: Any) -> int:
            response = client.post(
                "/api/v1/feedback",
                json={"post": "p", "voter": voter(), "text": text, "open_ms": 9000, **extra},
                headers=via_proxy("198.51.100.8", **{"User-Agent": BROWSER}),
            )
            return response.status_code

        assert send("The diagram is upside down.", lang="en") == 201
        assert send("Play at our casino tonight") == 201
        assert send("obvious bot", hp="x") == 201  # already spam: Akismet is not asked
        FakeAkismet.answer = "broken"
        assert send("Akismet is confused now, the local score stands.") == 201
    statuses = [status for _, status, _ in _feedback_rows(settings.db)]
    assert statuses == ["new", "spam", "spam", "new"]
    sent = FakeAkismet.requests
    assert len(sent) == 3
    first = sent[0]
    assert first["path"] == ["/1.1/comment-check"]
    assert first["api_key"] == ["test-key"]
    assert first["user_ip"] == ["198.51.100.8"]
    assert first["user_agent"] == [BROWSER]
    assert first["comment_type"] == ["contact-form"]
    assert first["blog_lang"] == ["en"]


def test_akismet_down_does_not_lose_feedback(tmp_path: Path) -> None:
    settings = guarded_settings(
        tmp_path, akismet_key="k", akismet_url="http://127.0.0.1:9/unreachable"
    )
    with client_from(settings) as client:
        response = client.post(
            "/api/v1/feedback",
            json={"post": "p", "voter": voter(), "text": "Typo in the title.", "open_ms": 9000},
        )
    assert response.status_code == 201
    assert [status for _, status, _ in _feedback_rows(settings.db)] == ["new"]
