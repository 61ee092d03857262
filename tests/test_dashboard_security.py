"""The dashboard's defences: permissions, CSRF, throttling, escaping, headers, the setup link."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.dashboard_support import Seeder, csrf_of, feedback_status, login, running
from widget.runtime.app import create_app
from widget.settings import Settings

XSS_TITLE = '<script>alert("title")</script>'
XSS_POST = '"><svg onload=alert(1)>'
XSS_TEXT = "<img src=x onerror=alert('feedback')>"
XSS_NOTE = "</textarea><script>alert('note')</script>"


@pytest.fixture
def two_sites(settings: Settings) -> Iterator[tuple[Settings, int]]:
    seed = Seeder(settings)
    seed.site("alpha")
    seed.site("beta")
    seed.author("alice", sites=("alpha",))
    seed.author("bob", sites=("beta",))
    seed.votes("alpha", "a-post", [4, 5], "Alpha post")
    seed.votes("beta", "b-post", [2, 3], "Beta post")
    seed.feedback("alpha", "a-post", "alpha feedback")
    beta_id = seed.feedback("beta", "b-post", "beta private feedback")
    seed.close()
    yield settings, beta_id


# --- an author cannot see or touch another site's data, however the URL is written ------------


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/sites/beta",
        "/dashboard/sites/beta?range=all&sort=votes",
        "/dashboard/sites/beta/post?post=b-post",
        "/dashboard/sites/beta/settings",
        "/dashboard/sites/beta/exports",
        "/dashboard/sites/beta/export?kind=feedback&format=csv&range=all",
        "/dashboard/sites/beta/export?kind=votes&format=json&range=all",
        "/dashboard/sites/beta/reset?post=b-post",
        "/dashboard/inbox?site=beta",
        "/dashboard/authors",
        "/dashboard/audit",
        "/dashboard/sites/new",
        "/dashboard/sites/nonexistent",
    ],
)
def test_other_sites_are_not_found(two_sites: tuple[Settings, int], url: str) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        login(client, "alice")
        response = client.get(url)
        assert response.status_code == 404
        assert "beta private feedback" not in response.text
        assert "Beta post" not in response.text


def test_inbox_never_mixes_in_other_sites(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        login(client, "alice")
        for url in ["/dashboard/inbox", "/dashboard/inbox?post=b-post", "/dashboard/inbox?q=beta"]:
            assert "beta private feedback" not in client.get(url).text


def test_guessed_feedback_ids_cannot_be_triaged(two_sites: tuple[Settings, int]) -> None:
    settings, beta_id = two_sites
    with running(settings) as client:
        csrf = login(client, "alice")
        one = client.post(
            f"/dashboard/feedback/{beta_id}", data={"csrf": csrf, "status": "spam", "note": "x"}
        )
        assert one.status_code == 404
        bulk = client.post(
            "/dashboard/inbox/bulk",
            data={"csrf": csrf, "action": "spam", "ids": [str(beta_id)]},
            follow_redirects=False,
        )
        assert "done=0" in bulk.headers["location"]
        reset = client.post(
            "/dashboard/sites/beta/reset", data={"csrf": csrf, "post": "b-post", "confirm": "yes"}
        )
        assert reset.status_code == 404
        settings_post = client.post(
            "/dashboard/sites/beta/settings", data={"csrf": csrf, "name": "x", "threshold": "5"}
        )
        assert settings_post.status_code == 404
    assert feedback_status(settings, beta_id) == ("new", "")


def test_members_cannot_use_admin_actions(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        csrf = login(client, "alice")
        made = client.post(
            "/dashboard/authors/new",
            data={"csrf": csrf, "username": "mallory", "password": "x" * 12, "is_admin": "on"},
        )
        assert made.status_code == 404
        site = client.post("/dashboard/sites/new", data={"csrf": csrf, "slug": "x", "name": "x"})
        assert site.status_code == 404
    with running(settings) as other:
        form = other.get("/dashboard/login")
        refused = other.post(
            "/dashboard/login",
            data={"csrf": csrf_of(form.text), "username": "mallory", "password": "x" * 12},
        )
        assert refused.status_code == 401


# --- CSRF ----------------------------------------------------------------------------------------


def test_posts_without_a_valid_csrf_token_are_refused(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        login(client, "alice")
        feedback_id = 1
        for data in [{}, {"csrf": ""}, {"csrf": "0" * 64}]:
            response = client.post(
                f"/dashboard/feedback/{feedback_id}", data={**data, "status": "spam"}
            )
            assert response.status_code == 403
            assert response.headers["content-type"].startswith("text/html")
        for url in [
            "/dashboard/inbox/bulk",
            "/dashboard/sites/alpha/settings",
            "/dashboard/logout",
        ]:
            assert client.post(url, data={"action": "spam", "ids": "1"}).status_code == 403
    assert feedback_status(settings, feedback_id) == ("new", "")


def test_a_token_from_another_session_is_refused(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as attacker, running(settings) as victim:
        attacker_csrf = login(attacker, "bob")
        login(victim, "alice")
        response = victim.post(
            "/dashboard/inbox/bulk", data={"csrf": attacker_csrf, "action": "spam", "ids": "1"}
        )
        assert response.status_code == 403
    assert feedback_status(settings, 1) == ("new", "")


def test_a_cross_site_post_is_refused_even_with_a_token(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        csrf = login(client, "alice")
        response = client.post(
            "/dashboard/inbox/bulk",
            data={"csrf": csrf, "action": "spam", "ids": "1"},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403
    assert feedback_status(settings, 1) == ("new", "")


def test_login_form_itself_needs_its_token(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        response = client.post(
            "/dashboard/login", data={"username": "alice", "password": "correct horse battery"}
        )
        assert response.status_code == 403
        assert client.get("/dashboard", follow_redirects=False).status_code == 303


# --- throttling ----------------------------------------------------------------------------------


def _try(client: TestClient, username: str, password: str) -> int:
    form = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login",
        data={"csrf": csrf_of(form.text), "username": username, "password": password},
        follow_redirects=False,
    )
    return response.status_code


def test_repeated_failures_on_one_account_are_throttled(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        assert [_try(client, "alice", f"wrong-{n}") for n in range(5)] == [401] * 5
        form = client.get("/dashboard/login")
        blocked = client.post(
            "/dashboard/login",
            data={
                "csrf": csrf_of(form.text),
                "username": "alice",
                "password": "correct horse battery",
            },
        )
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "Too many failed attempts" in blocked.text
        # Another account from the same address is not locked by alice's failures.
        assert _try(client, "bob", "correct horse battery") == 303


def test_repeated_failures_from_one_address_are_throttled(two_sites: tuple[Settings, int]) -> None:
    settings, _ = two_sites
    with running(settings) as client:
        codes = [_try(client, f"user{n}", "whatever-password") for n in range(20)]
        assert codes == [401] * 20
        assert _try(client, "alice", "correct horse battery") == 429


# --- escaping ------------------------------------------------------------------------------------


def test_reader_supplied_text_is_rendered_inert(settings: Settings) -> None:
    seed = Seeder(settings)
    seed.site("alpha")
    seed.author("alice", sites=("alpha",))
    seed.votes("alpha", XSS_POST, [1, 2], XSS_TITLE, "https://a.example/x")
    seed.raw_post("alpha", "js-url", XSS_TITLE + " 2", "javascript:alert(document.cookie)")
    feedback_id = seed.feedback("alpha", XSS_POST, XSS_TEXT, reason="x<b>y")
    seed.close()
    with running(settings) as client:
        csrf = login(client, "alice")
        client.post(
            f"/dashboard/feedback/{feedback_id}",
            data={"csrf": csrf, "status": "planned", "note": XSS_NOTE},
        )
        pages = [
            client.get("/dashboard/sites/alpha?range=all").text,
            client.get("/dashboard/sites/alpha/post", params={"post": XSS_POST}).text,
            client.get("/dashboard/sites/alpha/post", params={"post": "js-url"}).text,
            client.get("/dashboard/inbox").text,
            client.get("/dashboard/inbox", params={"q": XSS_TEXT, "post": XSS_POST}).text,
            client.get("/dashboard/sites/alpha?q=" + XSS_TITLE).text,
        ]
        for html in pages:
            assert "<script>alert" not in html
            assert "<img src=x" not in html
            assert "<svg onload" not in html
            assert "<b>y" not in html
            assert 'href="javascript:' not in html
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in pages[0]
        assert "&lt;img src=x onerror=alert(&#39;feedback&#39;)&gt;" in pages[3]
        assert "&lt;/textarea&gt;&lt;script&gt;" in pages[3]
        assert "Open the article" not in pages[2]  # a javascript: url is never linked


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dashboard/login", "/dashboard/nothing-here", "/dashboard"])
def test_security_headers_on_every_dashboard_response(client: TestClient, url: str) -> None:
    response = client.get(url, follow_redirects=False)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert response.headers["cache-control"] == "no-store"


def test_dashboard_pages_have_no_inline_script(client: TestClient) -> None:
    html = client.get("/dashboard/login").text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+\s*=", html) == []  # no onclick= and the like
    assert "style=" not in html


def test_dashboard_404_is_a_page_and_the_api_404_stays_json(client: TestClient) -> None:
    page = client.get("/dashboard/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no-such")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/dashboard/login")
    assert wrong_method.status_code == 405 and "text/html" in wrong_method.headers["content-type"]


# --- first start ---------------------------------------------------------------------------------


def _setup_link(caplog: pytest.LogCaptureFixture) -> str:
    found = re.search(r"(/dashboard/setup\?token=[\w-]+)", caplog.text)
    assert found, caplog.text
    return found.group(1)


def test_first_start_prints_a_one_time_setup_link(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="widget.http.dashboard")
    with running(settings) as client:
        link = _setup_link(caplog)
        assert client.get("/dashboard/setup?token=wrong").status_code == 404
        form = client.get(link)
        assert form.status_code == 200 and "Create the first admin" in form.text
        token = link.split("token=")[1]
        short = client.post(
            "/dashboard/setup",
            data={
                "csrf": csrf_of(form.text),
                "token": token,
                "username": "owner",
                "password": "short",
                "password2": "short",
            },
        )
        assert short.status_code == 422 and "at least 10 characters" in short.text
        made = client.post(
            "/dashboard/setup",
            data={
                "csrf": csrf_of(form.text),
                "token": token,
                "username": "owner",
                "password": "a long enough passphrase",
                "password2": "a long enough passphrase",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303
        home = client.get("/dashboard")
        assert home.status_code == 200 and "owner" in home.text and "Authors" in home.text
        again = client.get(link)
        assert again.status_code == 404 and "expired or was already used" in again.text


def test_no_setup_link_once_an_author_exists(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    seed = Seeder(settings)
    seed.author("existing", admin=True)
    seed.close()
    caplog.set_level(logging.WARNING, logger="widget.http.dashboard")
    with running(settings) as client:
        assert "setup?token=" not in caplog.text
        assert client.get("/dashboard/setup?token=anything").status_code == 404


def test_behind_a_proxy_the_public_url_counts_as_our_origin(
    two_sites: tuple[Settings, int],
) -> None:
    settings, _ = two_sites
    proxied = settings.replace(public_url="https://ratings.example.org")
    # Host stays "testserver", as behind a proxy; https so the Secure cookie comes back.
    with TestClient(create_app(proxied), base_url="https://testserver") as client:
        csrf = login(client, "alice")
        ours = client.post(
            "/dashboard/inbox/bulk",
            data={"csrf": csrf, "action": "planned", "ids": "1"},
            headers={"Origin": "https://ratings.example.org"},
            follow_redirects=False,
        )
        assert ours.status_code == 303
        opaque = client.post(
            "/dashboard/inbox/bulk",
            data={"csrf": csrf, "action": "spam", "ids": "1"},
            headers={"Origin": "null"},
        )
        assert opaque.status_code == 403
    assert feedback_status(settings, 1) == ("planned", "")
