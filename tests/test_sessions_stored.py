"""What a server-side session keeps (issue 12, item 2): a keyed hash of its id, never the id,
no address, no User-Agent; and what the account page shows of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard_support import login, running
from tests.session_support import FIREFOX_LINUX, SAFARI_IPHONE, query, seed_people
from widget.guard.auth import SESSION_COOKIE, SessionSigner, device_of, session_key
from widget.settings import Settings


@pytest.fixture
def people(settings: Settings) -> Settings:
    return seed_people(settings)


def _files(db: str) -> bytes:
    return b"".join(
        Path(db + suffix).read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(db + suffix).exists()
    )


def test_the_sessions_table_holds_no_raw_id_address_or_user_agent(people: Settings) -> None:
    with running(people) as browser:
        browser.headers["User-Agent"] = FIREFOX_LINUX
        login(browser, "alice")
        cookie = browser.cookies.get(SESSION_COOKIE)
        session = SessionSigner(str(people.secret_key)).loads(cookie)
        assert session is not None and len(session.sid) >= 40
        on_disk = _files(people.db)  # the WAL holds the newest pages while the server runs
        assert session.sid.encode() not in on_disk
        assert FIREFOX_LINUX.encode() not in on_disk
        assert b"testclient" not in on_disk  # the address the test client connects from
        rows = query(people, "SELECT * FROM sessions")
    assert len(rows) == 1
    key, _author, _created, _seen, browser_name, system = rows[0]
    assert key == session_key(str(people.secret_key), session.sid)
    assert (browser_name, system) == ("Firefox", "Linux")
    columns = [row[1] for row in query(people, "PRAGMA table_info(sessions)")]
    assert columns == ["key", "author_id", "created_at", "seen_at", "browser", "system"]


def test_the_account_page_lists_my_sessions_with_their_browsers(people: Settings) -> None:
    with running(people) as laptop, running(people) as phone, running(people) as other:
        laptop.headers["User-Agent"] = FIREFOX_LINUX
        phone.headers["User-Agent"] = SAFARI_IPHONE
        other.headers["User-Agent"] = "curl/8.5.0"
        login(laptop, "alice")
        login(phone, "alice")
        login(other, "bob")
        page = laptop.get("/dashboard/account", headers={"Accept-Language": "de"}).text
        phone_page = phone.get("/dashboard/account").text
    assert "Wo Sie angemeldet sind" in page
    assert "Firefox, Linux <strong>(dieser Browser)</strong>" in page
    assert "Safari, iOS" in page
    assert "Unbekannter Browser" not in page  # bob's session is not alice's business
    assert "Safari, iOS <strong>(this browser)</strong>" in phone_page
    assert phone_page.count("<time datetime=") == 4  # two sessions: logged in, last active


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (FIREFOX_LINUX, ("Firefox", "Linux")),
        (SAFARI_IPHONE, ("Safari", "iOS")),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            ("Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like"
            " Gecko) Chrome/126.0.0.0 Safari/537.36",
            ("Chrome", "macOS"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/126.0.0.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("curl/8.5.0", ("", "")),
        ("", ("", "")),
    ],
)
def test_only_a_coarse_browser_and_system_are_told_apart(
    agent: str, expected: tuple[str, str]
) -> None:
    assert device_of(agent) == expected
