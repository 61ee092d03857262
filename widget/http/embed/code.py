"""What host pages load: /embed.js (and the form it loads on demand), static files, the demo.

The no-JavaScript frame and the static-site fragment live in embed_html.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache

import rjsmin
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from widget.errors import NotFound
from widget.http.embed import frame as embed_html
from widget.http.templating import static_dir, static_hash
from widget.i18n import CATALOGUES

# The stable URLs sit in readers' pages and cannot carry a version: cache them for an hour,
# then revalidate by ETag (a 304 costs a few bytes); serve a stale copy meanwhile.
STABLE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True)
class CodeFile:
    plain: bytes
    gzipped: bytes
    etag: str


# embed.js carries the one text it needs before the summary (with its catalogue) arrives: the
# "service unavailable" line. Its source holds the English one so that it runs as written; the
# server puts in every language of widget/locales/*.po, so the texts have one home.
UNAVAILABLE_SLOT = re.compile(rb"const UNAVAILABLE = \{[^}]*\};")


def with_every_language(source: bytes) -> bytes:
    if not UNAVAILABLE_SLOT.search(source):
        return source
    texts = {lang: catalogue["unavailable"] for lang, catalogue in CATALOGUES.items()}
    # Language codes are plain identifiers, so the keys need no quotes (bytes for the budget).
    filled = (
        "{" + ",".join(f"{k}:{json.dumps(v, ensure_ascii=False)}" for k, v in texts.items()) + "}"
    ).encode()
    return UNAVAILABLE_SLOT.sub(lambda _: b"const UNAVAILABLE = " + filled + b";", source, 1)


@cache
def code_file(name: str, version: str) -> CodeFile:
    """What readers download, made once per content version (the hash is part of the key).

    The source in static/ stays readable, comments and all, with no build step; rjsmin takes
    out the comments and spaces when the server first serves it (about a tenth of the gzipped
    size, which the 5 KB budget needs). It leaves string and template literals alone, so the
    CSS inside embed.js arrives exactly as written. The ETag names the bytes served, so a new
    minifier version cannot hide behind an old validator.
    """
    source = (static_dir() / name).read_bytes()
    plain = rjsmin.jsmin(with_every_language(source))
    etag = hashlib.sha256(plain).hexdigest()[:16]
    return CodeFile(plain, gzip.compress(plain, 9, mtime=0), etag)


def serve_code(request: Request, name: str) -> Response:
    found = code_file(name, static_hash(name))
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    etag = f'"{found.etag}{"-gz" if zipped else ""}"'
    headers = {
        "Cache-Control": STABLE_CACHE,
        "Access-Control-Allow-Origin": "*",
        "ETag": etag,
        "Vary": "Accept-Encoding",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
    body = found.gzipped if zipped else found.plain
    return Response(body, headers=headers, media_type="text/javascript; charset=utf-8")


async def embed_js(request: Request) -> Response:
    return serve_code(request, "embed.js")


async def embed_form_js(request: Request) -> Response:
    return serve_code(request, "embed-form.js")


class VersionedStatic(StaticFiles):
    """Static files whose URLs carry a content hash, so caches may keep them for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response


# --- the demo (only with --demo) ---------------------------------------------------------

DEMO_POSTS = (
    ("perseverance-landing", "Seven minutes of terror, explained", "en"),
    ("jezero-delta", "Why the delta matters", "en"),
    ("sample-tubes", "What is inside a sample tube", "en"),
    ("ingenuity-flights", "Ingenuity's seventy-two flights", "en"),
    ("pristupanie-k-marsu", "Ako pristáť na Marse", "sk"),
    ("pristani-na-marsu", "Jak přistát na Marsu", "cs"),
    ("landung-auf-dem-mars", "Wie man auf dem Mars landet", "de"),
    ("atterrir-sur-mars", "Comment se poser sur Mars", "fr"),
    ("aterrizar-en-marte", "Cómo aterrizar en Marte", "es"),
    ("mars-weather", "Weather report from Jezero", "en"),
    ("rock-abrasion", "Grinding rocks for a closer look", "en"),
    ("return-mission", "Bringing the samples home", "en"),
)


async def demo(request: Request) -> Response:
    theme = request.path_params.get("theme", "auto")
    if theme not in ("auto", "light", "dark"):
        raise NotFound("the demo comes in light and dark: /demo/light, /demo/dark")
    env = request.app.state.templates
    base = str(request.base_url).rstrip("/")
    html = env.get_template("demo.html").render(base=base, theme=theme)
    return HTMLResponse(html)


async def demo_many(request: Request) -> Response:
    env = request.app.state.templates
    base = str(request.base_url).rstrip("/")
    html = env.get_template("demo_many.html").render(base=base, posts=DEMO_POSTS)
    return HTMLResponse(html)


async def favicon(request: Request) -> Response:
    """The service's icon (a star, as SVG) for the demo and the dashboard: browsers ask for
    /favicon.ico on every page, and a 404 there is an error in the console."""
    body = (static_dir() / "favicon.svg").read_bytes()
    return Response(body, headers={"Cache-Control": STABLE_CACHE}, media_type="image/svg+xml")


def routes(with_demo: bool) -> list[Route | Mount]:
    found: list[Route | Mount] = [
        Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
        Route("/embed.js", embed_js, methods=["GET", "HEAD"]),
        Route("/embed-form.js", embed_form_js, methods=["GET", "HEAD"]),
        *embed_html.routes,
        Mount("/static", app=VersionedStatic(directory=static_dir()), name="static"),
    ]
    if with_demo:
        found += [
            Route("/demo", demo, methods=["GET"]),
            Route("/demo/many", demo_many, methods=["GET"]),
            Route("/demo/{theme:str}", demo, methods=["GET"]),
        ]
    return found
