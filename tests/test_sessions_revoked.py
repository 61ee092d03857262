"""Logout does not end the session (issue 12, item 2): now it does, and so do the other ways out.

Sessions used to be signed cookies alone, so a copy taken before logout kept reading the
dashboard and creating sites for up to 30 days. Each test copies a cookie the way someone at
the victim's browser could, and checks what that copy can do afterwards.
"""

from __future__ import annotations

import json

import pytest

from tests.dashboard_support import PASSWORD, csrf_of, login, running
from tests.session_support import author_id, logged_in, query, seed_people, steal_cookie
from widget.settings import Settings

NEW_PASSWORD = "a much longer passphrase"


@pytest.fixture
def people(settings: Settings) -> Settings:
    return seed_people(settings)


def test_a_cookie_copied_before_logout_is_refused_after_it(people: Settings) -> None:
    with running(people) as browser, running(people) as thief:
        csrf = login(browser, "root")
        steal_cookie(browser, thief)
        assert logged_in(thief)  # the copy works while the session lives
        stolen_csrf = csrf_of(thief.get("/dashboard/sites/new").text)

        assert browser.post("/dashboard/logout", data={"csrf": csrf}).status_code == 200
        assert not logged_in(browser)
        assert not logged_in(thief)
        refused = thief.get("/dashboard/sites/beta/settings", follow_redirects=False)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/dashboard/login?next=")
        created = thief.post(
            "/dashboard/sites/new", data={"csrf": stolen_csrf, "slug": "beta", "name": "Beta"}
        )
        assert created.status_code == 403
        assert "log in again" in created.text
    assert query(people, "SELECT slug FROM sites WHERE slug = 'beta'") == []
    assert query(people, "SELECT count(*) FROM sessions") == [(0,)]


def test_after_a_password_change_only_the_session_that_changed_it_goes_on(
    people: Settings,
) -> None:
    with (
        running(people) as laptop,
        running(people) as phone,
        running(people) as old_copy,
    ):
        csrf = login(laptop, "alice")
        login(phone, "alice")
        steal_cookie(laptop, old_copy)
        changed = laptop.post(
            "/dashboard/account",
            data={
                "csrf": csrf,
                "current": PASSWORD,
                "password": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 200 and "was changed" in changed.text
        assert logged_in(laptop)
        # The laptop's session is a fresh one: a copy of its cookie from before is refused too.
        assert not logged_in(old_copy)
        assert not logged_in(phone)
        # Still able to act: the new page's token works with the new session.
        again = csrf_of(laptop.get("/dashboard/account").text)
        answer = laptop.post("/dashboard/logout", data={"csrf": again}, follow_redirects=False)
        assert answer.status_code == 303
    assert query(people, "SELECT count(*) FROM sessions") == [(0,)]


def test_sign_out_everywhere_on_the_account_page_ends_every_session(people: Settings) -> None:
    with running(people) as laptop, running(people) as phone, running(people) as thief:
        csrf = login(laptop, "alice")
        login(phone, "alice")
        steal_cookie(phone, thief)
        with running(people) as colleague:
            login(colleague, "bob")
            page = laptop.get("/dashboard/account")
            assert "Sign out everywhere" in page.text
            done = laptop.post(
                "/dashboard/account/sessions", data={"csrf": csrf}, follow_redirects=False
            )
            assert done.status_code == 303
            assert done.headers["location"] == "/dashboard/login?notice=signed_out"
            assert "You were signed out everywhere" in laptop.get(done.headers["location"]).text
            assert not logged_in(laptop)
            assert not logged_in(phone)
            assert not logged_in(thief)  # a copy of the phone's cookie names nothing now
            assert logged_in(colleague)  # another author's session is not touched
    entry = query(
        people, "SELECT author, action, target, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    )[0]
    assert entry[:3] == ("alice", "sign_out_everywhere", "alice")
    assert json.loads(entry[3]) == {"sessions": 2}


def test_an_admin_signs_an_author_out_everywhere(people: Settings) -> None:
    alice = author_id(people, "alice")
    with running(people) as admin, running(people) as laptop, running(people) as phone:
        csrf = login(admin, "root")
        login(laptop, "alice")
        login(phone, "alice")
        authors = admin.get("/dashboard/authors")
        assert 'value="sign_out"' in authors.text and "Sign out everywhere" in authors.text
        done = admin.post(f"/dashboard/authors/{alice}", data={"csrf": csrf, "action": "sign_out"})
        assert done.status_code == 200
        assert "signed out everywhere" in done.text
        assert not logged_in(laptop)
        assert not logged_in(phone)
        assert logged_in(admin)
        audit = admin.get("/dashboard/audit").text
        assert "sign out everywhere" in audit
    entry = query(people, "SELECT author, action, target, detail FROM audit_log")[-1]
    assert entry[:3] == ("root", "sign_out_everywhere", "alice")
    assert json.loads(entry[3]) == {"sessions": 2}


def test_removing_an_author_or_their_access_ends_their_sessions(people: Settings) -> None:
    alice, bob = author_id(people, "alice"), author_id(people, "bob")
    with running(people) as admin, running(people) as alices, running(people) as bobs:
        csrf = login(admin, "root")
        login(alices, "alice")
        login(bobs, "bob")
        # Alice loses her only site: she is signed out, not left inside with a stale view.
        saved = admin.post(f"/dashboard/authors/{alice}", data={"csrf": csrf, "action": "save"})
        assert saved.status_code == 200
        assert not logged_in(alices)
        assert logged_in(bobs)
        removed = admin.post(f"/dashboard/authors/{bob}", data={"csrf": csrf, "action": "delete"})
        assert removed.status_code == 200
        assert not logged_in(bobs)
        assert logged_in(admin)
    assert query(people, "SELECT author_id FROM sessions") == [(author_id(people, "root"),)]


def test_an_admin_who_resets_an_authors_password_ends_their_sessions(people: Settings) -> None:
    alice = author_id(people, "alice")
    with running(people) as admin, running(people) as laptop:
        csrf = login(admin, "root")
        login(laptop, "alice")
        form = {"csrf": csrf, "action": "save", "sites": "alpha", "password": NEW_PASSWORD}
        assert admin.post(f"/dashboard/authors/{alice}", data=form).status_code == 200
        assert not logged_in(laptop)
        assert logged_in(admin)
        # An admin giving themselves a new password stays logged in, in a new session.
        root = author_id(people, "root")
        form = {"csrf": csrf, "action": "save", "is_admin": "on", "password": NEW_PASSWORD}
        assert admin.post(f"/dashboard/authors/{root}", data=form).status_code == 200
        assert logged_in(admin)
