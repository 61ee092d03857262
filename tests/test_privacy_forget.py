"""Reader rights: forget a token; retention purge that keeps aggregates and recompute exact."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import voter
from widget import store
from widget.cli import cli
from widget.guard import voter_key
from widget.models import Site
from widget.store.sqlite.writer import open_database

FORGET = "/api/v1/forget"


def vote(client: TestClient, post: str, rating: int, token: str, site: str = "default") -> Any:
    response = client.post(
        "/api/v1/votes", json={"site": site, "post": post, "rating": rating, "voter": token}
    )
    assert response.status_code == 200, response.text
    return response.json()


def feedback(client: TestClient, post: str, token: str, text: str, site: str = "default") -> None:
    response = client.post(
        "/api/v1/feedback",
        json={"site": site, "post": post, "voter": token, "text": text, "open_ms": 8000},
    )
    assert response.status_code == 201, response.text


def summary(client: TestClient, *posts: str, site: str = "default") -> dict[str, Any]:
    query = "&".join(f"post={p}" for p in posts)
    found = client.get(f"/api/v1/summary?site={site}&{query}").json()["posts"]
    return {entry["post"]: entry for entry in found}


def add_site(db: str, slug: str, origins: tuple[str, ...] = ()) -> None:
    conn = open_database(db)
    store.save_site(conn, Site(slug=slug, name=slug.title(), origins=origins))
    conn.close()


def rows_of(db: str, key: str) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        votes = conn.execute("SELECT count(*) FROM votes WHERE voter_key = ?", (key,)).fetchone()
        items = conn.execute("SELECT count(*) FROM feedback WHERE voter_key = ?", (key,)).fetchone()
        return int(votes[0]), int(items[0])
    finally:
        conn.close()


def test_forget_removes_everything_of_a_token(settings: Any) -> None:
    add_site(settings.db, "docs")
    from widget.runtime.app import create_app

    with TestClient(create_app(settings)) as client:
        reader, other = voter(), voter()
        vote(client, "a", 1, reader)
        vote(client, "b", 5, reader)
        vote(client, "guide", 2, reader, site="docs")
        vote(client, "a", 4, other)
        feedback(client, "a", reader, "The first example does not run.")
        feedback(client, "guide", reader, "Which version is this for?", site="docs")
        feedback(client, "a", other, "Please add a diagram.")
        assert summary(client, "a", "b")["a"]["count"] == 2  # both summaries now cached

        response = client.post(FORGET, json={"voter": reader})
        assert response.status_code == 200, response.text
        assert response.json() == {"forgotten": {"votes": 3, "feedback": 2}}

        after = summary(client, "a", "b")  # served from the cache, which the forget refreshed
        assert after["a"]["count"] == 1 and after["a"]["distribution"] == [0, 0, 0, 1, 0]
        assert after["b"]["count"] == 0 and after["b"]["average"] == 0.0
        assert summary(client, "guide", site="docs")["guide"]["count"] == 0
        assert rows_of(settings.db, voter_key(settings.secret_key, reader)) == (0, 0)
        assert rows_of(settings.db, voter_key(settings.secret_key, other)) == (1, 1)
        again = client.post(FORGET, json={"voter": reader})
        assert again.json() == {"forgotten": {"votes": 0, "feedback": 0}}
    conn = open_database(settings.db)
    assert store.recompute(conn) == []  # the aggregates moved exactly
    conn.close()


def test_forget_on_one_site_only(settings: Any) -> None:
    add_site(settings.db, "docs")
    from widget.runtime.app import create_app

    with TestClient(create_app(settings)) as client:
        reader = voter()
        vote(client, "a", 3, reader)
        vote(client, "guide", 3, reader, site="docs")
        response = client.post(FORGET, json={"voter": reader, "site": "docs"})
        assert response.json() == {"forgotten": {"votes": 1, "feedback": 0}}
        assert summary(client, "a")["a"]["count"] == 1
        assert summary(client, "guide", site="docs")["guide"]["count"] == 0


def test_forget_refuses_bad_input_and_foreign_origins(settings: Any) -> None:
    add_site(settings.db, "blog", origins=("https://blog.example",))
    from widget.runtime.app import create_app

    with TestClient(create_app(settings)) as client:
        reader = voter()
        vote(client, "a", 3, reader, site="blog")
        cases = [
            ({"voter": "short"}, None, 422, "invalid_field"),
            ({}, None, 422, "invalid_field"),
            ({"voter": reader, "site": "Not A Slug"}, None, 422, "invalid_field"),
            ({"voter": reader, "site": "nope"}, None, 404, "not_found"),
            ({"voter": reader, "site": "blog"}, "https://evil.example", 403, "origin_not_allowed"),
        ]
        for body, origin, status, code in cases:
            headers = {"Origin": origin} if origin else {}
            response = client.post(FORGET, json=body, headers=headers)
            assert response.status_code == status, (body, response.text)
            assert response.json()["error"]["code"] == code
        assert (
            client.post(
                FORGET, content=b"{", headers={"Content-Type": "application/json"}
            ).status_code
            == 400
        )
        big = {"voter": reader, "padding": "x" * 2000}
        assert client.post(FORGET, json=big).status_code == 413
        assert summary(client, "a", site="blog")["a"]["count"] == 1  # nothing changed
        allowed = client.post(
            FORGET,
            json={"voter": reader, "site": "blog"},
            headers={"Origin": "https://blog.example"},
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://blog.example"


def _age_everything(db: str, seconds: float) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE votes SET created_at = created_at - ?, updated_at = updated_at - ?",
            (seconds, seconds),
        )
        conn.execute("UPDATE feedback SET created_at = created_at - ?", (seconds,))
    conn.close()


def test_purge_keeps_aggregates_and_recompute_exact(settings: Any, tmp_path: Path) -> None:
    from widget.runtime.app import create_app

    settings = settings.replace(retention_days=0)  # the CLI purges here, not the server
    with TestClient(create_app(settings)) as client:
        old_reader, spammer = voter(), voter()
        vote(client, "a", 5, old_reader)
        vote(client, "a", 1, voter())
        vote(client, "b", 4, old_reader)
        feedback(client, "a", old_reader, "Old but useful remark.")
        client.post(
            "/api/v1/feedback", json={"post": "a", "voter": spammer, "text": "x", "hp": "y"}
        )
    _age_everything(settings.db, 400 * 86400)
    with TestClient(create_app(settings)) as client:
        recent = voter()
        vote(client, "a", 3, recent)
        before = summary(client, "a", "b")

    result = CliRunner().invoke(
        cli, ["purge", "--db", settings.db], env={"WIDGET_RETENTION_DAYS": "365"}
    )
    assert result.exit_code == 0, result.output
    assert "3 votes folded into the counts of 2 posts" in result.output
    assert "1 feedback items unlinked" in result.output
    assert "1 spam items deleted" in result.output

    conn = open_database(settings.db)
    assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 1  # only the recent vote
    assert conn.execute("SELECT text, voter_key FROM feedback").fetchall() == [
        ("Old but useful remark.", "")
    ]
    assert store.recompute(conn) == []  # purged counts live on in the baseline
    exported = [json.dumps(row) for row in store.export_rows(conn)]
    conn.close()
    assert "no drift" in CliRunner().invoke(cli, ["recompute", "--db", settings.db]).output

    with TestClient(create_app(settings)) as client:
        assert summary(client, "a", "b") == before
        # The purged reader is no longer linked: forgetting them finds nothing to remove.
        assert client.post(FORGET, json={"voter": old_reader}).json()["forgotten"]["votes"] == 0
        # A vote after the purge moves the aggregate on top of the baseline.
        vote(client, "b", 2, voter())
        assert summary(client, "b")["b"]["count"] == 2

    # An export carries the baseline, so an import rebuilds the same numbers.
    copy = tmp_path / "copy.db"
    conn = open_database(str(copy))
    conn.execute("BEGIN")
    store.import_rows(conn, (json.loads(line) for line in exported))
    conn.execute("COMMIT")
    rows = conn.execute("SELECT post, votes, total FROM posts ORDER BY post").fetchall()
    conn.close()
    assert rows == [("a", before["a"]["count"], 9), ("b", 1, 4)]


def test_the_server_purges_by_itself_at_start_and_each_day(settings: Any) -> None:
    from widget.runtime.app import create_app

    with TestClient(create_app(settings.replace(retention_days=30))) as client:
        vote(client, "a", 2, voter())
    _age_everything(settings.db, 31 * 86400)
    with TestClient(create_app(settings.replace(retention_days=30))) as client:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the start-up purge runs in the background
            conn = sqlite3.connect(settings.db)
            left = conn.execute("SELECT count(*) FROM votes").fetchone()[0]
            conn.close()
            if left == 0:
                break
            time.sleep(0.02)
        assert left == 0
        assert summary(client, "a")["a"]["count"] == 1


def test_purge_with_retention_off_keeps_votes(settings: Any) -> None:
    from widget.runtime.app import create_app

    with TestClient(create_app(settings.replace(retention_days=0))) as client:
        vote(client, "a", 2, voter())
    _age_everything(settings.db, 4000 * 86400)
    result = CliRunner().invoke(
        cli, ["purge", "--db", settings.db], env={"WIDGET_RETENTION_DAYS": "0"}
    )
    assert result.exit_code == 0
    assert "retention is off" in result.output
    conn = sqlite3.connect(settings.db)
    assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 1
    conn.close()


def test_reset_post_also_clears_its_baseline(settings: Any) -> None:
    from widget.runtime.app import create_app

    with TestClient(create_app(settings)) as client:
        vote(client, "a", 2, voter())
    conn = open_database(settings.db)
    conn.execute("BEGIN")
    store.purge_before(conn, cutoff=time.time() + 10, now=time.time())
    store.reset_post(conn, "default", "a", "admin", time.time())
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM vote_baseline").fetchone()[0] == 0
    assert store.recompute(conn) == []
    conn.close()
