"""The reference: a bare Starlette endpoint under the service's own server settings.

It answers GET /bare?n=K with a fixed JSON body padded to the byte size of the service's
answer for K posts (sizes given on the command line), so the two differ only in the work the
service does, not in the bytes on the wire or in the server and its configuration.
"""

from __future__ import annotations

import argparse
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from widget.runtime import logs
from widget.runtime.serve import serve_app
from widget.settings import Settings


def json_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least 12)."""
    head, tail = b'{"posts":[],"pad":"', b'"}'
    body = head + b"x" * max(0, size - len(head) - len(tail)) + tail
    json.loads(body)  # stays valid JSON
    return body


def make_app(sizes: dict[int, int]) -> Starlette:
    bodies = {n: json_body(size) for n, size in sizes.items()}
    default = bodies[min(bodies)]

    async def bare(request: Request) -> Response:
        body = bodies.get(int(request.query_params.get("n", "1")), default)
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(routes=[Route("/bare", bare), Route("/healthz", healthz)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--sizes", default="1:250", help="n:bytes pairs, comma-separated")
    args = parser.parse_args()
    sizes = {int(n): int(b) for n, b in (pair.split(":") for pair in args.sizes.split(","))}
    # The settings `widget serve` reads (WIDGET_* env) and the same serve_app: the same server,
    # loop, parser and worker count. Only the access log is off: a bare endpoint logs nothing,
    # so what the service's own log costs shows in its ratio.
    settings = Settings.from_env(
        host="127.0.0.1", port=args.port, server=args.server, access_log=False
    )
    serve_app(lambda: make_app(sizes), settings, logs.configure(settings.log_format))


if __name__ == "__main__":
    main()
