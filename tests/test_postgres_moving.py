"""Moving from SQLite to PostgreSQL: `export` then `import` keeps every summary, feedback item
and site; `copy` also brings the authors and the secret, so readers' votes stay theirs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from starlette.testclient import TestClient

from tests import pg_support
from tests.conftest import NO_LIMITS, voter
from widget.cli import cli
from widget.models import FeedbackInput, Site, VoteInput
from widget.runtime.app import create_app
from widget.settings import Settings
from widget.store import InboxFilter, open_store

TOKEN = voter()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


async def _fill(path: str) -> None:
    data = await open_store(path)
    try:
        await data.create_site(
            Site("docs", "Docs", ("https://docs.example",), {"threshold": 3}), "x"
        )
        await data.create_author("ann", "hash-of-ann", False, ["docs"], None)
        await data.create_author("root", "hash-of-root", True, [], None)
        now = time.time()
        for n in range(30):
            vote = VoteInput("docs" if n % 3 else "default", f"post-{n % 7}", "t" * 16, n % 5 + 1)
            await data.cast_vote(vote, f"reader-{n}", now - n * 3600, None)
        await data.withdraw_vote("docs", "post-1", "reader-1", now, None)
        item = FeedbackInput("docs", "post-2", "t" * 16, "the second step is unclear", 2, "unclear")
        fid = await data.add_feedback(item, "reader-2", "new", 0.1, now, None)
        await data.triage_feedback([fid], ["docs"], now, "planned", "rewrite it", None)
    finally:
        await data.close()


async def _picture(path: str, with_authors: bool) -> dict[str, Any]:
    """What readers and authors see of a database."""
    data = await open_store(path)
    try:
        sites = await data.load_sites()
        summaries = {
            slug: await data.read_summaries(slug, [f"post-{n}" for n in range(7)]) for slug in sites
        }
        feedback, _ = await data.list_feedback(InboxFilter(tuple(sites), status="planned"))
        authors = [
            (a.username, a.password_hash, a.is_admin, a.sites) for a in await data.list_authors()
        ]
        trend = await data.daily_trend("docs", "2000-01-01")
        return {
            "sites": sites,
            "summaries": summaries,
            "feedback": [item.feedback for item in feedback],
            "trend": trend,
            "authors": authors if with_authors else None,
        }
    finally:
        await data.close()


def test_export_then_import_moves_every_summary_feedback_and_site(
    tmp_path: Path, postgres_server: pg_support.Postgres
) -> None:
    sqlite = str(tmp_path / "old.db")
    asyncio.run(_fill(sqlite))
    url = postgres_server.create_database("moved_by_import")
    dump = tmp_path / "dump.jsonl"
    run("export", "--db", sqlite, "-o", str(dump))
    run("import", "--db", url, str(dump))
    before, after = asyncio.run(_picture(sqlite, False)), asyncio.run(_picture(url, False))
    assert after == before
    assert after["summaries"]["docs"]["post-2"].count > 0


def test_copy_brings_authors_and_the_secret_so_readers_keep_their_votes(
    tmp_path: Path, postgres_server: pg_support.Postgres
) -> None:
    sqlite = str(tmp_path / "old.db")
    old = Settings(db=sqlite, access_log=False, **NO_LIMITS)  # the secret kept in the file
    with TestClient(create_app(old)) as client:
        cast = client.post("/api/v1/votes", json={"post": "mine", "rating": 5, "voter": TOKEN})
        assert cast.json()["count"] == 1
    asyncio.run(_fill(sqlite))
    url = postgres_server.create_database("moved_by_copy")
    assert "2 author" in run("copy", "--from", sqlite, "--to", url)
    assert asyncio.run(_picture(url, True)) == asyncio.run(_picture(sqlite, True))
    with TestClient(create_app(Settings(db=url, access_log=False, **NO_LIMITS))) as client:
        changed = client.post("/api/v1/votes", json={"post": "mine", "rating": 1, "voter": TOKEN})
        # The same reader changed their vote: still one vote, now a 1.
        assert (changed.json()["count"], changed.json()["average"]) == (1, 1.0)


def test_a_urls_password_is_never_printed(postgres_server: pg_support.Postgres) -> None:
    url = postgres_server.create_database("shown")
    with_password = url.replace("postgres@", "postgres:hunter2-secret@")
    output = run("migrate", "--db", with_password)
    assert "hunter2-secret" not in output
    assert "postgres:***@" in output and "schema version 5" in output
