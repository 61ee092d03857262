"""The `import` command: into a database that already has votes and feedback of its own, bad
records refused with their line, other tools' exports cleaned as the API cleans its input."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS, voter
from widget.cli import cli
from widget.runtime.app import create_app
from widget.settings import Settings


def _settings(path: Path, secret: str) -> Settings:
    return Settings(db=str(path), secret_key=secret, access_log=False, **NO_LIMITS)


def _fill(settings: Settings, ratings: list[int], text: str) -> None:
    with TestClient(create_app(settings)) as client:
        for rating in ratings:
            answer = client.post(
                "/api/v1/votes", json={"post": "p", "rating": rating, "voter": voter()}
            )
            assert answer.status_code == 200
        answer = client.post("/api/v1/feedback", json={"post": "p", "voter": voter(), "text": text})
        assert answer.status_code == 201


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _state(db: str) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    try:
        posts = conn.execute("SELECT votes, total FROM posts WHERE post = 'p'").fetchone()
        daily = conn.execute("SELECT sum(votes), sum(total) FROM daily WHERE post = 'p'").fetchone()
        texts = sorted(row[0] for row in conn.execute("SELECT text FROM feedback"))
        return posts, daily, texts
    finally:
        conn.close()


def test_import_into_a_live_database_adds_up_and_keeps_its_feedback(tmp_path: Path) -> None:
    here = _settings(tmp_path / "here.db", "here")
    there = _settings(tmp_path / "there.db", "there")
    _fill(here, [5, 5], "written here")
    _fill(there, [1, 1, 1], "written there")
    dump = tmp_path / "there.jsonl"
    _run("export", "--db", there.db, "-o", str(dump))

    _run("import", "--db", here.db, str(dump))
    posts, daily, texts = _state(here.db)
    assert posts == (5, 13)
    assert daily == posts  # the trend adds up to the counts shown
    assert texts == ["written here", "written there"]  # same id 1 in both: neither is lost

    _run("import", "--db", here.db, str(dump))  # importing twice still changes nothing
    assert _state(here.db) == (posts, daily, texts)
    with TestClient(create_app(here)) as client:
        shown = client.get("/api/v1/summary?post=p").json()["posts"][0]
    assert (shown["count"], shown["distribution"]) == (5, [3, 0, 0, 0, 2])


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("[1, 2]", "line 2"),
        (
            '{"type": "vote", "site": "default", "post": "nowhere", "voter_key": "k",'
            ' "rating": 3, "created_at": 1, "updated_at": 1}',
            "line 2",
        ),
        (
            '{"type": "vote", "site": "default", "post": "p", "voter_key": "k",'
            ' "rating": 9, "created_at": 1, "updated_at": 1}',
            "line 2",
        ),
        (
            '{"type": "vote", "site": "default", "post": "p", "voter_key": "k",'
            ' "rating": 3.5, "created_at": 1, "updated_at": 1}',
            "line 2",
        ),
    ],
)
def test_import_refuses_bad_records_with_their_line_and_changes_nothing(
    tmp_path: Path, line: str, said: str
) -> None:
    db = str(tmp_path / "bad.db")
    source = tmp_path / "bad.jsonl"
    source.write_text('{"type": "post", "site": "default", "post": "p"}\n' + line + "\n")
    result = CliRunner().invoke(cli, ["import", "--db", db, str(source)])
    assert result.exit_code == 1, result.output  # a message, not a traceback
    assert said in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM posts").fetchone() == (0,)
    conn.close()


def test_foreign_post_ids_are_cleaned_like_the_api_cleans_them(tmp_path: Path) -> None:
    """A post id the widget can never ask for would hold votes nobody sees."""
    db = str(tmp_path / "wp.db")
    source = tmp_path / "wp.csv"
    source.write_text(
        "rating_id,rating_postid,rating_rating,rating_timestamp\n1, hello\x01world ,4,1700000000\n"
    )
    _run("import", "--db", db, "--format", "wp-postratings", str(source))
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT post, votes FROM posts").fetchall() == [("helloworld", 1)]
    conn.close()


@pytest.mark.parametrize("row", ["1,,5,1700000000", "1,42,5", "1," + "x" * 300 + ",5,1700000000"])
def test_foreign_rows_the_widget_cannot_use_are_refused_with_their_line(
    tmp_path: Path, row: str
) -> None:
    db = str(tmp_path / "wp.db")
    source = tmp_path / "wp.csv"
    source.write_text("rating_id,rating_postid,rating_rating,rating_timestamp\n" + row + "\n")
    result = CliRunner().invoke(
        cli, ["import", "--db", db, "--format", "wp-postratings", str(source)]
    )
    assert result.exit_code == 1, result.output
    assert "line 2" in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM votes").fetchone() == (0,)
    conn.close()


def test_a_running_service_shows_what_the_cli_imported(tmp_path: Path) -> None:
    """import and recompute change votes under the service; its cache must not hide them."""
    settings = _settings(tmp_path / "live.db", "k")
    source = tmp_path / "more.jsonl"
    source.write_text(
        '{"type": "post", "site": "default", "post": "p"}\n'
        '{"type": "vote", "site": "default", "post": "p", "voter_key": "imported",'
        ' "rating": 1, "created_at": 1, "updated_at": 1}\n'
    )
    with TestClient(create_app(settings)) as client:
        client.post("/api/v1/votes", json={"post": "p", "rating": 5, "voter": voter()})
        assert _count(client) == 1  # now in the service's cache
        _run("import", "--db", settings.db, str(source))
        deadline = time.monotonic() + 30
        while _count(client) != 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _count(client) == 2


def _count(client: TestClient) -> int:
    count: int = client.get("/api/v1/summary?post=p").json()["posts"][0]["count"]
    return count


@pytest.mark.parametrize("when", ["9" * 30, "99999999999999", "1e400"])
def test_a_foreign_time_out_of_range_is_refused_with_its_line(tmp_path: Path, when: str) -> None:
    db = str(tmp_path / "wp.db")
    source = tmp_path / "wp.csv"
    source.write_text(
        "rating_id,rating_postid,rating_rating,rating_timestamp\n" + f"1,42,5,{when}\n"
    )
    result = CliRunner().invoke(
        cli, ["import", "--db", db, "--format", "wp-postratings", str(source)]
    )
    assert result.exit_code == 1, result.output
    assert "line 2" in result.output


def test_an_exported_post_with_an_odd_last_vote_time_still_imports(tmp_path: Path) -> None:
    db = str(tmp_path / "odd.db")
    source = tmp_path / "odd.jsonl"
    source.write_text(
        '{"type": "post", "site": "default", "post": "p", "last_vote_at": 1e300}\n'
        '{"type": "vote", "site": "default", "post": "p", "voter_key": "k",'
        ' "rating": 4, "created_at": 1, "updated_at": 1}\n'
    )
    _run("import", "--db", db, str(source))
    posts, daily, _ = _state(db)
    assert posts == daily == (1, 4)
