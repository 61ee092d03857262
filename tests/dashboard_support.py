"""Helpers for the dashboard tests: a database with sites, authors, votes and feedback."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from widget import store
from widget.guard.auth import hash_password
from widget.models import FeedbackInput, Site, VoteInput
from widget.runtime.app import create_app
from widget.settings import Settings
from widget.store.sqlite.writer import open_database

PASSWORD = "correct horse battery"
DAY = 86400.0


class Seeder:
    """Writes straight to the database, before the app starts, as an import would."""

    def __init__(self, settings: Settings) -> None:
        self.conn: sqlite3.Connection = open_database(settings.db)
        self._n = 0

    def close(self) -> None:
        self.conn.close()

    def _in_transaction(self, fn: Any, *args: Any) -> Any:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self.conn, *args)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return result

    def site(self, slug: str, name: str | None = None, **settings: Any) -> None:
        self._in_transaction(store.save_site, Site(slug, name or slug.title(), (), settings))

    def author(self, username: str, admin: bool = False, sites: tuple[str, ...] = ()) -> int:
        # A cheap hash keeps the tests fast; argon2 verification works the same on any cost.
        from argon2 import PasswordHasher

        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
        return int(self._in_transaction(store.create_author, username, cheap, admin, sites))

    def votes(
        self,
        site: str,
        post: str,
        ratings: list[int],
        title: str | None = None,
        url: str | None = None,
        days_ago: float = 0,
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            for rating in ratings:
                self._n += 1
                vote = VoteInput(site, post, f"voter-{self._n:012d}", rating, title, url)
                store.record_vote(conn, vote, f"key{self._n}", time.time() - days_ago * DAY)

        self._in_transaction(write)

    def raw_post(self, site: str, post: str, title: str, url: str) -> None:
        """A post row as an import could bring it, bypassing the API's URL validation."""
        self.conn.execute(
            "INSERT INTO posts (site, post, title, url, votes, total, r1, r2, r3, r4, r5,"
            " last_vote_at) VALUES (?, ?, ?, ?, 1, 1, 1, 0, 0, 0, 0, ?)",
            (site, post, title, url, time.time()),
        )

    def feedback(
        self,
        site: str,
        post: str,
        text: str,
        rating: int | None = 1,
        reason: str | None = "unclear",
        status: str = "new",
    ) -> int:
        item = FeedbackInput(site, post, "voter-feedback-0001", text, rating, reason, "en")
        return int(
            self._in_transaction(store.add_feedback, item, "fbkey", status, 0.0, time.time())
        )


@dataclass
class World:
    settings: Settings
    alpha_feedback: int
    beta_feedback: int


def seed_world(settings: Settings) -> World:
    """Two sites, an admin and one author per site, votes and feedback on both sites."""
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


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns a CSRF token valid for the new session."""
    page = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/dashboard/account").text)


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def feedback_status(settings: Settings, feedback_id: int) -> tuple[str, str]:
    conn = sqlite3.connect(settings.db)
    try:
        row = conn.execute(
            "SELECT status, note FROM feedback WHERE id = ?", (feedback_id,)
        ).fetchone()
    finally:
        conn.close()
    return str(row[0]), str(row[1])


__all__ = [
    "PASSWORD",
    "Seeder",
    "World",
    "csrf_of",
    "feedback_status",
    "hash_password",
    "login",
    "running",
    "seed_world",
]
