"""The README's reverse-proxy example, as written: Debian's nginx in front of two instances on
one PostgreSQL database, the instances trusting the proxy's X-Forwarded-For."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import pg_support
from tests.conftest import NO_LIMITS_ENV, ROOT, LiveServer, free_port, voter

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def readme_config(ports: tuple[int, int], listen: int) -> str:
    """The README's nginx block, with this test's ports for the example's."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"```nginx\n(.*?)```", readme, re.DOTALL)
    assert found, "the README has no nginx example"
    block = found.group(1)
    assert "127.0.0.1:8001" in block and "127.0.0.1:8002" in block and "listen 80;" in block
    block = block.replace("127.0.0.1:8001", f"127.0.0.1:{ports[0]}")
    block = block.replace("127.0.0.1:8002", f"127.0.0.1:{ports[1]}")
    return block.replace("listen 80;", f"listen 127.0.0.1:{listen};")


@pytest.fixture
def behind_nginx(
    postgres_server: pg_support.Postgres, tmp_path: Path
) -> Iterator[tuple[str, list[LiveServer]]]:
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (make system-packages)")
    url = postgres_server.create_database(f"nginx_{free_port()}")
    env = {
        **NO_LIMITS_ENV,
        "WIDGET_TRUSTED_PROXIES": "127.0.0.1/32",
        # Two votes at once per address, then one a minute: per instance (README).
        "WIDGET_VOTE_BURST": "2",
        "WIDGET_VOTE_PER_MINUTE": "1",
    }
    servers = [
        LiveServer(db=tmp_path / f"i{n}.db", port=free_port(), extra_env=env, database=url)
        for n in range(2)
    ]
    listen = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {tmp_path}/body;\n"
        f"proxy_temp_path {tmp_path}/proxy;\nfastcgi_temp_path {tmp_path}/fastcgi;\n"
        f"uwsgi_temp_path {tmp_path}/uwsgi;\nscgi_temp_path {tmp_path}/scgi;\n"
        + readme_config((servers[0].port, servers[1].port), listen)
        + "}\n"
    )
    for server in servers:
        server.start()
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.05)
        yield base, servers
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers:
            server.stop()


def count_on(server: LiveServer) -> int:
    answer = httpx.get(f"{server.url}/api/v1/summary?site=default&post=behind-nginx", timeout=5)
    return int(answer.json()["posts"][0]["count"])


def requests_served(server: LiveServer, route: str) -> float:
    body = httpx.get(server.url + "/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("widget_requests_total{") and f'path="{route}"' in line
    )


def test_two_instances_behind_nginx_serve_one_set_of_numbers(
    behind_nginx: tuple[str, list[LiveServer]],
) -> None:
    base, servers = behind_nginx
    with httpx.Client(base_url=base, timeout=10) as client:
        for n, address in enumerate(("203.0.113.7", "198.51.100.4")):
            cast = client.post(
                "/api/v1/votes",
                json={"post": "behind-nginx", "rating": 4 + n, "voter": voter()},
                headers={"X-Forwarded-For": address},
            )
            assert cast.status_code == 200, cast.text
        # The notification's way to the other instance takes milliseconds; bounded wait.
        deadline = time.monotonic() + 5
        while not all(count_on(server) == 2 for server in servers):
            assert time.monotonic() < deadline, "an instance never showed both votes"
            time.sleep(0.02)
        before = [requests_served(server, "/api/v1/summary") for server in servers]
        counts = {
            client.get("/api/v1/summary?site=default&post=behind-nginx").json()["posts"][0]["count"]
            for _ in range(6)
        }
    assert counts == {2}  # whichever instance answered
    served = [
        requests_served(s, "/api/v1/summary") - b for s, b in zip(servers, before, strict=True)
    ]
    assert all(n > 0 for n in served), served  # nginx spread the reads over both


def test_the_proxys_forwarded_address_is_what_the_limits_count(
    behind_nginx: tuple[str, list[LiveServer]],
) -> None:
    base, _ = behind_nginx
    with httpx.Client(base_url=base, timeout=10) as client:

        def votes_from(address: str, count: int) -> list[int]:
            return [
                client.post(
                    "/api/v1/votes",
                    json={"post": f"limits-{address}", "rating": 3, "voter": voter()},
                    headers={"X-Forwarded-For": address},
                ).status_code
                for _ in range(count)
            ]

        # A burst of 2 per address on each of the two instances: 4 pass, then 429s.
        first = votes_from("203.0.113.50", 6)
        assert sorted(first) == [200, 200, 200, 200, 429, 429], first
        # Another reader behind the same proxy has buckets of their own.
        assert votes_from("203.0.113.51", 2) == [200, 200]
