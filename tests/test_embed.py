"""What the embed needs from the server, through the app: code files, the no-JS frame, the
fragment, the demo pages and the texts in the summary response. Browser tests are in
test_embed_browser_*.py."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import rjsmin
from starlette.testclient import TestClient

from tests.conftest import voter
from widget import i18n, store
from widget.guard.keys import AddressHasher
from widget.http.embed.code import code_file, with_every_language
from widget.http.templating import static_dir, static_hash
from widget.models import Site
from widget.runtime.app import create_app
from widget.settings import Settings
from widget.store.sqlite.writer import open_database

BUDGET = 6 * 1024  # embed.js with its CSS, gzipped (DESIGN.md "Embed")
FORM_BUDGET = 2 * 1024  # the form's code, loaded on demand: kept small, not a contract

pytestmark = pytest.mark.backends  # every test here runs on SQLite and on PostgreSQL


def add_site(db: str, site: Site) -> None:
    conn = open_database(db)
    conn.execute("BEGIN IMMEDIATE")
    store.save_site(conn, site)
    conn.execute("COMMIT")
    conn.close()


@pytest.fixture
def blog(settings: Settings) -> Iterator[TestClient]:
    """A site with JSON-LD, a hidden average, a Slovak override, and the demo on."""
    site_settings = {
        "schema": "Article",
        "hide_average": True,
        "texts": {"sk": {"thanks": "Vďaka, že ste hodnotili!"}},
    }
    add_site(settings.db, Site("blog", "Blog", (), site_settings))
    with TestClient(create_app(settings.replace(demo=True))) as test_client:
        yield test_client


def vote(client: TestClient, post: str, rating: int, site: str = "default") -> None:
    body = {"site": site, "post": post, "rating": rating, "voter": voter(), "title": "A </script>"}
    assert client.post("/api/v1/votes", json=body).status_code == 200


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.db) as conn:
        return conn.execute(sql).fetchall()


# --- the code ------------------------------------------------------------------------------


def downloaded(client: TestClient, path: str) -> tuple[int, bytes]:
    """What a browser downloads for `path`: the gzipped bytes on the wire, and the code."""
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        wire = b"".join(response.iter_raw())
    return len(wire), gzip.decompress(wire)


def test_embed_js_and_its_css_fit_the_6_kb_budget(client: TestClient) -> None:
    source = (static_dir() / "embed.js").read_bytes()
    size, code = downloaded(client, "/embed.js")
    print(f"/embed.js: source {len(source)} bytes, served {len(code)}, {size} gzipped")
    assert b"const CSS" in code, "the CSS must travel inside embed.js (one request for code)"
    assert size <= BUDGET, f"{size} bytes gzipped, budget {BUDGET}"


def test_embed_form_js_stays_small(client: TestClient) -> None:
    size, code = downloaded(client, "/embed-form.js")
    print(f"/embed-form.js: served {len(code)} bytes, {size} gzipped")
    assert b"RatingWidget.form" in code
    assert size <= FORM_BUDGET


def test_served_code_is_the_minified_source_with_every_unavailable_text(
    client: TestClient,
) -> None:
    source = (static_dir() / "embed.js").read_bytes()
    code = client.get("/embed.js").content
    assert b"/*" not in code and b"\n  " not in code, "comments and indentation are gone"
    assert len(code) < len(source) * 0.85
    # The CSS string arrives exactly as written (a minifier must not touch string literals).
    css = re.search(rb'const CSS =\s*((?:"[^"]*"\s*\+\s*(?://[^\n]*\s*)*)*"[^"]*");', source)
    assert css, "the CSS is a concatenation of string literals"
    for literal in re.findall(rb'"[^"]*"', css.group(1)):
        assert literal in code
    # The one text the widget needs before its catalogue arrives, in every language.
    for lang, catalogue in i18n.CATALOGUES.items():
        assert f'{lang}:"{catalogue["unavailable"]}"'.encode() in code, lang


def test_code_is_minified_once_and_its_validator_names_the_served_bytes(
    client: TestClient,
) -> None:
    first = code_file("embed.js", "v1")
    assert code_file("embed.js", "v1") is first, "minified once, then reused"
    response = client.get("/embed.js", headers={"Accept-Encoding": "identity"})
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()[:16]}"'


def test_embed_js_is_served_gzipped_with_a_validator(client: TestClient) -> None:
    response = client.get("/embed.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age=3600" in response.headers["cache-control"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert int(response.headers["content-length"]) <= BUDGET
    assert response.content == served("embed.js")  # httpx unzips
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def served(name: str) -> bytes:
    return rjsmin.jsmin(with_every_language((static_dir() / name).read_bytes()))


def test_embed_js_without_gzip_is_the_minified_file(client: TestClient) -> None:
    response = client.get("/embed.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == served("embed.js")
    assert response.headers["etag"] != client.get("/embed.js").headers["etag"]


def test_the_feedback_form_code_is_served_beside_it(client: TestClient) -> None:
    response = client.get("/embed-form.js")
    assert response.status_code == 200
    assert b"RatingWidget.form" in response.content


def test_versioned_static_urls_are_immutable(client: TestClient) -> None:
    response = client.get(f"/static/embed.js?v={static_hash('embed.js')}")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


# --- texts in the summary response ---------------------------------------------------------


@pytest.mark.sqlite_only  # writes the SQLite file itself
def test_summary_sends_the_texts_each_widget_asked_for(blog: TestClient) -> None:
    query = "/api/v1/summary?site=blog&post=a&lang=sk-SK&lang=ja,de;q=0.5&lang=xx"
    site = blog.get(query).json()["site"]
    assert site["chosen"] == ["sk", "de", "en"]
    assert site["languages"]["sk"]["thanks"] == "Vďaka, že ste hodnotili!"
    assert site["languages"]["de"]["label"] == "Diesen Artikel bewerten"
    assert site["feedback_max"] == 2000
    assert site["schema"] == "Article"


def test_summary_without_lang_stays_lean(client: TestClient) -> None:
    site = client.get("/api/v1/summary?post=a").json()["site"]
    assert "languages" not in site


# --- the no-JS frame -----------------------------------------------------------------------


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def frame_form(client: TestClient, post: str = "p", **fields: str) -> dict[str, str]:
    page = client.get(f"/embed/frame?site=default&post={post}&lang=en")
    assert page.status_code == 200
    return {"site": "default", "post": post, "lang": "en", "csrf": csrf_of(page.text), **fields}


def test_frame_is_a_plain_form_page_that_may_be_framed(client: TestClient) -> None:
    page = client.get("/embed/frame?site=default&post=p", headers={"Accept-Language": "sk"})
    assert page.status_code == 200
    assert '<html lang="sk"' in page.text
    assert "Zatiaľ bez hodnotenia" in page.text
    assert page.text.count('type="radio" name="rating"') == 5
    assert "<script" not in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_frame_vote_redirects_and_then_shows_the_result(client: TestClient) -> None:
    form = frame_form(client, rating="4", action="vote")
    answer = client.post("/embed/frame", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/embed/frame?")
    page = client.get(answer.headers["location"])
    assert "Thank you for rating!" in page.text
    assert "4.0 of 5 · 1 vote" in page.text
    assert "Your rating: 4 stars" in page.text
    assert 'value="4" checked' in page.text
    summary = client.get("/api/v1/summary?post=p").json()["posts"][0]
    assert (summary["count"], summary["average"]) == (1, 4.0)


def test_frame_voter_changes_the_vote_instead_of_adding_one(client: TestClient) -> None:
    client.post("/embed/frame", data=frame_form(client, rating="5"))
    client.post("/embed/frame", data=frame_form(client, rating="3"))
    summary = client.get("/api/v1/summary?post=p").json()["posts"][0]
    assert (summary["count"], summary["average"]) == (1, 3.0)


def test_frame_withdraw_removes_the_vote(client: TestClient) -> None:
    client.post("/embed/frame", data=frame_form(client, rating="5"))
    page = client.post("/embed/frame", data=frame_form(client, action="withdraw"))
    assert "Your rating has been removed." in page.text
    assert client.get("/api/v1/summary?post=p").json()["posts"][0]["count"] == 0


def test_frame_refuses_a_form_without_a_genuine_token(client: TestClient) -> None:
    form = frame_form(client, rating="5")
    for csrf in ("", "forged", form["csrf"][:-2] + "xx"):
        page = client.post("/embed/frame", data={**form, "csrf": csrf})
        assert page.status_code == 403
        assert "This form has expired. Please choose again." in page.text
    # A token is bound to the post it was served for.
    page = client.post("/embed/frame", data={**form, "post": "other"})
    assert page.status_code == 403
    assert rows_count(client) == 0


def rows_count(client: TestClient) -> int:
    return int(client.get("/api/v1/summary?post=p&post=other").json()["posts"][0]["count"])


def test_frame_bad_input_is_answered_in_words_and_changes_nothing(client: TestClient) -> None:
    page = client.post("/embed/frame", data=frame_form(client, rating="9"))
    assert page.status_code == 422
    assert "The rating could not be recorded." in page.text
    page = client.post("/embed/frame", json={"post": "p"})
    assert page.status_code == 415
    page = client.post("/embed/frame", data={"post": "p", "x": "y" * 9000})
    assert page.status_code == 413
    page = client.get("/embed/frame?site=nope&post=p")
    assert page.status_code == 404
    assert "<html" in page.text
    assert rows_count(client) == 0


@pytest.mark.sqlite_only  # writes the SQLite file itself
def test_frame_low_vote_offers_feedback_that_reaches_the_database(
    client: TestClient, settings: Settings
) -> None:
    client.post("/embed/frame", data=frame_form(client, rating="1"))
    page = client.get("/embed/frame?site=default&post=p&lang=en")
    assert "What would have made it better?" in page.text
    assert 'action="/embed/frame/feedback"' in page.text
    assert 'name="hp" hidden' in page.text
    form = {**frame_form(client), "reason": "outdated", "text": " ", "hp": ""}
    empty = client.post("/embed/frame/feedback", data=form)
    assert empty.status_code == 422
    assert "Please write a few words first." in empty.text
    sent = client.post("/embed/frame/feedback", data={**form, "text": "The API changed in v2."})
    assert "Thank you. The author will read your note." in sent.text
    found = rows(settings, "SELECT rating, reason, text, lang FROM feedback")
    assert found == [(1, "outdated", "The API changed in v2.", "en")]


def test_frame_high_vote_links_to_the_optional_form(client: TestClient) -> None:
    client.post("/embed/frame", data=frame_form(client, rating="5"))
    page = client.get("/embed/frame?site=default&post=p&lang=en")
    assert "/embed/frame/feedback" not in page.text
    assert "more=1" in page.text and "Tell the author more" in page.text
    page = client.get("/embed/frame?site=default&post=p&lang=en&more=1")
    assert "/embed/frame/feedback" in page.text


def test_frame_voter_token_is_private_stable_and_daily() -> None:
    """Derived with the day's address salt: stable that day, unlinkable once the salt is gone."""
    today, tomorrow = AddressHasher(20000, b"salt-a" * 5), AddressHasher(20001, b"salt-b" * 5)
    token = today.token("frame-voter", "203.0.113.9", "Firefox")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert token == today.token("frame-voter", "203.0.113.9", "Firefox")
    others = {
        tomorrow.token("frame-voter", "203.0.113.9", "Firefox"),
        today.token("frame-voter", "203.0.113.8", "Firefox"),
        today.token("frame-voter", "203.0.113.9", "Chrome"),
    }
    assert token not in others and len(others) == 3


# --- the fragment --------------------------------------------------------------------------


def jsonld_of(html: str) -> dict[str, object] | None:
    found = re.search(r'<script type="application/ld\+json" data-rw>(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_fragment_has_no_jsonld_unless_the_site_enables_it(client: TestClient) -> None:
    vote(client, "p", 4)
    html = client.get("/embed/fragment?post=p").text
    assert "4.0 of 5 · 1 vote" in html
    assert jsonld_of(html) is None


@pytest.mark.sqlite_only  # writes the SQLite file itself
def test_fragment_jsonld_uses_the_sites_type_and_escapes_the_title(blog: TestClient) -> None:
    assert jsonld_of(blog.get("/embed/fragment?site=blog&post=p").text) is None  # no votes yet
    vote(blog, "p", 5, site="blog")
    vote(blog, "p", 4, site="blog")
    response = blog.get("/embed/fragment?site=blog&post=p&lang=sk")
    assert response.headers["access-control-allow-origin"] == "*"
    html = response.text
    assert '</script>"' not in html  # the stored title "A </script>" cannot close the tag
    assert jsonld_of(html) == {
        "@context": "https://schema.org",
        "@type": "Article",
        "name": "A </script>",
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": 4.5,
            "ratingCount": 2,
            "bestRating": 5,
            "worstRating": 1,
        },
    }
    assert "2 hlasy" in html and "4,5" not in html  # this site hides the average


# --- demo ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # writes the SQLite file itself
def test_demo_pages(blog: TestClient) -> None:
    for path in ("/demo", "/demo/light", "/demo/dark", "/demo/many"):
        page = blog.get(path)
        assert page.status_code == 200, path
        assert "/embed.js" in page.text and "data-rating-widget" in page.text
    assert 'data-theme="dark"' in blog.get("/demo/dark").text
    assert blog.get("/demo/many").text.count("data-rating-widget") == 12
    assert blog.get("/demo/purple").status_code == 404


def test_no_demo_without_the_flag(client: TestClient) -> None:
    assert client.get("/demo").status_code == 404


def test_templates_ship_with_the_package() -> None:
    templates = Path(__file__).resolve().parent.parent / "widget" / "templates" / "embed"
    assert {p.name for p in templates.glob("*.html")} >= {"frame.html", "fragment.html"}


def test_frame_keeps_its_theme_across_the_redirect(client: TestClient) -> None:
    page = client.get("/embed/frame?site=default&post=p&theme=dark")
    assert '<html lang="en" class="dark">' in page.text
    form = {"site": "default", "post": "p", "csrf": csrf_of(page.text), "theme": "dark"}
    answer = client.post("/embed/frame", data={**form, "rating": "5"}, follow_redirects=False)
    assert "theme=dark" in answer.headers["location"]
    assert 'class="dark"' in client.get(answer.headers["location"]).text
    assert 'class="' not in client.get("/embed/frame?post=p&theme=<b>").text.split(">")[1]
