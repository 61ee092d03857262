"""One choice of language for the widget, the frame and the dashboard: q-values decide, and an
explicit choice (the widget's `lang`, the dashboard's menu) wins over the browser's header."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.dashboard_support import csrf_of
from widget import i18n

# English is accepted, but barely: Slovak (q=1 by default) is what this reader wants.
SLOVAK_MOSTLY = "en;q=0.1, sk"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (SLOVAK_MOSTLY, "sk"),
        ("sk", "sk"),
        ("sk-SK,sk;q=0.9,en-US;q=0.8", "sk"),
        ("CS_cz", "cs"),  # the underscore of POSIX locales, as some clients send it
        ("de-AT, sk;q=0.8, en;q=0.5", "de"),  # the region does not matter
        ("pl-PL, sk;q=0.8, en;q=0.5", "sk"),  # Polish is not shipped
        ("pt-BR,de;q=0.8,en;q=0.5", "de"),
        ("en;q=0.2, sk;q=0.7", "sk"),  # the q-values decide, not the order
        ("fr;q=0.5, es;q=0.5", "fr"),  # a tie keeps the order
        ("sk;q=0, en;q=0.1", "en"),  # q=0 means "not Slovak"
        ("sk;q=oops, de;q=0.1", "de"),  # a broken q-value cannot win
        ("sk;q=2, de;q=0.1", "de"),  # nor one out of range
        ("*, sk;q=0.5", "sk"),
        ("pl, hu", None),
        ("<script>", None),
        ("", None),
        (None, None),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str | None) -> None:
    assert i18n.negotiate(header) == expected


def test_an_explicit_choice_wins_and_english_is_the_last_resort() -> None:
    assert i18n.choose("de", SLOVAK_MOSTLY) == "de"
    assert i18n.choose("xx", SLOVAK_MOSTLY) == "sk"  # an unknown choice is no choice
    assert i18n.choose(None, "ja") == "en"


def test_the_frame_honours_q_values(client: TestClient) -> None:
    page = client.get(
        "/embed/frame?site=default&post=p", headers={"Accept-Language": SLOVAK_MOSTLY}
    )
    assert '<html lang="sk">' in page.text
    assert "Ohodnoťte tento článok" in page.text


def test_the_frames_lang_wins_over_the_header(client: TestClient) -> None:
    page = client.get(
        "/embed/frame?site=default&post=p&lang=de", headers={"Accept-Language": SLOVAK_MOSTLY}
    )
    assert '<html lang="de">' in page.text and "Diesen Artikel bewerten" in page.text


def test_the_frames_error_page_speaks_the_readers_language(client: TestClient) -> None:
    page = client.get("/embed/frame?site=nope&post=p", headers={"Accept-Language": SLOVAK_MOSTLY})
    assert page.status_code == 404
    assert '<html lang="sk">' in page.text


def test_the_summary_api_negotiates_the_embeds_ask_the_same_way(client: TestClient) -> None:
    answer = client.get("/api/v1/summary", params={"post": "p", "lang": SLOVAK_MOSTLY}).json()
    assert answer["site"]["chosen"] == ["sk"]
    assert answer["site"]["languages"]["sk"]["label"] == "Ohodnoťte tento článok"


def test_the_dashboard_honours_q_values_and_the_menu_wins(client: TestClient) -> None:
    client.headers["Accept-Language"] = SLOVAK_MOSTLY
    login = client.get("/dashboard/login")
    assert '<html lang="sk">' in login.text and "Prihlásiť sa" in login.text
    switched = client.post(
        "/dashboard/language",
        data={"csrf": csrf_of(login.text), "lang": "en", "back": "/dashboard/login"},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert '<html lang="en">' in client.get("/dashboard/login").text
