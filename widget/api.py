"""The public JSON API, /api/v1. HTTP only: validation is in models, SQL in store."""

from __future__ import annotations

import hashlib
import json
import time
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from widget import i18n, store
from widget.cache import Rendered
from widget.errors import (
    BodyTooLarge,
    MalformedJSON,
    OriginNotAllowed,
    UnsupportedMediaType,
)
from widget.guard import voter_key
from widget.models import (
    Site,
    VoteResult,
    parse_feedback,
    parse_posts,
    parse_vote,
    parse_withdraw,
    site_slug,
    voter_token,
)
from widget.openapi import openapi_document
from widget.state import Services, services

ALLOWED_HEADERS = "Content-Type"
PREFLIGHT_MAX_AGE = "86400"
# Body limits per route in bytes, each also capped by WIDGET_MAX_BODY_BYTES: a vote carries at
# most a title and a URL, a withdrawal or a forget only identifiers; feedback carries the text
# and gets the whole setting.
VOTE_BODY_BYTES = 8192
WITHDRAW_BODY_BYTES = 4096
FORGET_BODY_BYTES = 1024


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class EncodedResponse(Response):
    """A 200 whose headers are already bytes: a reused summary answer skips encoding them."""

    def __init__(self, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = 200
        self.body = body
        self.background = None
        self.raw_headers = raw_headers


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(dumps(payload), status, headers, media_type="application/json")


# --- request body and origin ----------------------------------------------------------------


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object; size is enforced while reading, before any parsing."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body is larger than {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except (ValueError, RecursionError) as exc:
        raise MalformedJSON("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise MalformedJSON("the body must be a JSON object")
    return data


def cors_headers(site: Site, origin: str | None) -> dict[str, str]:
    if origin is None or not site.allows_origin(origin):
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def encoded_cors(site: Site, origin: str | None) -> list[tuple[bytes, bytes]]:
    """cors_headers as raw ASGI header pairs, for answers whose other headers are pre-encoded."""
    return [
        (name.lower().encode(), value.encode("latin-1"))
        for name, value in cors_headers(site, origin).items()
    ]


def error_cors_headers(request: Request) -> dict[str, str]:
    """Let a page read our error answers (say, how long to wait after a 429).

    Only for an origin some site allows; a refused origin gets nothing to read.
    """
    origin = request.headers.get("origin")
    svc: Services | None = getattr(request.app.state, "services", None)
    if origin is None or svc is None:
        return {}
    if not any(site.allows_origin(origin) for site in svc.sites.values()):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Retry-After",
        "Vary": "Origin",
    }


def check_origin(site: Site, request: Request) -> dict[str, str]:
    """Browsers send Origin on cross-site writes; refuse the ones the site did not allow."""
    origin = request.headers.get("origin")
    if not site.allows_origin(origin):
        raise OriginNotAllowed(f"origin {origin} may not write to site {site.slug!r}")
    return cors_headers(site, origin)


async def preflight(request: Request) -> Response:
    origin = request.headers.get("origin")
    svc = services(request)
    allowed = origin is not None and any(s.allows_origin(origin) for s in svc.sites.values())
    headers = {"Vary": "Origin"}
    if allowed and origin is not None:
        headers.update(
            {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            }
        )
    return Response(status_code=204, headers=headers)


# --- routes ---------------------------------------------------------------------------------


def client_of(svc: Services, request: Request) -> str:
    """The reader's address (trusted proxies considered); it goes no further than the guard."""
    return address_of(svc, request.scope)


def address_of(svc: Services, scope: Scope) -> str:
    """client_of for a raw ASGI scope."""
    client = scope.get("client")
    peer = client[0] if client else None
    if not svc.guard.trusted:
        return peer or "unknown"
    # Every line of each header, joined in order (RFC 9110 5.3): a proxy that adds its own
    # line instead of appending to the client's must not leave us reading only the client's.
    forwarded_for: list[str] = []
    forwarded: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded_for.append(value.decode("latin-1"))
        elif name == b"forwarded":
            forwarded.append(value.decode("latin-1"))
    return svc.guard.address(peer, ", ".join(forwarded_for) or None, ", ".join(forwarded) or None)


def body_limit(svc: Services, route_limit: int) -> int:
    return min(route_limit, svc.settings.max_body_bytes)


async def summary(request: Request) -> Response:
    svc = services(request)
    if svc.guard.limits_reads:
        await svc.guard.admit("summary", client_of(svc, request))
    query: bytes = request.scope["query_string"]
    # The same query as before, none of its posts voted on since: the bytes already sent.
    rendered = svc.rendered.get(query, svc.cache, svc.sites) or await _render_summary(svc, request)
    origin = request.headers.get("origin")
    if rendered.etag in request.headers.get("if-none-match", ""):
        headers = cors_headers(rendered.site, origin)
        headers["ETag"] = rendered.etag
        headers["Cache-Control"] = f"public, max-age={svc.settings.summary_max_age}"
        return Response(status_code=304, headers=headers)
    return EncodedResponse(rendered.body, [*rendered.headers, *encoded_cors(rendered.site, origin)])


async def _render_summary(svc: Services, request: Request) -> Rendered:
    site = svc.site(site_slug(request.query_params.get("site", "default")))
    posts = parse_posts(request.query_params.getlist("post"))
    found = await svc.summaries(site.slug, posts)
    config = site.public_config()
    asks = request.query_params.getlist("lang")
    if asks:  # the embed asks for its texts along with the data
        config.update(i18n.client_texts(asks, config["texts"]))
    body = dumps({"posts": [s.as_dict() for s in found], "site": config})
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = (
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        (b"etag", etag.encode()),
        (b"cache-control", f"public, max-age={svc.settings.summary_max_age}".encode()),
    )
    rendered = Rendered(site, tuple(found), body, etag, headers)
    svc.rendered.put(request.scope["query_string"], rendered)
    return rendered


def _vote_payload(result: VoteResult) -> dict[str, Any]:
    return {**result.summary.as_dict(), "your_vote": result.your_vote}


async def cast_vote(request: Request) -> Response:
    svc = services(request)
    svc.guard.refuse_crawler(request.headers.get("user-agent"))
    address_key = await svc.guard.admit("vote", client_of(svc, request))
    data = await read_json(request, body_limit(svc, VOTE_BODY_BYTES))
    vote = parse_vote(data)
    site = svc.site(vote.site)
    headers = check_origin(site, request)
    key = voter_key(svc.secret, vote.voter)
    result = await svc.write(
        partial(
            store.record_vote,
            vote=vote,
            voter_key=key,
            now=time.time(),
            on_new_vote=svc.guard.vote_cap(site.slug, vote.post, address_key),
        ),
        after_commit=_cache_summary(svc),
        short=True,
    )
    svc.metrics.votes.labels("cast").inc()
    return json_response(_vote_payload(result), headers=headers)


async def withdraw_vote(request: Request) -> Response:
    svc = services(request)
    svc.guard.refuse_crawler(request.headers.get("user-agent"))
    await svc.guard.admit("vote", client_of(svc, request))
    data = await read_json(request, body_limit(svc, WITHDRAW_BODY_BYTES))
    site_name, post, voter = parse_withdraw(data)
    site = svc.site(site_name)
    headers = check_origin(site, request)
    key = voter_key(svc.secret, voter)
    result = await svc.write(
        partial(store.withdraw_vote, site=site.slug, post=post, voter_key=key, now=time.time()),
        after_commit=_cache_summary(svc),
        short=True,
    )
    svc.metrics.votes.labels("withdrawn").inc()
    return json_response(_vote_payload(result), headers=headers)


def _cache_summary(svc: Services) -> Any:
    def put(result: VoteResult) -> None:
        svc.cache.put(result.summary)

    return put


async def votes(request: Request) -> Response:
    if request.method == "POST":
        return await cast_vote(request)
    return await withdraw_vote(request)


async def feedback(request: Request) -> Response:
    svc = services(request)
    address = client_of(svc, request)
    await svc.guard.admit("feedback", address)
    data = await read_json(request, svc.settings.max_body_bytes)
    site = svc.site(site_slug(data.get("site", "default")))
    headers = check_origin(site, request)
    item = parse_feedback(data, site)
    # Likely spam is stored as `spam` for the author to review; the sender gets the same answer.
    verdict = await svc.guard.judge_feedback(item, site, address, request.headers.get("user-agent"))
    status, score = verdict.status, verdict.score
    key = voter_key(svc.secret, item.voter)
    feedback_id = await svc.write(
        partial(
            store.add_feedback,
            item=item,
            voter_key=key,
            status=status,
            spam_score=score,
            now=time.time(),
        ),
        short=True,
    )
    svc.metrics.feedback.labels(status).inc()
    return json_response({"id": feedback_id, "status": "received"}, 201, headers)


async def forget(request: Request) -> Response:
    """A reader's right to be forgotten: every vote and feedback item of their token goes."""
    svc = services(request)
    await svc.guard.admit("vote", client_of(svc, request))
    data = await read_json(request, body_limit(svc, FORGET_BODY_BYTES))
    token = voter_token(data.get("voter"))
    site: Site | None = None
    origin = request.headers.get("origin")
    if data.get("site") is not None:
        site = svc.site(site_slug(data["site"]))
        headers = check_origin(site, request)
    else:  # every site: the origin must belong to at least one of them, as for preflights
        if origin is not None and not any(s.allows_origin(origin) for s in svc.sites.values()):
            raise OriginNotAllowed(f"origin {origin} belongs to no site here")
        headers = {"Vary": "Origin"}
        if origin is not None:
            headers["Access-Control-Allow-Origin"] = origin

    def refresh_cache(result: store.Forgotten) -> None:
        for changed in result.summaries:
            svc.cache.put(changed)

    result = await svc.write(
        partial(
            store.forget_voter,
            voter_key=voter_key(svc.secret, token),
            site=None if site is None else site.slug,
            now=time.time(),
        ),
        after_commit=refresh_cache,
    )
    svc.metrics.votes.labels("forgotten").inc(result.votes)
    return json_response(
        {"forgotten": {"votes": result.votes, "feedback": result.feedback}}, headers=headers
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(), headers={"Access-Control-Allow-Origin": "*"})


routes = [
    Route("/api/v1/summary", summary, methods=["GET"]),
    Route("/api/v1/votes", votes, methods=["POST", "DELETE"]),
    Route("/api/v1/feedback", feedback, methods=["POST"]),
    Route("/api/v1/forget", forget, methods=["POST"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/summary", preflight, methods=["OPTIONS"]),
    Route("/api/v1/votes", preflight, methods=["OPTIONS"]),
    Route("/api/v1/feedback", preflight, methods=["OPTIONS"]),
    Route("/api/v1/forget", preflight, methods=["OPTIONS"]),
]
