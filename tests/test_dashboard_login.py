"""Getting into the dashboard and staying in: the login form, sessions, logout, passwords."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.dashboard_support import World, csrf_of, login, running


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
