"""What every part of the harness shares: paths, result rows, and wrk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"  # gitignored: databases, logs, the Isso venv, results.json
LUA = BENCH / "lua"


@dataclass
class Row:
    """One scenario under load; ratios compare it with the bare endpoint measured beside it."""

    server: str
    scenario: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    bare_rps: float | None = None
    bare_p99_ms: float | None = None
    ratio: float | None = None
    p99_ratio: float | None = None
    # Against the reference, bare Starlette on uvicorn (uvloop, httptools), measured in
    # the same rounds: the budget's ratios. The same-server ratio above is the stricter one.
    ref_rps: float | None = None
    ref_p99_ms: float | None = None
    ref_ratio: float | None = None
    ref_p99_ratio: float | None = None
    note: str = ""

    def compare(self, bare: Row, reference: Row | None = None) -> None:
        self.bare_rps, self.bare_p99_ms = bare.rps, bare.p99_ms
        self.ratio = self.rps / bare.rps if bare.rps else None
        self.p99_ratio = self.p99_ms / bare.p99_ms if bare.p99_ms else None
        if reference is None:
            return
        self.ref_rps, self.ref_p99_ms = reference.rps, reference.p99_ms
        self.ref_ratio = self.rps / reference.rps if reference.rps else None
        self.ref_p99_ratio = self.p99_ms / reference.p99_ms if reference.p99_ms else None


@dataclass
class Run:
    args: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def row(self, server: str, scenario: str, connections: int | None = None) -> Row | None:
        for row in self.rows:
            same = row.server == server and row.scenario == scenario
            if same and (connections is None or row.connections == connections):
                return row
        return None


def lua_script(name: str, *parts: str) -> Path:
    """One wrk script from pieces in bench/lua (wrk takes a single file)."""
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / f"{name}.lua"
    target.write_text("\n".join((LUA / f"{part}.lua").read_text() for part in parts))
    return target


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


class Load:
    """wrk on the load generator's core: one thread, a fixed number of connections."""

    def __init__(self, prefix: list[str], duration: float, warmup: float, rounds: int) -> None:
        self.wrk = ensure_wrk()
        self.prefix = prefix
        self.duration = duration
        self.warmup = warmup
        self.rounds = rounds
        self.nonce = 0

    def run(
        self, url: str, connections: int, script: Path, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Warm up, then one measurement of the full duration."""
        if self.warmup > 0:
            self.once(url, connections, script, env, self.warmup)
        return self.once(url, connections, script, env, self.duration)

    def once(
        self,
        url: str,
        connections: int,
        script: Path,
        env: dict[str, str] | None,
        seconds: float,
    ) -> dict[str, Any]:
        self.nonce += 1
        run_env = {**os.environ, "BENCH_NONCE": f"{os.getpid()}x{self.nonce}", **(env or {})}
        command = [*self.prefix, self.wrk, "-t1", f"-c{connections}"]
        command += [f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script), url]
        done = subprocess.run(
            command, capture_output=True, text=True, env=run_env, timeout=seconds + 60
        )
        for line in done.stdout.splitlines():
            if line.startswith("WRK_JSON "):
                stats: dict[str, Any] = json.loads(line[len("WRK_JSON ") :])
                return stats
        raise RuntimeError(f"wrk gave no numbers for {url}:\n{done.stdout}\n{done.stderr}")


ERROR_KINDS = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")


def as_row(server: str, scenario: str, connections: int, slices: list[dict[str, Any]]) -> Row:
    """One row from one or more wrk runs: summed counts, mean percentiles."""
    requests = sum(s["requests"] for s in slices)
    seconds = sum(s["duration_us"] for s in slices) / 1e6
    return Row(
        server=server,
        scenario=scenario,
        connections=connections,
        rps=requests / seconds,
        p50_ms=sum(s["p50_us"] for s in slices) / len(slices) / 1000,
        p99_ms=sum(s["p99_us"] for s in slices) / len(slices) / 1000,
        errors=sum(s[k] for s in slices for k in ERROR_KINDS),
        requests=requests,
    )
