"""PostgreSQL rows: the summary read and the durable vote on one instance, two against one.

A throwaway PostgreSQL (tests/pg_support.py: Debian's binaries, initdb in a temporary
directory) runs with fsync on, on the servers' core like everything but wrk: one machine's
service and its database share the core SQLite's service has alone. The data is the SQLite
scenarios' own (1,000 posts of 10 votes), moved with `copy`.

Two instances on this 2-core machine: the instances, PostgreSQL and the bare endpoint share one
core and wrk has the other, so the row shows what a second instance costs and that the pair
stays exact and fast, not the scaling of separate machines (each would bring its own core).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

import seed
from common import ROOT, Load, Run, as_row, lua_script
from http_client import fetch
from scenarios import paired, summary_path
from servers import Server, fresh_db, start_bare, start_service

sys.path.insert(0, str(ROOT))  # tests/pg_support.py, shared with the test suite

SERVER = "postgresql"  # the rows' server column: Granian, the default, on PostgreSQL


def bench_postgres(run: Run, server: str, load: Load, prefix: list[str]) -> None:
    from tests import pg_support

    if not pg_support.available():
        run.notes.append(f"PostgreSQL rows skipped: no binaries in {pg_support.PG_BIN}")
        return
    database = pg_support.Postgres(fsync=True, wrap=prefix)
    try:
        database.start()
        url = database.create_database("bench")
        _seed(url)
        _measure(run, server, load, prefix, url)
    finally:
        database.remove()


def _seed(url: str) -> None:
    from widget.actions.copying import copy_database
    from widget.store import open_store

    source = fresh_db("postgres-seed.db")
    seed.seed_posts(source, posts=1000, votes_each=10)

    async def move() -> None:
        old, new = await open_store(str(source)), await open_store(url)
        try:
            await copy_database(old, new)
        finally:
            await old.close()
            await new.close()

    asyncio.run(move())


def _measure(run: Run, server: str, load: Load, prefix: list[str], url: str) -> None:
    read_lua = lua_script("read", "fresh_reader", "read", "report")
    vote_lua = lua_script("vote", "fresh_reader", "vote", "report")
    report_lua = lua_script("report", "report")
    name = f"{server} on {SERVER}"
    one = start_service(server, url, prefix, "pg-one")
    sizes = {1: len(fetch(one.url + summary_path(["post-1"]))[1])}
    bare = start_bare(server, sizes, prefix)
    reference = start_bare("uvicorn", sizes, prefix) if server != "uvicorn" else None
    two: Server | None = None
    try:
        for scenario, path, script, connections in (
            ("summary: 1 post", summary_path(["post-1"]), read_lua, 32),
            ("vote (durable)", "/", vote_lua, 32),
            ("vote (durable)", "/", vote_lua, 128),
        ):
            ref = (reference, "/bare?n=1", report_lua) if reference else None
            row = paired(
                load,
                name,
                scenario,
                connections,
                (one, path, script),
                (bare, "/bare?n=1", report_lua),
                ref,
                bare_is_reference=server == "uvicorn",
            )
            run.rows.append(row)
        two = start_service(server, url, prefix, "pg-two")
        run.rows.append(_two_against_one(load, name, one, two, vote_lua))
        run.facts[f"{name}: votes agree between instances"] = _agree(one, two)
    finally:
        for process in (one, two, bare, reference):
            if process is not None:
                process.stop()


def _two_against_one(load: Load, name: str, one: Server, two: Server, script: Any) -> Any:
    """Rounds alternating: 64 connections on one instance, then 32 on each of the two."""
    seconds = load.duration / load.rounds
    alone: list[dict[str, Any]] = []
    pair: list[dict[str, Any]] = []
    for _ in range(load.rounds):
        alone.append(load.once(one.url + "/", 64, script, {"BENCH_PATH": "/"}, seconds))
        found: list[dict[str, Any]] = []

        def hit(target: Server, found: list[dict[str, Any]] = found) -> None:
            found.append(load.once(target.url + "/", 32, script, {"BENCH_PATH": "/"}, seconds))

        threads = [threading.Thread(target=hit, args=(target,)) for target in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pair.append(_together(found))
    row = as_row(name, "vote (durable), 2 instances", 64, pair)
    row.compare(as_row(name, "vote (durable), 1 instance", 64, alone))
    row.note = "x bare here = against one instance at 64 connections, same rounds"
    print(
        f"  {name:8} two instances c=64 {row.rps:8.0f} votes/s against one {row.bare_rps:8.0f}"
        f" = {row.ratio:.2f}x   errors {row.errors}",
        flush=True,
    )
    return row


def _together(slices: list[dict[str, Any]]) -> dict[str, Any]:
    """Two wrk runs side by side as one: counts summed over the same seconds."""
    merged = dict(slices[0])
    for key in ("requests", "connect_errors", "read_errors", "write_errors", "status_errors"):
        merged[key] = sum(s.get(key, 0) for s in slices)
    merged["timeouts"] = sum(s.get("timeouts", 0) for s in slices)
    merged["duration_us"] = max(s["duration_us"] for s in slices)
    for key in ("p50_us", "p99_us"):
        merged[key] = max(s[key] for s in slices)
    return merged


def _agree(one: Server, two: Server) -> bool:
    """After the load, both instances serve the same numbers for every post voted on (asked a
    few times: the last notifications may still be on their way)."""
    posts = [f"post-{n}" for n in range(20)]
    for _ in range(20):
        if fetch(one.url + summary_path(posts))[1] == fetch(two.url + summary_path(posts))[1]:
            return True
        time.sleep(0.1)
    return False
