"""The public JSON API, /api/v1. HTTP only: validation is in models, SQL in store."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from widget import i18n, urlencoded
from widget.actions import feedback as feedback_actions
from widget.actions.services import Services, services
from widget.actions.votes import writable_site
from widget.cache import Rendered
from widget.guard.caller import caller_of
from widget.http.api.openapi import openapi_document
from widget.http.api.plumbing import (
    ALLOWED_HEADERS,
    FORGET_BODY_BYTES,
    PREFLIGHT_MAX_AGE,
    EncodedResponse,
    body_limit,
    cors_headers,
    dumps,
    encoded_cors,
    error_cors_headers,
    json_response,
    read_json,
    refused_reader,
)
from widget.http.api.votes import VotesEndpoint
from widget.models import any_site_allows, parse_feedback, parse_posts, site_slug, voter_token

__all__ = ["error_cors_headers", "json_response", "routes"]


async def preflight(request: Request) -> Response:
    origin = request.headers.get("origin")
    svc = services(request)
    allowed = origin is not None and any_site_allows(svc.sites.values(), origin)
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


async def summary(request: Request) -> Response:
    svc = services(request)
    if svc.guard.limits_reads:
        await svc.guard.admit("summary", svc.guard.address(request.scope))
    query: bytes = request.scope["query_string"]
    # The same query as before, none of its posts voted on since: the bytes already sent.
    rendered = svc.rendered.get(query, svc.cache, svc.sites) or await _render_summary(svc, request)
    origin = request.headers.get("origin")
    if origin is not None and not rendered.site.allows_origin(origin):
        return refused_reader(rendered.site, origin)
    if rendered.etag in request.headers.get("if-none-match", ""):
        headers = cors_headers(rendered.site, origin)
        headers["ETag"] = rendered.etag
        headers["Cache-Control"] = f"public, max-age={svc.settings.summary_max_age}"
        return Response(status_code=304, headers=headers)
    return EncodedResponse(rendered.body, [*rendered.headers, *encoded_cors(rendered.site, origin)])


async def _render_summary(svc: Services, request: Request) -> Rendered:
    # Only a query that passed this is cached, so a cached answer needs no check.
    urlencoded.check_query(request.scope["query_string"])
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


async def feedback(request: Request) -> Response:
    svc = services(request)
    caller = caller_of(svc.guard, request.scope)
    await feedback_actions.admit_feedback(svc, caller)
    data = await read_json(request, svc.settings.max_body_bytes)
    site = writable_site(svc, site_slug(data.get("site", "default")), caller)
    item = parse_feedback(data, site)
    feedback_id = await feedback_actions.send_feedback(svc, caller, item)
    headers = cors_headers(site, caller.origin)
    return json_response({"id": feedback_id, "status": "received"}, 201, headers)


async def forget(request: Request) -> Response:
    """A reader's right to be forgotten: every vote and feedback item of their token goes."""
    svc = services(request)
    caller = caller_of(svc.guard, request.scope)
    data = await read_json(request, body_limit(svc, FORGET_BODY_BYTES))
    token = voter_token(data.get("voter"))
    slug = None if data.get("site") is None else site_slug(data["site"])
    result = await feedback_actions.forget_reader(svc, caller, token, slug)
    if slug is not None:
        headers = cors_headers(svc.site(slug), caller.origin)
    else:  # every site: the action checked that the origin belongs to one of them
        headers = {"Vary": "Origin"}
        if caller.origin is not None:
            headers["Access-Control-Allow-Origin"] = caller.origin
    return json_response(
        {"forgotten": {"votes": result.votes, "feedback": result.feedback}}, headers=headers
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(), headers={"Access-Control-Allow-Origin": "*"})


routes = [
    Route("/api/v1/summary", summary, methods=["GET"]),
    Route("/api/v1/votes", VotesEndpoint(), methods=["POST", "DELETE"]),
    Route("/api/v1/feedback", feedback, methods=["POST"]),
    Route("/api/v1/forget", forget, methods=["POST"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/summary", preflight, methods=["OPTIONS"]),
    Route("/api/v1/votes", preflight, methods=["OPTIONS"]),
    Route("/api/v1/feedback", preflight, methods=["OPTIONS"]),
    Route("/api/v1/forget", preflight, methods=["OPTIONS"]),
]
