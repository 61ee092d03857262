"""PostgreSQL going away under a serving instance: reads from the cache go on, writes get a 503
with Retry-After, /readyz says 503, and the instance recovers by itself once it is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import pg_support
from tests.conftest import NO_LIMITS_ENV, LiveServer, free_port, voter

pytestmark = pytest.mark.slow


@pytest.fixture
def own_postgres() -> Iterator[pg_support.Postgres]:
    """A server of this test's own: it is stopped and started again."""
    if not pg_support.available():
        pytest.skip(f"PostgreSQL's binaries are not in {pg_support.PG_BIN}")
    server = pg_support.Postgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def served(own_postgres: pg_support.Postgres, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        db=tmp_path / "unused.db",
        port=free_port(),
        extra_env={"WIDGET_SECRET_KEY": "faults", **NO_LIMITS_ENV},
        database=own_postgres.create_database("faults"),
    )
    try:
        yield server.start()
    finally:
        server.stop()


def vote(server: LiveServer, post: str, token: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/votes",
        json={"post": post, "rating": 4, "voter": token or voter()},
        timeout=15,
    )


def test_postgres_stopped_while_serving_then_back(
    served: LiveServer, own_postgres: pg_support.Postgres
) -> None:
    assert vote(served, "kept").status_code == 200
    own_postgres.stop()

    read = httpx.get(f"{served.url}/api/v1/summary?site=default&post=kept", timeout=15)
    assert read.status_code == 200  # from the cache
    assert read.json()["posts"][0]["count"] == 1
    refused = vote(served, "kept")
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "unavailable"
    assert int(refused.headers["retry-after"]) > 0
    assert httpx.get(f"{served.url}/readyz", timeout=15).status_code == 503

    own_postgres.start()
    back = time.monotonic()
    deadline = back + 20
    while vote(served, "after").status_code != 200:
        assert time.monotonic() < deadline, "the instance did not recover"
        time.sleep(0.05)
    print(f"writes accepted again {time.monotonic() - back:.2f} s after PostgreSQL was back")
    assert httpx.get(f"{served.url}/readyz", timeout=15).status_code == 200
    after = httpx.get(f"{served.url}/api/v1/summary?site=default&post=after", timeout=15)
    assert after.json()["posts"][0]["count"] == 1


async def _votes_while_connections_drop(
    server: LiveServer, postgres: pg_support.Postgres
) -> tuple[list[str], list[str]]:
    accepted: list[str] = []
    refused: list[str] = []

    async def reader(number: int, client: httpx.AsyncClient) -> None:
        for n in range(40):
            post = f"drop-{number}-{n}"
            answer = await client.post(
                "/api/v1/votes", json={"post": post, "rating": 3, "voter": voter()}
            )
            assert answer.status_code in (200, 503), answer.text  # never a 500
            (accepted if answer.status_code == 200 else refused).append(post)

    async def cut() -> None:
        for _ in range(8):
            await asyncio.sleep(0.1)
            await asyncio.to_thread(
                postgres.psql,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'rating-widget'",
                "faults",
            )

    async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
        await asyncio.gather(cut(), *(reader(number, client) for number in range(16)))
    return accepted, refused


def test_a_connection_dropped_mid_write_leaves_the_vote_whole_or_refused(
    served: LiveServer, own_postgres: pg_support.Postgres
) -> None:
    accepted, refused = asyncio.run(_votes_while_connections_drop(served, own_postgres))
    stored = set(own_postgres.psql("SELECT post FROM votes", "faults").split())
    counted = set(own_postgres.psql("SELECT post FROM posts WHERE votes > 0", "faults").split())
    print(f"accepted {len(accepted)}, refused {len(refused)}, stored {len(stored)}")
    # Every acknowledged vote is there, and no refused one: a batch whose connection went
    # after its commit is answered from the rows, not refused.
    assert stored == set(accepted)
    assert stored == counted  # and nothing is half there: a vote row always has its count
    assert own_postgres.psql("SELECT count(*) FROM posts WHERE votes > 1", "faults") == "0"
