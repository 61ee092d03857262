"""The command line as an operator uses it."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import voter
from widget.cli import cli
from widget.guard.auth import verify_password
from widget.runtime.app import create_app
from widget.settings import Settings


def run(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fill(settings: Settings) -> list[dict[str, object]]:
    rng = random.Random(11)
    with TestClient(create_app(settings)) as client:
        for _ in range(300):
            client.post(
                "/api/v1/votes",
                json={
                    "post": f"post-{rng.randrange(12)}",
                    "rating": rng.randint(1, 5),
                    "voter": voter(),
                    "title": "Ünïcode title ✓",
                },
            )
        client.post(
            "/api/v1/feedback",
            json={"post": "post-1", "voter": voter(), "text": "Line one\nline two", "rating": 1},
        )
        query = "&".join(f"post=post-{i}" for i in range(12))
        posts: list[dict[str, object]] = client.get(f"/api/v1/summary?{query}").json()["posts"]
        return posts


def test_export_then_import_reproduces_every_summary(tmp_path: Path) -> None:
    source = Settings(db=str(tmp_path / "a.db"), secret_key="k", access_log=False)
    before = fill(source)
    dump = tmp_path / "dump.jsonl"
    run("export", "--db", source.db, "-o", str(dump))
    lines = [json.loads(line) for line in dump.read_text().splitlines()]
    assert {line["type"] for line in lines} == {"site", "post", "vote", "daily", "feedback"}
    target = Settings(db=str(tmp_path / "b.db"), secret_key="k", access_log=False)
    out = run("import", "--db", target.db, str(dump))
    assert "300 vote" in out or "vote" in out
    with TestClient(create_app(target)) as client:
        query = "&".join(f"post=post-{i}" for i in range(12))
        after = client.get(f"/api/v1/summary?{query}").json()["posts"]
    assert after == before
    again = tmp_path / "again.jsonl"
    run("export", "--db", target.db, "-o", str(again))
    assert again.read_text() == dump.read_text()  # round trip is exact, byte for byte
    run("import", "--db", target.db, str(dump))  # importing twice changes nothing
    run("export", "--db", target.db, "-o", str(again))
    assert again.read_text() == dump.read_text()


def test_import_refuses_garbage_and_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "site", "slug": "blog", "name": "Blog"}\nnot json\n')
    result = CliRunner().invoke(cli, ["import", "--db", db, str(bad)])
    assert result.exit_code != 0
    assert "line 2" in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sites WHERE slug = 'blog'").fetchone() == (0,)
    conn.close()


def test_create_author_reads_password_from_stdin(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert "created admin ana" in run(
        "create-author", "ana", "--admin", "--db", db, stdin="correct horse battery\n"
    )
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT password_hash, is_admin FROM authors").fetchone()
    conn.close()
    assert stored[0].startswith("$argon2id$")
    assert verify_password(stored[0], "correct horse battery")
    assert stored[1] == 1
    short = CliRunner().invoke(cli, ["create-author", "bob", "--db", db], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    dup = CliRunner().invoke(cli, ["create-author", "ana", "--db", db], input="another long one\n")
    assert dup.exit_code != 0 and "already exists" in dup.output
    nosite = CliRunner().invoke(
        cli, ["create-author", "cy", "--site", "nope", "--db", db], input="long enough pass\n"
    )
    assert nosite.exit_code != 0 and "does not exist" in nosite.output


def test_migrate_and_recompute(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "r.db"), secret_key="k", access_log=False)
    assert "schema version" in run("migrate", "--db", settings.db)
    fill(settings)
    assert "no drift" in run("recompute", "--db", settings.db)
    conn = sqlite3.connect(settings.db)
    conn.execute("UPDATE posts SET votes = votes + 3 WHERE post = 'post-2'")
    conn.commit()
    conn.close()
    out = run("recompute", "--db", settings.db)
    assert "corrected default/post-2" in out and "1 posts drifted" in out
    assert "no drift" in run("recompute", "--db", settings.db)


def test_bad_setting_is_a_clear_error(tmp_path: Path, monkeypatch: object) -> None:
    result = CliRunner().invoke(
        cli, ["migrate", "--db", str(tmp_path / "x.db")], env={"WIDGET_SYNC": "sometimes"}
    )
    assert result.exit_code != 0
    assert "WIDGET_SYNC" in result.output


WP_POSTRATINGS = """\
rating_id,rating_postid,rating_posttitle,rating_rating,rating_timestamp,\
rating_ip,rating_host,rating_username,rating_userid
1,42,Hello world,5,1700000000,203.0.113.9,host.example,Guest,0
2,42,Hello world,3,1700086400,203.0.113.10,host.example,Guest,0
3,7,Second post,1,1700090000,203.0.113.11,host.example,ana,1
"""


def test_import_wp_postratings_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "wp.db")
    csv_file = tmp_path / "wp_ratings.csv"
    csv_file.write_text(WP_POSTRATINGS)
    for _ in range(2):  # importing the same file twice counts each vote once
        run("import", "--db", db, "--format", "wp-postratings", str(csv_file))
    with TestClient(create_app(Settings(db=db, access_log=False))) as client:
        posts = client.get("/api/v1/summary?post=42&post=7").json()["posts"]
    assert [(p["count"], p["average"], p["distribution"]) for p in posts] == [
        (2, 4.0, [0, 0, 1, 0, 1]),
        (1, 1.0, [1, 0, 0, 0, 0]),
    ]
    dump = sqlite3.connect(db).iterdump()
    assert not any("203.0.113" in line or "Guest" in line for line in dump)


def test_import_foreign_csv_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,post,value\n1,2,5\n")
    result = CliRunner().invoke(
        cli, ["import", "--db", str(tmp_path / "x.db"), "--format", "rate-my-post", str(bad)]
    )
    assert result.exit_code != 0 and "missing column 'time'" in result.output
    nosite = CliRunner().invoke(
        cli,
        [
            "import",
            "--db",
            str(tmp_path / "x.db"),
            "--format",
            "rate-my-post",
            "--site",
            "nope",
            str(bad),
        ],
    )
    assert nosite.exit_code != 0 and "does not exist" in nosite.output
