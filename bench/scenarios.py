"""The scenarios of one server: reads, votes, feedback, the dashboard, a million votes.

Every service scenario is measured in rounds alternating with the bare endpoint at the same
number of connections (bare, service, bare, service, ...), so drift on a shared machine hits
both sides of a ratio alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import seed
from common import WORK, Load, Row, Run, as_row, lua_script
from http_client import fetch, login_cookie
from servers import Server, fresh_db, start_bare, start_service

BATCH = [f"post-{n}" for n in range(20)]
AUTHOR, PASSWORD = "bench-author", "bench-password-123"


def summary_path(posts: list[str]) -> str:
    return "/api/v1/summary?site=default&" + "&".join(f"post={p}" for p in posts)


def paired(
    load: Load,
    server: str,
    scenario: str,
    connections: int,
    target: tuple[Server, str, Path],
    bare: tuple[Server, str, Path],
    reference: tuple[Server, str, Path] | None = None,
    bare_is_reference: bool = False,
) -> Row:
    """The scenario and the bare endpoint in alternating rounds; the row carries both.

    `reference`: bare Starlette on uvicorn when the scenario's own server is another one; it
    joins the rounds, so the budget's ratio is taken in the same minutes as the others.
    """
    seconds = load.duration / load.rounds
    order = [("bare", bare), ("service", target)]
    if reference is not None:
        order.insert(1, ("reference", reference))
    sides: dict[str, list[dict[str, Any]]] = {side: [] for side, _ in order}
    for _, (proc, path, script) in order:
        if load.warmup > 0:
            load.once(proc.url + path, connections, script, {"BENCH_PATH": path}, load.warmup)
    for _ in range(load.rounds):
        for side, (proc, path, script) in order:
            stats = load.once(proc.url + path, connections, script, {"BENCH_PATH": path}, seconds)
            sides[side].append(stats)
    row = as_row(server, scenario, connections, sides["service"])
    bare_row = as_row(server, "bare", connections, sides["bare"])
    ref = as_row("uvicorn", "bare", connections, sides["reference"]) if reference else None
    row.compare(bare_row, ref or (bare_row if bare_is_reference else None))
    against_ref = (
        f"; x reference {row.ref_ratio:.2f}, p99 x reference {row.ref_p99_ratio:.2f}"
        if row.ref_ratio is not None and row.ref_p99_ratio is not None
        else ""
    )
    print(
        f"  {server:8} {scenario:22} c={connections:<4} {row.rps:8.0f} req/s"
        f" (bare {row.bare_rps:8.0f}) = {row.ratio:.2f}x   p99 {row.p99_ms:6.2f} ms"
        f" (bare {row.bare_p99_ms:6.2f}) = {row.p99_ratio:.2f}x{against_ref}   errors {row.errors}",
        flush=True,
    )
    return row


def bench_server(run: Run, server: str, load: Load, prefix: list[str], quick: bool) -> None:
    report_lua = lua_script("report", "report")
    read_lua = lua_script("read", "fresh_reader", "read", "report")
    vote_lua = lua_script("vote", "fresh_reader", "vote", "report")
    feedback_lua = lua_script("feedback", "fresh_reader", "feedback", "report")
    db = fresh_db(f"service-{server}.db")
    seed.seed_posts(db, posts=1000, votes_each=10)
    service = start_service(server, db, prefix, "service")
    run.facts[f"{server}: start-up, 1,000 posts (s)"] = round(service.startup_s, 3)
    sizes = {
        1: len(fetch(service.url + summary_path(["post-1"]))[1]),
        20: len(fetch(service.url + summary_path(BATCH))[1]),
    }
    run.facts["summary answer bytes (1 post, 20 posts)"] = sizes
    bare = start_bare(server, sizes, prefix)
    # The reference is bare Starlette on uvicorn; under another server it runs too.
    uvicorn_bare = start_bare("uvicorn", sizes, prefix) if server != "uvicorn" else None
    try:
        for scenario, path, script, connections, n in (
            ("summary: 1 post", summary_path(["post-1"]), read_lua, 32, 1),
            ("summary: 20 posts", summary_path(BATCH), read_lua, 32, 20),
            ("vote (durable)", "/", vote_lua, 32, 1),
            ("vote (durable)", "/", vote_lua, 128, 1),
            ("feedback", "/", feedback_lua, 32, 1),
        ):
            reference = (uvicorn_bare, f"/bare?n={n}", report_lua) if uvicorn_bare else None
            own_bare = (bare, f"/bare?n={n}", report_lua)
            target = (service, path, script)
            row = paired(
                load,
                server,
                scenario,
                connections,
                target,
                own_bare,
                reference,
                bare_is_reference=server == "uvicorn",
            )
            run.rows.append(row)
        batches = _writer_batches(service)
        if batches:
            run.facts[f"{server}: writes per commit (mean)"] = batches
        code, seconds = service.stop()
        # uvicorn re-raises the signal after its graceful stop, so -15 there is the normal end.
        drained = "writer drained" in service.log_path.read_text(errors="replace")
        run.facts[f"{server}: SIGTERM stop after the load"] = (
            f"exit {code} in {seconds:.2f} s, writer drained: {'yes' if drained else 'NO'}"
        )
        dashboard(run, server, load, prefix, bare, report_lua, quick)
        million(run, server, load, prefix, read_lua, quick)
    finally:
        bare.stop()
        if uvicorn_bare is not None:
            uvicorn_bare.stop()
        service.stop()


def _writer_batches(service: Server) -> float | None:
    status, body = fetch(service.url + "/metrics")
    if status != 200:
        return None
    values = {}
    for line in body.decode().splitlines():
        for name in ("widget_writer_batch_size_sum", "widget_writer_batch_size_count"):
            if line.startswith(name + " "):
                values[name] = float(line.split()[1])
    count = values.get("widget_writer_batch_size_count")
    return round(values["widget_writer_batch_size_sum"] / count, 1) if count else None


def million(
    run: Run, server: str, load: Load, prefix: list[str], script: Path, quick: bool
) -> None:
    """O(1) reads: the same read at 10 votes and at a million; memory and start-up with them."""
    votes = 20_000 if quick else 1_000_000
    db = seed.seed_million(WORK / f"million-{server}.db", votes)
    service = start_service(server, db, prefix, "million")
    label = f"{votes:,} votes"
    try:
        small = (service, summary_path([seed.SMALL_POST]), script)
        big = (service, summary_path([seed.BIG_POST]), script)
        row = paired(load, server, f"summary at {label}", 32, big, small)
        row.note = "x bare here = against the same read at 10 votes"
        run.rows.append(row)
        run.facts[f"{server}: read cost at {label} / at 10 votes"] = round(1 / (row.ratio or 1), 3)
        memory = service.memory_mib()
        run.facts[f"{server}: memory with {label} (MiB)"] = {
            k: round(v, 1) for k, v in memory.items()
        }
        run.facts[f"{server}: PSS with {label} (MiB)"] = round(memory["pss_total"], 1)
        run.facts[f"{server}: start-up with {label} (s)"] = round(service.startup_s, 3)
    finally:
        service.stop()


def dashboard(
    run: Run, server: str, load: Load, prefix: list[str], bare: Server, script: Path, quick: bool
) -> None:
    """The authors' overview with 100,000 posts, logged in through the form like a browser."""
    posts = 2_000 if quick else 100_000
    db = fresh_db(f"dashboard-{server}.db")
    seed.seed_dashboard(db, posts, AUTHOR, PASSWORD)
    service = start_service(server, db, prefix, "dashboard")
    try:
        if fetch(service.url + "/dashboard/login")[0] == 404:
            run.notes.append(f"{server}: no /dashboard/login in this build: dashboard not measured")
            return
        cookie, overview = login_cookie(service.url, AUTHOR, PASSWORD)
        page = lua_script("dashboard", "dashboard", "report")
        # One round each: a server-rendered page is not a hot path, and the run has a budget.
        seconds = load.duration / load.rounds
        stats = load.once(service.url + overview, 32, page, {"BENCH_COOKIE": cookie}, seconds)
        row = as_row(server, f"dashboard {overview} ({posts:,} posts)", 32, [stats])
        bare_stats = load.once(bare.url + "/bare?n=1", 32, script, None, seconds)
        row.compare(as_row(server, "bare", 32, [bare_stats]))
        run.rows.append(row)
        print(
            f"  {server:8} {row.scenario} {row.rps:8.0f} req/s, p99 {row.p99_ms:.1f} ms", flush=True
        )
    except Exception as exc:  # a dashboard under construction must not sink the other numbers
        run.notes.append(f"{server}: dashboard not measured: {exc}")
    finally:
        service.stop()


def embed_size() -> dict[str, int]:
    """What a reader downloads for the first view: /embed.js as served (minified, gzipped)."""
    from widget.http.embed.code import code_file
    from widget.http.templating import static_hash

    served = code_file("embed.js", static_hash("embed.js"))
    return {
        "files": 1,
        "bytes": len(served.plain),
        "gzip_bytes": len(served.gzipped),
    }
