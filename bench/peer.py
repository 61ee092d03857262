"""The peer: Isso, a self-hosted comment server in Python, under the same load.

Installed from PyPI into bench/work/isso-venv at bench time (never vendored), with gevent,
which its deployment guide calls the easiest way to run it: `isso -c FILE run` then serves with
gevent in one process, as our service serves with one worker. Its "like" is the nearest thing
to our vote (one per reader and comment, counted in SQLite) and its comment list for a page is
the nearest thing to our summary read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from common import WORK, as_row, lua_script
from http_client import fetch
from servers import Server, free_port

if TYPE_CHECKING:
    from common import Load, Run

VENV_NAME = "isso-venv"
PACKAGES = ("isso", "gevent")
THREAD = "/bench-post"
READ_THREAD = "/read-post"
COMMENTS = 200  # Isso counts at most 142 votes per comment


def install(work: Path) -> Path:
    """The isso executable, installing it on first use; raises with pip's words on failure."""
    venv = work / VENV_NAME
    executable = venv / "bin" / "isso"
    if executable.exists():
        return executable
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", *PACKAGES],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not executable.exists():
        raise RuntimeError("pip install isso failed: " + (done.stderr.strip()[-800:] or "?"))
    return executable


def versions(executable: Path) -> str:
    python = executable.parent / "python"
    code = "import importlib.metadata as m; print(m.version('isso'), m.version('gevent'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    found = done.stdout.split()
    return f"isso {found[0]}, gevent {found[1]}" if len(found) == 2 else "isso (version unknown)"


def config(work: Path, port: int) -> Path:
    db = work / "isso.db"
    db.unlink(missing_ok=True)
    path = work / "isso.cfg"
    path.write_text(
        "\n".join(
            [
                "[general]",
                f"dbpath = {db}",
                f"host = http://127.0.0.1:{port}/",
                "notify = stdout",
                "[server]",
                f"listen = http://127.0.0.1:{port}/",
                # wrk sends each like from a new X-Forwarded-For address, as for our votes.
                "trusted-proxies = 127.0.0.1",
                "[moderation]",
                "enabled = false",
                "[guard]",
                # Its new-comment rate limit would refuse the set-up comment, nothing else.
                "enabled = false",
                "",
            ]
        )
    )
    return path


def bench_isso(run: Run, load: Load, prefix: list[str]) -> None:
    try:
        executable = install(WORK)
    except Exception as exc:
        run.notes.append(f"Isso peer not measured: {exc}")
        return
    port = free_port()
    cfg = config(WORK, port)
    try:
        command = [*prefix, str(executable), "-c", str(cfg), "run"]
        server = Server("isso", command, port, {}, ready_path="/info")
    except RuntimeError as exc:
        run.notes.append(f"Isso peer not measured: it did not start: {str(exc)[-500:]}")
        return
    try:
        origin = f"http://127.0.0.1:{port}"
        # The likes go to many comments of one page; the read is a page with one comment,
        # the nearest thing to our summary of one post.
        for number, thread in enumerate([READ_THREAD] + [THREAD] * COMMENTS):
            status, body = fetch(
                f"{origin}/new?uri={thread}",
                "POST",
                json.dumps(
                    {"text": f"Comment {number}.", "author": "bench", "title": "Bench"}
                ).encode(),
                {"Content-Type": "application/json", "Origin": origin, "Referer": origin + "/"},
            )
            if status not in (200, 201, 202):
                run.notes.append(f"Isso peer not measured: new comment answered {status}: {body!r}")
                return
        like_lua = lua_script("isso_like", "fresh_reader", "isso_like", "report")
        read_lua = lua_script("report", "report")
        like_env = {"BENCH_COMMENTS": str(COMMENTS), "BENCH_FIRST": "2"}
        like = as_row("isso", "like", 32, [load.run(origin + "/", 32, like_lua, like_env)])
        read = as_row("isso", "read", 32, [load.run(f"{origin}/?uri={READ_THREAD}", 32, read_lua)])
        for row in (like, read):
            run.rows.append(row)
            print(f"  isso     {row.scenario:24} {row.rps:9.0f} req/s", flush=True)
        status, body = fetch(f"{origin}/?uri={THREAD}&limit=1000")
        likes = sum(reply["likes"] for reply in json.loads(body)["replies"])
        like.note = f"{likes:,} likes counted of {like.requests:,}"
        run.facts["isso"] = f"{versions(executable)} from PyPI; `isso run` with gevent, one process"
    finally:
        server.stop()
