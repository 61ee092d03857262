"""What only an admin does in the dashboard: sites, authors, their access and passwords."""

from __future__ import annotations

import sqlite3

from starlette.testclient import TestClient

from tests.dashboard_support import World, login, running


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
