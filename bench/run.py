"""Load benchmark: the service against a bare Starlette endpoint, in one run, as ratios.

    python bench/run.py            # full run (about 10 minutes), writes bench/results.md
    python bench/run.py --quick    # a few seconds per scenario, no Isso: checks the harness

Each server (uvicorn, Granian) runs the service as users start it (`python -m widget serve`,
one worker, default settings) beside a bare endpoint (bench/bare.py: same server function and
settings, no access log). The budget's ratios are taken against the issue's reference, the bare
endpoint on uvicorn (uvloop, httptools): under Granian it runs too, in the same rounds.
Servers share one core and wrk gets the other (taskset), so the load generator does not take
the server's CPU. On a shared machine absolute numbers move; the
ratios within one run are what count (see scenarios.paired for how they are taken).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peer
from common import BENCH, ROOT, WORK, Load, Run
from postgres import bench_postgres
from report import check_budget, render_markdown, render_table
from scenarios import bench_server, embed_size

SERVERS = ("uvicorn", "granian")


def pinning() -> tuple[list[str], list[str], str]:
    """taskset prefixes: servers on the first core, the load generator on the last."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return [], [], f"not pinned ({len(cpus)} core(s) available)"
    server, load = str(cpus[0]), str(cpus[-1])
    pinned = f"servers on core {server}, wrk on core {load}"
    return ["taskset", "-c", server], ["taskset", "-c", load], pinned


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{model}, {os.cpu_count()} cores, {platform.platform()}; "
        f"load average {load:.2f} at the start"
    )


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "widget", "bench")
    return head + (" (widget/ or bench/ with uncommitted changes)" if dirty else "")


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("starlette", "uvicorn", "uvloop", "httptools", "granian", "aiosqlite", "asyncpg")
    return {name: version(name) for name in names}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="seconds, not minutes; no Isso")
    parser.add_argument("--duration", type=float, help="seconds per scenario (default 9)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument("--no-isso", action="store_true", help="skip the Isso peer")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument("--json", type=Path, default=WORK / "results.json")
    parser.add_argument("--markdown", type=Path, help="default bench/results.md (none if --quick)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Run:
    args = parse_args(argv)
    rounds = 1 if args.quick else 9  # 1-second slices: short enough to track a busy machine
    duration = args.duration or (1.0 if args.quick else 9.0)
    warmup = 0.0 if args.quick else 1.0
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    WORK.mkdir(parents=True, exist_ok=True)
    server_prefix, load_prefix, pinned = pinning()
    run = Run(args={"quick": args.quick, "duration_s": duration, "servers": servers})
    run.facts.update(
        {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "commit": commit(),
            "python": platform.python_version(),
            "versions": versions(),
            "pinning": pinned,
            "load generator": (
                f"wrk, 1 thread; per scenario {rounds} rounds of {duration / rounds:g} s,"
                f" alternating with the bare endpoint, after {warmup:g} s of warm-up each"
            ),
            "embed": embed_size(),
        }
    )
    load = Load(load_prefix, duration, warmup, rounds)
    print(f"benchmark: {pinned}; {run.facts['load generator']}", flush=True)
    for server in servers:
        bench_server(run, server, load, server_prefix, args.quick)
    if not args.no_postgres:
        # On the default server only: the rows compare backends, not servers.
        bench_postgres(run, servers[-1], load, server_prefix)
    if args.quick or args.no_isso:
        run.notes.append("Isso peer skipped (--quick or --no-isso)")
    else:
        peer.bench_isso(run, load, server_prefix)
    run.facts["budget"] = check_budget(run)
    print()
    print(render_table(run))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(as_json(run), indent=2))
    markdown = args.markdown or (None if args.quick else BENCH / "results.md")
    if markdown is not None:
        markdown.write_text(render_markdown(run))
        print(f"\nwrote {markdown}")
    return run


def as_json(run: Run) -> dict[str, Any]:
    rows = [asdict(row) for row in run.rows]
    return {"args": run.args, "facts": run.facts, "notes": run.notes, "rows": rows}


if __name__ == "__main__":
    main()
