"""Server processes as users start them, with start-up time, memory and a graceful stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH, ROOT, WORK
from http_client import fetch

SERVICE_ENV = {
    "WIDGET_SECRET_KEY": "bench-secret",
    "WIDGET_TRUSTED_PROXIES": "127.0.0.1/32",  # wrk plays a reverse proxy: see lua/
}


class Server:
    def __init__(
        self,
        name: str,
        command: list[str],
        port: int,
        env: dict[str, str],
        ready_path: str = "/healthz",
    ) -> None:
        self.name = name
        self.ready_path = ready_path
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        WORK.mkdir(parents=True, exist_ok=True)
        self.log_path = WORK / f"{name}.log"
        log = self.log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        self.startup_s = self._wait_ready(started)

    def _wait_ready(self, started: float) -> float:
        """Seconds from the command to the first answer of the ready path (/healthz)."""
        deadline = started + 30
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-2000:]}")
            try:
                if fetch(self.url + self.ready_path, timeout=0.5)[0] == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-2000:]}")

    def pids(self) -> list[int]:
        """The process and its descendants (Granian serves from a forked worker)."""
        found = [self.process.pid]
        for pid in found:
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                found.extend(int(p) for p in children.read_text().split())
        return found

    def memory_mib(self) -> dict[str, float]:
        """RSS of each process, and the PSS total: pages a forked worker shares with its
        supervisor count once in PSS, twice in a sum of RSS."""
        rss: dict[str, float] = {}
        pss = 0.0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[str(pid)] = int(line.split()[1]) / 1024
            rollup = Path(f"/proc/{pid}/smaps_rollup")
            if rollup.exists():
                for line in rollup.read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) / 1024
        return {"rss_total": sum(rss.values()), "pss_total": pss, **rss}

    def stop(self) -> tuple[int, float]:
        """SIGTERM, as a service manager stops it: (exit code, seconds to stop)."""
        started = time.perf_counter()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(
    server: str,
    db: Path | str,
    prefix: list[str],
    label: str,
    extra_env: dict[str, str] | None = None,
) -> Server:
    """`python -m widget serve` with its defaults; only the database, port and server given."""
    port = free_port()
    command = [*prefix, sys.executable, "-m", "widget", "serve", "--db", str(db)]
    command += ["--port", str(port), "--server", server]
    return Server(f"{label}-{server}", command, port, {**SERVICE_ENV, **(extra_env or {})})


def start_bare(server: str, sizes: dict[int, int], prefix: list[str]) -> Server:
    port = free_port()
    spec = ",".join(f"{n}:{size}" for n, size in sizes.items())
    command = [*prefix, sys.executable, str(BENCH / "bare.py"), "--port", str(port)]
    command += ["--server", server, "--sizes", spec]
    return Server(f"bare-{server}", command, port, SERVICE_ENV)


def fresh_db(name: str) -> Path:
    path = WORK / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path
