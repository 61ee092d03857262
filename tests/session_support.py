"""Helpers for the server-side session tests: accounts, a copied cookie, the sessions table."""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.testclient import TestClient

from tests.dashboard_support import Seeder
from widget.guard.auth import SESSION_COOKIE
from widget.settings import Settings

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def seed_people(settings: Settings) -> Settings:
    """An admin (root), two members of site alpha (alice, bob)."""
    seed = Seeder(settings)
    seed.site("alpha", "Alpha Blog")
    seed.author("root", admin=True)
    seed.author("alice", sites=("alpha",))
    seed.author("bob", sites=("alpha",))
    seed.close()
    return settings


def steal_cookie(victim: TestClient, thief: TestClient) -> None:
    """What someone with a moment at the victim's browser (or its cookie store) could do."""
    value = victim.cookies.get(SESSION_COOKIE)
    assert value, "the victim has no session cookie"
    thief.cookies.clear()
    thief.cookies.set(SESSION_COOKIE, value, path="/dashboard")


def logged_in(client: TestClient) -> bool:
    """The dashboard opens (200) rather than sending the browser to the login form."""
    answer = client.get("/dashboard", follow_redirects=False)
    if answer.status_code == 303:
        assert answer.headers["location"].startswith("/dashboard/login")
        return False
    assert answer.status_code == 200, answer.text
    return True


def query(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(settings.db)
    try:
        with conn:
            return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


def author_id(settings: Settings, username: str) -> int:
    return int(query(settings, "SELECT id FROM authors WHERE username = ?", username)[0][0])
