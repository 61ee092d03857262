"""Every dashboard page and action an author uses, through create_app: overview, post, inbox,
settings, reset and exports. Getting in is in test_dashboard_login.py, admin work in
test_dashboard_admin.py."""

from __future__ import annotations

import csv
import io
import json
import re

from starlette.testclient import TestClient

from tests.dashboard_support import Seeder, World, feedback_status, login, running
from widget.settings import Settings


def rows_of_posts(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="title"><a href="[^"]+">([^<]+)</a>', html)


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
