"""The dashboard in the author's language: complete catalogues, the choice, and what a Slovak
author sees on the overview, the inbox, a post and the settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from starlette.testclient import TestClient

from tests.dashboard_support import Seeder, csrf_of, login, running
from widget.http.dashboard.messages import CATALOGUES, Texts
from widget.settings import Settings

ENGLISH = CATALOGUES["en"]
# Names, symbols and words a language borrows from English as they are.
SAME_AS_ENGLISH = {"app_name", "none_value", "status_spam", "widget_section"}
BORROWED = {
    "de": {"feedback", "tab_feedback", "export_feedback", "name", "status", "status_nav"}
    | {"export_format"},
    "fr": {"nav_sites", "sort_score", "sort_votes", "votes", "col_score", "col_votes", "score"}
    | {"site", "site_section", "sites", "export_votes", "export_format", "exports", "tab_exports"}
    | {"vote_count", "votes_in_range"},
}
SLOVAK = {"Accept-Language": "sk-SK,sk;q=0.9,en;q=0.5"}


# --- the catalogues -----------------------------------------------------------------------------


# Complete catalogues, placeholders and plural forms: tests/test_catalogues_complete.py.


@pytest.mark.parametrize("lang", [lang for lang in CATALOGUES if lang != "en"])
def test_no_text_is_english_left_untranslated(lang: str) -> None:
    same = {k for k, v in CATALOGUES[lang].items() if v == ENGLISH[k]}
    allowed = SAME_AS_ENGLISH | BORROWED.get(lang, set())
    assert same <= allowed, sorted(same - allowed)


def test_slovak_plurals_have_three_forms() -> None:
    t = Texts("sk")
    assert [t("vote_count", n=n) for n in (1, 3, 5, 0)] == [
        "1 hlas",
        "3 hlasy",
        "5 hlasov",
        "0 hlasov",
    ]
    assert t("items_updated", n=2) == "Zmenili sa 2 položky."
    assert t("stars", n=1) == "1 hviezdička"


def test_numbers_and_dates_follow_the_language() -> None:
    sk, en = Texts("sk"), Texts("en")
    assert sk.decimal(4.35) == "4,35" and en.decimal(4.35) == "4.35"
    assert sk.number(12345) == "12\u00a0345" and en.number(12345) == "12,345"
    assert sk.date(date(2026, 11, 25)) == "25. 11. 2026" and en.date("2026-11-25") == "2026-11-25"
    assert sk.percent(0.5) == "50\u00a0%" and en.percent(0.5) == "50%"
    assert sk.when(None) == "nikdy"
    assert Texts("cs").date("2026-01-05") == "5. 1. 2026"
    assert Texts("cs")("vote_count", n=5) == "5 hlasů"
    de = Texts("de")
    assert de.date("2026-01-05") == "5.1.2026" and de.decimal(1234.5) == "1.234,50"  # CLDR
    fr = Texts("fr")
    assert fr.date("2026-01-05") == "05/01/2026" and fr.decimal(1234.5) == "1\u202f234,50"
    assert fr("vote_count", n=0) == "0 vote"  # French counts zero as singular
    es = Texts("es")
    # Babel groups four digits too (it has no CLDR minimum grouping digits, which spared 1234)
    assert es.number(1234) == "1.234" and es.number(12345) == "12.345"
    assert es.date("2026-01-05") == "5/1/2026" and es.decimal(4.35) == "4,35"


def test_html_texts_escape_the_text_but_keep_markup_values() -> None:
    from markupsafe import Markup

    shown = Texts("en").html("no_votes_yet", link=Markup('<a href="/x">Settings</a>'))
    assert '<a href="/x">Settings</a>' in shown
    assert "<script>" not in Texts("en").html("reset_heading", title="<script>")


# The choice of language, the same for every surface: tests/test_language_negotiation.py.


# --- what a Slovak author sees ------------------------------------------------------------------


@pytest.fixture
def slovak_author(settings: Settings) -> Iterator[tuple[TestClient, str]]:
    seed = Seeder(settings)
    seed.site("blog", "Blog o horách")
    seed.author("jana", sites=("blog",))
    seed.votes("blog", "tatry", [5, 4, 4, 5, 3], "Cez Tatry pešo", "https://blog.example/tatry")
    seed.votes("blog", "fatra", [2, 1], "Veľká Fatra v zime", "https://blog.example/fatra")
    seed.feedback("blog", "fatra", "Chýba mapa výstupu.", 2, "incomplete")
    seed.feedback("blog", "fatra", "Druhá správa", 1, "unclear")
    seed.feedback("blog", "fatra", "Tretia správa", 1, "unclear")
    seed.close()
    with running(settings) as client:
        client.headers.update(SLOVAK)
        yield client, login(client, "jana")


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_in_slovak(slovak_author: tuple[TestClient, str]) -> None:
    client, _ = slovak_author
    page = client.get("/dashboard/sites/blog")
    assert page.status_code == 200
    assert '<html lang="sk">' in page.text
    text = visible_text(page.text)
    for phrase in (
        "Hlasy, 30 dní",
        "Ich priemer",
        "Hodnotené články",
        "Zoradiť podľa",
        "2 články.",
    ):
        assert phrase in text, phrase
    assert "Hlasy za deň, 30 dní" in page.text  # the chart's title
    assert re.search(r"\d,\d\d", text)  # averages with a decimal comma
    assert "Votes per day" not in page.text and "Sort by" not in text


def test_inbox_in_slovak_with_plural_forms(slovak_author: tuple[TestClient, str]) -> None:
    client, _ = slovak_author
    page = client.get("/dashboard/inbox")
    text = visible_text(page.text)
    assert "Schránka spätnej väzby" in text
    assert "3 položky, najnovšie navrchu." in text
    assert "Označeným nastaviť stav" in text and "Všetko okrem spamu" in text
    assert 'aria-label="3 nové"' in page.text  # the unread count in the navigation
    assert "1 hviezdička" in page.text and "2 hviezdičky" in page.text
    assert '<span class="reason">Niečo chýba</span>' in page.text  # the reader's reason, worded
    assert "Feedback inbox" not in text and "newest first" not in text


def test_post_page_in_slovak(slovak_author: tuple[TestClient, str]) -> None:
    client, _ = slovak_author
    page = client.get("/dashboard/sites/blog/post?post=fatra").text
    text = visible_text(page)
    for phrase in ("Rozdelenie hodnotení", "Najnovšie hlasy", "Začať odznova", "Vynulovať hlasy…"):
        assert phrase in text, phrase
    assert "1,50" in text  # (2 + 1) / 2 with a decimal comma
    assert '<th scope="row">2 hviezdičky</th><td>1 (50\u00a0%)</td>' in page


def test_settings_in_slovak_with_errors_in_slovak(slovak_author: tuple[TestClient, str]) -> None:
    client, csrf = slovak_author
    page = client.get("/dashboard/sites/blog/settings")
    text = visible_text(page.text)
    assert "Kód na vloženie" in text and "Uložiť nastavenia" in text
    assert 'data-copied="Skopírované."' in page.text  # the copy button's message for the script
    refused = client.post(
        "/dashboard/sites/blog/settings", data={"csrf": csrf, "name": "", "threshold": "9"}
    )
    assert refused.status_code == 422
    assert "Nič sa neuložilo" in refused.text
    assert "Názov musí mať 1 až 100 znakov." in refused.text
    assert "Vyberte hranicu od 1 do 5 hviezdičiek." in refused.text


def test_errors_and_login_page_in_slovak(settings: Settings) -> None:
    with running(settings) as client:
        login_page = client.get("/dashboard/login", headers=SLOVAK)
        assert "Prihlásiť sa" in login_page.text and '<html lang="sk">' in login_page.text
        missing = client.get("/dashboard/nowhere", headers=SLOVAK)
        assert missing.status_code == 404
        assert "Nenašlo sa" in missing.text and "taká stránka neexistuje" in missing.text


def test_the_switch_changes_the_language_and_keeps_it(
    slovak_author: tuple[TestClient, str],
) -> None:
    client, _ = slovak_author
    inbox = client.get("/dashboard/inbox?status=new")
    assert "Schránka spätnej väzby" in inbox.text
    assert re.search(r'<button[^>]*value="en"[^>]*>English</button>', inbox.text)
    switched = client.post(
        "/dashboard/language",
        data={"csrf": csrf_of(inbox.text), "lang": "en", "back": "/dashboard/inbox?status=new"},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/dashboard/inbox?status=new"  # back where they were
    cookie = switched.headers["set-cookie"]
    assert "Path=/dashboard" in cookie and "HttpOnly" in cookie
    english = client.get("/dashboard/inbox")  # the browser still asks for Slovak
    assert '<html lang="en">' in english.text and "Feedback inbox" in english.text
    back = client.post(
        "/dashboard/language",
        data={"csrf": csrf_of(english.text), "lang": "sk", "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/dashboard"  # never off-site
    assert "Vaše weby" in client.get("/dashboard").text


def test_the_switch_refuses_unknown_languages_and_forged_forms(
    slovak_author: tuple[TestClient, str],
) -> None:
    client, csrf = slovak_author
    unknown = client.post("/dashboard/language", data={"csrf": csrf, "lang": "xx"})
    assert unknown.status_code == 422
    assert "vyberte jeden z jazykov: en, cs, de, es, fr, sk" in unknown.text
    forged = client.post("/dashboard/language", data={"csrf": "forged", "lang": "en"})
    assert forged.status_code == 403
    assert '<html lang="sk">' in client.get("/dashboard").text  # nothing changed


def test_inbox_filters_fold_away_unless_in_use(slovak_author: tuple[TestClient, str]) -> None:
    client, _ = slovak_author
    plain = client.get("/dashboard/inbox").text
    assert re.search(r'<details class="filter-box">\s*<summary>Filtre</summary>', plain)
    filtered = client.get("/dashboard/inbox?rating=1").text
    assert '<details class="filter-box" open>' in filtered


def test_inbox_in_czech(slovak_author: tuple[TestClient, str]) -> None:
    client, _ = slovak_author
    page = client.get("/dashboard/inbox", headers={"Accept-Language": "cs"})
    text = visible_text(page.text)
    assert '<html lang="cs">' in page.text
    assert "Schránka zpětné vazby" in text and "3 položky, nejnovější nahoře." in text
    assert '<span class="reason">Něco chybí</span>' in page.text
