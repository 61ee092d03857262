"""What host pages load: /embed.js, static files, and the /demo article."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from widget.templating import static_dir, static_hash


async def embed_js(request: Request) -> Response:
    # The unversioned URL sits in readers' pages: cache briefly, revalidate by ETag.
    path = static_dir() / "embed.js"
    return FileResponse(
        path,
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=3600",
            "Access-Control-Allow-Origin": "*",
            "ETag": f'"{static_hash("embed.js")}"',
        },
    )


class VersionedStatic(StaticFiles):
    """Static files whose URLs carry a content hash, so caches may keep them for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response


async def demo(request: Request) -> Response:
    env = request.app.state.templates
    base = str(request.base_url).rstrip("/")
    html = env.get_template("demo.html").render(base=base)
    return HTMLResponse(html)


def routes(with_demo: bool) -> list[Route | Mount]:
    found: list[Route | Mount] = [
        Route("/embed.js", embed_js, methods=["GET", "HEAD"]),
        Mount("/static", app=VersionedStatic(directory=static_dir()), name="static"),
    ]
    if with_demo:
        found.append(Route("/demo", demo, methods=["GET"]))
    return found
