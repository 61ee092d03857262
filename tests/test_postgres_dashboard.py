"""The dashboard on PostgreSQL, on a database filled by `seed-demo`: every page an author opens
answers, rankings and filters included, and what authors do (triage, reset) is kept."""

from __future__ import annotations

import itertools
import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests import pg_support
from tests.conftest import NO_LIMITS
from tests.dashboard_support import login
from widget.cli import cli
from widget.runtime.app import create_app
from widget.settings import Settings

PASSWORD = "correct horse battery"
_databases = itertools.count()


@pytest.fixture
def author(postgres_server: pg_support.Postgres) -> tuple[TestClient, str]:
    url = postgres_server.create_database(f"dashboard_{next(_databases)}")
    runner = CliRunner()
    seeded = runner.invoke(cli, ["seed-demo", "--db", url, "--posts", "40", "--votes", "600"])
    assert seeded.exit_code == 0, seeded.output
    made = runner.invoke(cli, ["create-author", "root", "--admin", "--db", url], input=PASSWORD)
    # The argon2 hash of a real account (the CLI's), verified at login like any other.
    assert made.exit_code == 0, made.output
    settings = Settings(db=url, secret_key="dash", access_log=False, **NO_LIMITS)
    client = TestClient(create_app(settings), base_url="http://testserver")
    client.__enter__()
    try:
        yield client, login(client, "root", PASSWORD)
    finally:
        client.__exit__(None, None, None)


def test_every_page_answers_on_postgres(author: tuple[TestClient, str]) -> None:
    client, _ = author
    home = client.get("/dashboard")
    assert home.status_code == 200 and "Field Notes" in home.text
    for sort in ("score", "average", "votes", "recent", "title"):
        for direction in ("asc", "desc"):
            page = client.get(f"/dashboard/sites/field-notes?sort={sort}&dir={direction}&range=all")
            assert page.status_code == 200, (sort, direction)
    searched = client.get("/dashboard/sites/field-notes?q=a&min=2&range=7")
    assert searched.status_code == 200
    post = re.search(r'/dashboard/sites/field-notes/post\?post=([^"&]+)', home.text + searched.text)
    assert post, "no post linked from the site's page"
    assert client.get(f"/dashboard/sites/field-notes/post?post={post.group(1)}").status_code == 200
    for path in (
        "/dashboard/inbox",
        "/dashboard/inbox?status=spam",
        "/dashboard/inbox?rating=1&q=the",
        "/dashboard/audit",
        "/dashboard/authors",
        "/dashboard/sites/field-notes/settings",
        "/dashboard/sites/field-notes/exports",
    ):
        assert client.get(path).status_code == 200, path
    exported = client.get("/dashboard/sites/field-notes/export?kind=votes&format=csv")
    assert exported.status_code == 200 and "rating" in exported.text


def test_triage_is_kept_on_postgres(author: tuple[TestClient, str]) -> None:
    client, csrf = author
    inbox = client.get("/dashboard/inbox")
    found = re.search(r"/dashboard/feedback/(\d+)", inbox.text)
    assert found, "the seeded inbox is empty"
    saved = client.post(
        f"/dashboard/feedback/{found.group(1)}",
        data={"csrf": csrf, "status": "planned", "note": "Rewrite it next week."},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Rewrite it next week." in client.get("/dashboard/inbox?status=planned").text
