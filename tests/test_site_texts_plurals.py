"""A site's own widget texts: every plural form its language needs, and the placeholders kept.

`votes.one` alone used to be saved, and the widget then had no text for 3 votes and stopped
with a TypeError. The settings form now refuses such texts in the author's language, and what
is already stored is completed from the built-in texts when served.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS_ENV, HostSite, LiveServer, free_port, voter
from tests.dashboard_support import Seeder, login, running
from widget import site_texts, store
from widget.models import Site
from widget.settings import Settings
from widget.store.sqlite.writer import open_database

OLD_TEXTS = {"en": {"votes": {"one": "{n} ballot"}, "thanks": "Cheers"}}


def stored_texts(settings: Settings, site: str = "alpha") -> Any:
    with sqlite3.connect(settings.db) as conn:
        row = conn.execute("SELECT settings FROM sites WHERE slug = ?", (site,)).fetchone()
    return json.loads(row[0]).get("texts")


@pytest.fixture
def author(settings: Settings) -> Iterator[tuple[TestClient, str]]:
    seed = Seeder(settings)
    seed.site("alpha", "Alpha", texts={"en": {"thanks": "Cheers"}})
    seed.author("alice", sites=("alpha",))
    seed.close()
    with running(settings) as client:
        yield client, login(client, "alice")


def save(client: TestClient, csrf: str, lang: str = "en", **texts: str) -> Any:
    form = {"csrf": csrf, "name": "Alpha", "threshold": "2", **texts}
    return client.post(
        "/dashboard/sites/alpha/settings",
        data=form,
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("field", "lines", "words"),
    [
        ("texts_en", "votes.one = {n} ballot", "en: votes needs a text for every plural form"),
        (
            "texts_sk",
            "votes.one = {n} hlas\nvotes.other = {n} hlasov",
            "(one, few, other); add few",
        ),
        ("texts_cs", "star.few = {n} hvězdy", "add one, other"),
        ("texts_fr", "votes.other = {n} voix", "(one, other); add one"),
        ("texts_en", "thanks.one = Cheers", "thanks does not change with a number"),
        ("texts_en", "votes = {count} votes", "votes uses {count}, which the widget does not fill"),
        ("texts_en", "summary = Rated {avg}", "summary must keep {avg} {votes}"),
        ("texts_de", "votes.one = eine Stimme\nvotes.other = viele", "votes must keep {n}"),
    ],
)
def test_the_form_refuses_texts_the_widget_could_not_show(
    author: tuple[TestClient, str], settings: Settings, field: str, lines: str, words: str
) -> None:
    client, csrf = author
    answer = save(client, csrf, **{field: lines})
    assert answer.status_code == 422
    assert words in answer.text
    assert stored_texts(settings) == {"en": {"thanks": "Cheers"}}  # nothing saved


def test_the_refusal_is_in_the_authors_language(
    author: tuple[TestClient, str], settings: Settings
) -> None:
    client, csrf = author
    answer = save(client, csrf, "de", texts_sk="votes.one = {n} hlas")
    assert answer.status_code == 422
    assert "sk: votes braucht einen Text für jede Pluralform (one, few, other)" in answer.text
    answer = save(client, csrf, "sk", texts_en="thanks.other = Hi")
    assert "en: text thanks nemá tvary podľa počtu" in answer.text
    assert stored_texts(settings) == {"en": {"thanks": "Cheers"}}


def test_complete_texts_are_saved_and_served(
    author: tuple[TestClient, str], settings: Settings
) -> None:
    client, csrf = author
    answer = save(
        client,
        csrf,
        texts_en="votes.one = {n} reader\nvotes.other = {n} readers\nsummary = {avg}/5, {votes}",
        texts_sk="votes.one = {n} hlas\nvotes.few = {n} hlasy\nvotes.other = {n} hlasov",
        texts_de="votes = {n} Stimme(n)",  # one text for every number is fine too
    )
    assert answer.status_code == 303, answer.text
    assert stored_texts(settings)["sk"]["votes"] == {
        "one": "{n} hlas",
        "few": "{n} hlasy",
        "other": "{n} hlasov",
    }
    served = client.get("/api/v1/summary?site=alpha&post=p&lang=en").json()["site"]
    assert served["languages"]["en"]["votes"] == {"one": "{n} reader", "other": "{n} readers"}


def test_plural_forms_follow_the_languages_rules() -> None:
    assert site_texts.plural_forms("en") == ("one", "other")
    assert site_texts.plural_forms("fr") == ("one", "other")
    assert site_texts.plural_forms("sk") == ("one", "few", "other")
    assert site_texts.plural_forms("cs-CZ") == ("one", "few", "other")


def test_old_texts_are_completed_from_the_built_in_ones() -> None:
    old = {
        "en": {"votes": {"one": "{n} ballot"}, "thanks.x": 3, "left": "{count} left"},
        "sk": {"thanks": {"one": "Vďaka"}, "votes": {"one": "{n} hlas", "few": "{x}"}},
        "de": "not a mapping",
    }
    served = site_texts.usable(old)
    assert served["en"] == {"votes": {"one": "{n} ballot", "other": "{n} votes"}}
    assert served["sk"] == {"votes": {"one": "{n} hlas", "few": "{n} hlasy", "other": "{n} hlasov"}}
    assert "de" not in served


@pytest.fixture
def old_data_frame(settings: Settings) -> Iterator[TestClient]:
    seed = Seeder(settings)
    seed.site("alpha", "Alpha", texts=OLD_TEXTS)
    seed.votes("alpha", "p", [5, 4, 3])
    seed.close()
    with running(settings) as client:
        yield client


def test_the_frame_shows_old_one_form_texts_with_the_built_in_rest(
    old_data_frame: TestClient,
) -> None:
    page = old_data_frame.get("/embed/frame?site=alpha&post=p&lang=en")
    assert page.status_code == 200
    assert "4.0 of 5 · 3 votes" in page.text
    fragment = old_data_frame.get("/embed/fragment?site=alpha&post=p&lang=en")
    assert "3 votes" in fragment.text


# --- the widget in a browser, over texts stored before the check ------------------------------


@pytest.fixture
def old_texts_server(tmp_path: Path) -> Iterator[LiveServer]:
    db = tmp_path / "old-texts.db"
    conn = open_database(str(db))
    conn.execute("BEGIN IMMEDIATE")
    store.save_site(conn, Site("old", "Old texts", (), {"texts": OLD_TEXTS}))
    conn.execute("COMMIT")
    conn.close()
    env = {"WIDGET_SECRET_KEY": "old-texts", **NO_LIMITS_ENV}
    server = LiveServer(db=db, port=free_port(), extra_env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_the_widget_renders_three_votes_over_a_one_form_site_text(
    chromium: Any, host_site: HostSite, old_texts_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    for rating in (5, 4, 3):
        vote = {"site": "old", "post": "three", "rating": rating, "voter": voter()}
        assert httpx.post(f"{old_texts_server.url}/api/v1/votes", json=vote).status_code == 200
    one = {"site": "old", "post": "one", "rating": 2, "voter": voter()}
    assert httpx.post(f"{old_texts_server.url}/api/v1/votes", json=one).status_code == 200
    body = (
        '<div data-rating-widget data-site="old" data-post="three"></div>\n'
        '<div data-rating-widget data-site="old" data-post="one"></div>\n'
        f'<script src="{old_texts_server.url}/embed.js" async></script>'
    )
    url = host_site.page("old-texts", body)
    context = chromium.new_context()
    errors: list[Any] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(url)
        expect(
            page.locator('[data-post="three"]').get_by_text("4.0 of 5 · 3 votes")
        ).to_be_visible()
        expect(page.locator('[data-post="one"]').get_by_text("2.0 of 5 · 1 ballot")).to_be_visible()
    finally:
        context.close()
    assert errors == []
