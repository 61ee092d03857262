"""A broken chunked body (`zz` as the chunk size) sent raw over a socket to a real server.

Granian hands the app http.disconnect for it, as for a reader who left; the votes fast path
then sent nothing and Granian answered a bare text/plain 500. Now the answer is a 400 in the
error envelope under Granian, uvicorn answers its own 400, and nothing is counted.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tests.conftest import LiveServer, voter

pytestmark = pytest.mark.slow

TIMEOUT = 5.0


def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as is; read the answer until it is whole, the peer closes, or TIMEOUT."""
    data = b""
    deadline = time.monotonic() + TIMEOUT
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            head, found, body = data.partition(b"\r\n\r\n")
            if found:
                length = _headers(head).get("content-length")
                if length is not None and len(body) >= int(length):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    assert head, "no answer at all"
    status = int(head.split(b" ", 2)[1])
    return status, _headers(head), body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def chunked(path: str, content_type: str, chunks: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode() + chunks


def vote_chunks(size: bytes | None = None) -> bytes:
    """One chunk holding a vote, its size line `size` (a broken one) or else the right one."""
    body = json.dumps({"post": "chunked", "rating": 4, "voter": voter()}).encode()
    size = size if size is not None else f"{len(body):x}".encode()
    return size + b"\r\n" + body + b"\r\n0\r\n\r\n"


def count(server: LiveServer) -> int:
    found = httpx.get(f"{server.url}/api/v1/summary?post=chunked", timeout=TIMEOUT)
    return int(found.json()["posts"][0]["count"])


def test_granian_answers_a_broken_chunk_size_with_the_envelope(live_server: LiveServer) -> None:
    live_server.start()  # the default server: Granian
    for path in ("/api/v1/votes", "/api/v1/feedback"):
        status, headers, body = exchange(
            live_server.port, chunked(path, "application/json", vote_chunks(b"zz"))
        )
        assert status == 400, (path, body)
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body)["error"]["code"] == "malformed_body", path
    status, headers, body = exchange(
        live_server.port,
        chunked("/embed/frame", "application/x-www-form-urlencoded", b"zz\r\npost=p\r\n0\r\n\r\n"),
    )
    assert status == 400 and b"<html" in body
    status, headers, body = exchange(
        live_server.port,
        chunked("/dashboard/login", "application/x-www-form-urlencoded", b"zz\r\nx=1\r\n0\r\n\r\n"),
    )
    assert status == 400 and b"<html" in body  # the dashboard's own error page
    assert count(live_server) == 0
    # A well-formed chunked vote still counts: the refusal was about the body, not chunking.
    status, _, body = exchange(
        live_server.port, chunked("/api/v1/votes", "application/json", vote_chunks())
    )
    assert status == 200, body
    assert count(live_server) == 1


def test_uvicorn_answers_a_broken_chunk_size_with_a_400(live_server: LiveServer) -> None:
    live_server.start("--server", "uvicorn")
    status, _, _ = exchange(
        live_server.port, chunked("/api/v1/votes", "application/json", vote_chunks(b"zz"))
    )
    assert status == 400
    assert count(live_server) == 0
