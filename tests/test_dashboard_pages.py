"""Every dashboard page and action through create_app, as an author would use them."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from tests.dashboard_support import Seeder, csrf_of, feedback_status, login, running
from widget.settings import Settings


@dataclass
class World:
    settings: Settings
    alpha_feedback: int
    beta_feedback: int


@pytest.fixture
def world(settings: Settings) -> World:
    seed = Seeder(settings)
    seed.site("alpha", "Alpha Blog")
    seed.site("beta", "Beta Docs")
    seed.author("root", admin=True)
    seed.author("alice", sites=("alpha",))
    seed.author("bob", sites=("beta",))
    seed.votes(
        "alpha", "good-post", [5, 5, 5, 4, 5, 5, 4, 5], "A good post", "https://a.example/good"
    )
    seed.votes("alpha", "lucky-post", [5], "Lucky post", "https://a.example/lucky")
    seed.votes("alpha", "weak-post", [1, 2, 2, 1, 3], "Weak post", "https://a.example/weak", 3)
    seed.votes("beta", "secret-post", [4, 4], "Beta secret post")
    alpha = seed.feedback("alpha", "weak-post", "The second step is missing a command.")
    seed.feedback("alpha", "weak-post", "Typo in the title", 2, "other", "done")
    beta = seed.feedback("beta", "secret-post", "Beta-only confidential remark")
    seed.close()
    return World(settings, alpha, beta)


@pytest.fixture
def alice(world: World) -> Iterator[tuple[TestClient, str]]:
    with running(world.settings) as client:
        yield client, login(client, "alice")


@pytest.fixture
def root(world: World) -> Iterator[tuple[TestClient, str]]:
    with running(world.settings) as client:
        yield client, login(client, "root")


def rows_of_posts(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="title"><a href="[^"]+">([^<]+)</a>', html)


# --- getting in ---------------------------------------------------------------------------------


def test_dashboard_sends_visitors_to_the_login_form(client: TestClient) -> None:
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/dashboard/login"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert '<form method="post" action="/dashboard/login"' in page.text


def test_a_deep_link_comes_back_after_login(world: World) -> None:
    with running(world.settings) as client:
        first = client.get("/dashboard/inbox?status=new", follow_redirects=False)
        assert (
            first.headers["location"] == "/dashboard/login?next=%2Fdashboard%2Finbox%3Fstatus%3Dnew"
        )
        form = client.get(first.headers["location"])
        done = client.post(
            "/dashboard/login",
            data={
                "csrf": csrf_of(form.text),
                "username": "alice",
                "password": "correct horse battery",
                "next": "/dashboard/inbox?status=new",
            },
            follow_redirects=False,
        )
        assert done.headers["location"] == "/dashboard/inbox?status=new"


def test_login_never_redirects_off_site(world: World) -> None:
    with running(world.settings) as client:
        form = client.get("/dashboard/login")
        done = client.post(
            "/dashboard/login",
            data={
                "csrf": csrf_of(form.text),
                "username": "alice",
                "password": "correct horse battery",
                "next": "//evil.example/phish",
            },
            follow_redirects=False,
        )
        assert done.headers["location"] == "/dashboard"


def test_wrong_password_is_refused_with_a_message(world: World) -> None:
    with running(world.settings) as client:
        form = client.get("/dashboard/login")
        response = client.post(
            "/dashboard/login",
            data={"csrf": csrf_of(form.text), "username": "alice", "password": "nope nope nope"},
        )
        assert response.status_code == 401
        assert "do not match an account" in response.text
        assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_session_cookie_is_httponly_lax_and_scoped(world: World) -> None:
    with running(world.settings) as client:
        form = client.get("/dashboard/login")
        response = client.post(
            "/dashboard/login",
            data={
                "csrf": csrf_of(form.text),
                "username": "alice",
                "password": "correct horse battery",
            },
            follow_redirects=False,
        )
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
        assert "Path=/dashboard" in cookie
        assert "Max-Age=" in cookie
        assert "Secure" not in cookie  # plain http in this test


def test_session_cookie_is_secure_behind_https(world: World) -> None:
    settings = world.settings.replace(public_url="https://ratings.example.org")
    with running(settings) as client:
        form = client.get("/dashboard/login")
        assert "Secure" in form.headers["set-cookie"]


def test_a_tampered_session_cookie_is_not_a_login(world: World) -> None:
    with running(world.settings) as client:
        login(client, "alice")
        value = client.cookies.get("rw_session")
        assert value
        client.cookies.clear()
        client.cookies.set("rw_session", value[:-3] + "abc", path="/dashboard")
        assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(alice: tuple[TestClient, str]) -> None:
    client, csrf = alice
    response = client.post("/dashboard/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.headers["location"] == "/dashboard/login"
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


# --- pages --------------------------------------------------------------------------------------


def test_home_lists_only_my_sites(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    page = client.get("/dashboard")
    assert "Alpha Blog" in page.text
    assert "Beta Docs" not in page.text
    assert 'href="/dashboard/authors"' not in page.text  # not an admin


def test_overview_ranks_by_bayesian_score_with_raw_average_beside(
    alice: tuple[TestClient, str],
) -> None:
    client, _ = alice
    page = client.get("/dashboard/sites/alpha?range=all")
    assert page.status_code == 200
    # One 5-star vote has the best raw average but must not outrank eight strong votes.
    assert rows_of_posts(page.text) == ["A good post", "Lucky post", "Weak post"]
    assert "5.00" in page.text  # the lucky post's raw average is still shown
    assert "<svg" in page.text and "<title" in page.text and "Show the numbers" in page.text


def test_overview_sorts_filters_and_ranges(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    by_votes_up = client.get("/dashboard/sites/alpha?sort=votes&dir=asc&range=all")
    assert rows_of_posts(by_votes_up.text) == ["Lucky post", "Weak post", "A good post"]
    searched = client.get("/dashboard/sites/alpha?q=weak")
    assert rows_of_posts(searched.text) == ["Weak post"]
    at_least = client.get("/dashboard/sites/alpha?min=6")
    assert rows_of_posts(at_least.text) == ["A good post"]
    for range_key in ("7", "30", "90", "all"):
        assert client.get(f"/dashboard/sites/alpha?range={range_key}").status_code == 200
    # Unknown values fall back to defaults instead of failing.
    odd = client.get("/dashboard/sites/alpha?sort=drop+table&dir=sideways&range=9&page=-1&min=x")
    assert odd.status_code == 200
    assert rows_of_posts(odd.text)[0] == "A good post"


def test_overview_totals_follow_the_range(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    week = client.get("/dashboard/sites/alpha?range=7").text
    assert re.search(r"<dt>Votes, 7 days</dt><dd>14</dd>", week)


def test_overview_paginates(settings: Settings) -> None:
    seed = Seeder(settings)
    seed.site("big")
    seed.author("carol", sites=("big",))
    for n in range(120):
        seed.votes("big", f"post-{n:03d}", [1 + n % 5], f"Post {n:03d}")
    seed.close()
    with running(settings) as client:
        login(client, "carol")
        first = client.get("/dashboard/sites/big?sort=title&dir=asc")
        assert rows_of_posts(first.text)[:2] == ["Post 000", "Post 001"]
        assert "Page 1 of 3" in first.text
        last = client.get("/dashboard/sites/big?sort=title&dir=asc&page=3")
        assert rows_of_posts(last.text) == [f"Post {n:03d}" for n in range(100, 120)]
        assert "120 posts" in last.text


def test_post_page_shows_histogram_trend_votes_and_feedback(
    alice: tuple[TestClient, str],
) -> None:
    client, _ = alice
    page = client.get("/dashboard/sites/alpha/post?post=weak-post")
    assert page.status_code == 200
    assert "Distribution of ratings" in page.text
    assert "Average rating over time" in page.text
    assert "The second step is missing a command." in page.text
    assert 'aria-label="2 stars"' in page.text  # recent votes, no voter shown
    assert "voter-" not in page.text and "key1" not in page.text
    assert 'href="https://a.example/weak"' in page.text


def test_unknown_post_is_a_404_page(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    page = client.get("/dashboard/sites/alpha/post?post=nothing-here")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_inbox_lists_newest_first_and_filters(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    page = client.get("/dashboard/inbox")
    assert page.status_code == 200
    assert page.text.index("Typo in the title") < page.text.index("The second step")
    assert "Beta-only" not in page.text
    only_new = client.get("/dashboard/inbox?status=new")
    assert "The second step" in only_new.text and "Typo in the title" not in only_new.text
    by_text = client.get("/dashboard/inbox?q=typo")
    assert "Typo in the title" in by_text.text and "The second step" not in by_text.text
    by_rating = client.get("/dashboard/inbox?rating=2")
    assert "Typo in the title" in by_rating.text and "The second step" not in by_rating.text
    by_reason = client.get("/dashboard/inbox?reason=unclear&site=alpha&post=weak-post")
    assert "The second step" in by_reason.text and "Typo" not in by_reason.text


def test_unread_count_in_navigation(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    page = client.get("/dashboard")
    assert re.search(r'Inbox <span class="count" aria-label="1 new">1</span>', page.text)


def test_bulk_action_changes_status_and_unread_count(
    world: World, alice: tuple[TestClient, str]
) -> None:
    client, csrf = alice
    response = client.post(
        "/dashboard/inbox/bulk",
        data={"csrf": csrf, "action": "planned", "ids": [str(world.alpha_feedback)]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "done=1" in response.headers["location"]
    assert feedback_status(world.settings, world.alpha_feedback)[0] == "planned"
    assert 'class="count"' not in client.get("/dashboard").text


def test_bulk_action_without_selection_is_a_clear_error(alice: tuple[TestClient, str]) -> None:
    client, csrf = alice
    response = client.post("/dashboard/inbox/bulk", data={"csrf": csrf, "action": "done"})
    assert response.status_code == 422
    assert "select at least one item" in response.text


def test_triage_one_item_with_a_private_note(world: World, alice: tuple[TestClient, str]) -> None:
    client, csrf = alice
    response = client.post(
        f"/dashboard/feedback/{world.alpha_feedback}",
        data={"csrf": csrf, "status": "done", "note": "Added the command in v2."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert feedback_status(world.settings, world.alpha_feedback) == (
        "done",
        "Added the command in v2.",
    )
    assert "Added the command in v2." in client.get("/dashboard/inbox").text


def test_spam_is_hidden_unless_asked_for(world: World, alice: tuple[TestClient, str]) -> None:
    client, csrf = alice
    client.post(
        "/dashboard/inbox/bulk",
        data={"csrf": csrf, "action": "spam", "ids": [str(world.alpha_feedback)]},
    )
    assert "The second step" not in client.get("/dashboard/inbox").text
    assert "The second step" in client.get("/dashboard/inbox?status=spam").text


def test_settings_page_shows_embed_code_with_copy_button(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    page = client.get("/dashboard/sites/alpha/settings")
    assert page.status_code == 200
    assert "data-site=&#34;alpha&#34;" in page.text or 'data-site="alpha"' in page.text.replace(
        "&#34;", '"'
    )
    assert "/embed.js" in page.text
    assert 'data-copy="embed-code"' in page.text


def test_saved_settings_are_honoured_by_the_api_at_once(
    world: World, alice: tuple[TestClient, str]
) -> None:
    client, csrf = alice
    form = {
        "csrf": csrf,
        "name": "Alpha Blog",
        "origins": "https://alpha.example\nhttps://www.alpha.example",
        "threshold": "4",
        "reasons": "confusing too-long",
        "languages": "en sk",
        "schema": "BlogPosting",
        "hide_average": "on",
        "texts_en": "thanks = Cheers!\nreason_confusing = I got lost\n"
        "votes.one = {n} reader\nvotes.other = {n} readers",
    }
    response = client.post("/dashboard/sites/alpha/settings", data=form, follow_redirects=False)
    assert response.status_code == 303
    summary = client.get("/api/v1/summary?site=alpha&post=good-post").json()
    assert summary["site"]["threshold"] == 4
    assert summary["site"]["reasons"] == ["confusing", "too-long"]
    assert summary["site"]["schema"] == "BlogPosting"
    assert summary["site"]["hide_average"] is True
    assert summary["site"]["texts"]["en"]["thanks"] == "Cheers!"
    assert summary["site"]["texts"]["en"]["votes"] == {"one": "{n} reader", "other": "{n} readers"}
    page = client.get("/dashboard/sites/alpha/settings")
    assert "https://www.alpha.example" in page.text
    assert "thanks = Cheers!" in page.text
    refused = client.post(
        "/api/v1/votes",
        json={"site": "alpha", "post": "x", "rating": 5, "voter": "v" * 20},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert refused.status_code == 403


def test_invalid_settings_are_explained_and_change_nothing(
    world: World, alice: tuple[TestClient, str]
) -> None:
    client, csrf = alice
    for field, value, message in [
        ("origins", "not a url", "is not an origin"),
        ("threshold", "9", "threshold from 1 to 5"),
        ("reasons", "Bad Reason!", "lowercase letters"),
        ("schema", "<script>", "schema.org types"),
        ("texts_en", "unknown_key = hi", "is not a text of the widget"),
        ("name", "", "The name needs"),
    ]:
        form = {"csrf": csrf, "name": "Alpha Blog", "threshold": "3", field: value}
        response = client.post("/dashboard/sites/alpha/settings", data=form)
        assert response.status_code == 422, field
        assert message in response.text, field
    summary = client.get("/api/v1/summary?site=alpha&post=good-post").json()
    assert summary["site"]["threshold"] == 2


def test_reset_needs_confirmation_then_deletes_votes_and_is_audited(
    world: World, root: tuple[TestClient, str]
) -> None:
    client, csrf = root
    confirm = client.get("/dashboard/sites/alpha/reset?post=weak-post")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    unconfirmed = client.post(
        "/dashboard/sites/alpha/reset", data={"csrf": csrf, "post": "weak-post"}
    )
    assert unconfirmed.status_code == 422
    assert client.get("/api/v1/summary?site=alpha&post=weak-post").json()["posts"][0]["count"] == 5
    done = client.post(
        "/dashboard/sites/alpha/reset",
        data={"csrf": csrf, "post": "weak-post", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    summary = client.get("/api/v1/summary?site=alpha&post=weak-post").json()["posts"][0]
    assert summary["count"] == 0 and summary["distribution"] == [0, 0, 0, 0, 0]
    audit = client.get("/dashboard/audit")
    assert "reset post" in audit.text and "alpha/weak-post" in audit.text
    assert "root" in audit.text
    post = client.get("/dashboard/sites/alpha/post?post=weak-post")
    assert "The second step is missing a command." in post.text  # feedback kept


def test_exports_csv_and_json_without_voter_identity(alice: tuple[TestClient, str]) -> None:
    client, _ = alice
    votes = client.get("/dashboard/sites/alpha/export?kind=votes&format=csv&range=all")
    assert votes.status_code == 200
    assert votes.headers["content-type"].startswith("text/csv")
    assert "attachment" in votes.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(votes.text)))
    assert len(rows) == 14
    assert set(rows[0]) == {"post", "title", "rating", "created_at", "updated_at"}
    assert "key1" not in votes.text and "voter-" not in votes.text
    feedback = client.get("/dashboard/sites/alpha/export?kind=feedback&format=json&range=all")
    items = json.loads(feedback.text)
    assert {item["text"] for item in items} == {
        "The second step is missing a command.",
        "Typo in the title",
    }
    recent = client.get("/dashboard/sites/alpha/export?kind=votes&format=json&range=7")
    assert len(json.loads(recent.text)) == 14
    assert client.get("/dashboard/sites/alpha/export?kind=passwords").status_code == 422
    assert client.get("/dashboard/sites/alpha/exports").status_code == 200


def test_csv_export_defuses_spreadsheet_formulas(settings: Settings) -> None:
    seed = Seeder(settings)
    seed.site("alpha")
    seed.author("alice", sites=("alpha",))
    seed.feedback("alpha", "p", '=HYPERLINK("http://evil.example","click")')
    seed.close()
    with running(settings) as client:
        login(client, "alice")
        body = client.get("/dashboard/sites/alpha/export?kind=feedback&format=csv&range=all").text
        assert "'=HYPERLINK" in body


def test_account_password_change_ends_other_sessions(world: World) -> None:
    with running(world.settings) as laptop, running(world.settings) as phone:
        csrf = login(laptop, "alice")
        login(phone, "alice")
        wrong = laptop.post(
            "/dashboard/account",
            data={
                "csrf": csrf,
                "current": "guess guess",
                "password": "x" * 12,
                "password2": "x" * 12,
            },
        )
        assert wrong.status_code == 422
        changed = laptop.post(
            "/dashboard/account",
            data={
                "csrf": csrf,
                "current": "correct horse battery",
                "password": "a much longer passphrase",
                "password2": "a much longer passphrase",
            },
        )
        assert changed.status_code == 200 and "was changed" in changed.text
        assert laptop.get("/dashboard", follow_redirects=False).status_code == 200
        assert phone.get("/dashboard", follow_redirects=False).status_code == 303


# --- admin --------------------------------------------------------------------------------------


def test_admin_creates_a_site_and_an_author_who_sees_only_it(
    world: World, root: tuple[TestClient, str]
) -> None:
    client, csrf = root
    made = client.post(
        "/dashboard/sites/new",
        data={"csrf": csrf, "slug": "gamma", "name": "Gamma Notes"},
        follow_redirects=False,
    )
    assert made.headers["location"] == "/dashboard/sites/gamma/settings"
    assert client.get("/api/v1/summary?site=gamma&post=p").status_code == 200
    taken = client.post("/dashboard/sites/new", data={"csrf": csrf, "slug": "gamma", "name": "G"})
    assert taken.status_code == 422
    reserved = client.post("/dashboard/sites/new", data={"csrf": csrf, "slug": "new", "name": "N"})
    assert reserved.status_code == 422
    created = client.post(
        "/dashboard/authors/new",
        data={
            "csrf": csrf,
            "username": "dana",
            "password": "dana's long password",
            "sites": "gamma",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert "dana" in client.get("/dashboard/authors").text
    with running(world.settings) as dana:
        login(dana, "dana", "dana's long password")
        home = dana.get("/dashboard").text
        assert "Gamma Notes" in home and "Alpha Blog" not in home


def test_admin_changes_access_and_removes_an_author(
    world: World, root: tuple[TestClient, str]
) -> None:
    client, csrf = root
    conn = sqlite3.connect(world.settings.db)
    bob_id = conn.execute("SELECT id FROM authors WHERE username = 'bob'").fetchone()[0]
    conn.close()
    client.post(f"/dashboard/authors/{bob_id}", data={"csrf": csrf, "sites": ["alpha", "beta"]})
    with running(world.settings) as bob:
        login(bob, "bob")
        assert "Alpha Blog" in bob.get("/dashboard").text
        client.post(f"/dashboard/authors/{bob_id}", data={"csrf": csrf, "action": "delete"})
        assert bob.get("/dashboard", follow_redirects=False).status_code == 303
    assert "delete author" in client.get("/dashboard/audit").text


def test_the_last_admin_cannot_demote_themselves(
    world: World, root: tuple[TestClient, str]
) -> None:
    client, csrf = root
    conn = sqlite3.connect(world.settings.db)
    root_id = conn.execute("SELECT id FROM authors WHERE username = 'root'").fetchone()[0]
    conn.close()
    response = client.post(f"/dashboard/authors/{root_id}", data={"csrf": csrf, "sites": []})
    assert response.status_code == 422
    assert "at least one admin must remain" in response.text


def test_admin_replaces_a_forgotten_password(world: World, root: tuple[TestClient, str]) -> None:
    client, csrf = root
    conn = sqlite3.connect(world.settings.db)
    alice_id = conn.execute("SELECT id FROM authors WHERE username = 'alice'").fetchone()[0]
    conn.close()
    with running(world.settings) as alice:
        login(alice, "alice")
        short = client.post(
            f"/dashboard/authors/{alice_id}",
            data={"csrf": csrf, "sites": "alpha", "password": "short"},
        )
        assert short.status_code == 422
        done = client.post(
            f"/dashboard/authors/{alice_id}",
            data={"csrf": csrf, "sites": "alpha", "password": "a brand new passphrase"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert alice.get("/dashboard", follow_redirects=False).status_code == 303
        login(alice, "alice", "a brand new passphrase")
        assert "Alpha Blog" in alice.get("/dashboard").text
