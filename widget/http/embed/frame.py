"""The embed without JavaScript: the frame (/embed/frame) and the fragment (/embed/fragment).

The frame is a small page for `<noscript><iframe>`: plain HTML forms record a vote, withdraw it
and send feedback, each answered by a redirect back to the page (post/redirect/get), so a reload
never repeats a vote. It has no localStorage, so its voter token is derived on the server (see
Guard.frame_token), and its forms carry a signed token bound to that voter (itsdangerous), which a
page elsewhere cannot obtain for the reader's browser.

The fragment is the summary as HTML with JSON-LD, for static sites that render it at build time.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from widget import i18n, urlencoded
from widget.actions import feedback, votes
from widget.actions.services import Services, services
from widget.errors import (
    BodyTooLarge,
    Forbidden,
    MalformedBody,
    UnsupportedMediaType,
    WidgetError,
)
from widget.guard import voter_key
from widget.guard.caller import caller_of
from widget.models import (
    TITLE_MAX,
    Site,
    Summary,
    VoteInput,
    clean_text,
    http_url,
    parse_feedback,
    post_id,
    site_slug,
)
from widget.numbers import parse_int

FORM_BODY_BYTES = 8192
FORM_MAX_AGE = 6 * 3600  # a frame left open longer than this asks the reader to choose again
SCHEMA_TYPE_RE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
# What a refusal means to a reader, by error code; anything else is "something went wrong".
ERROR_WORDS = {
    "rate_limited": "too_many",
    "invalid_field": "invalid",
    "forbidden": "expired",
    "bot": "refused",
}
DONE_WORDS = {"voted": "thanks", "withdrawn": "withdrawn", "sent": "sent"}
RATING_WORDS = "rating must be a whole number from 1 to 5"


# --- small pure helpers ---------------------------------------------------------------------


def schema_type(site: Site) -> str | None:
    """The site's schema.org type for JSON-LD, or None when the site has not enabled it."""
    value = site.settings.get("schema")
    return value if isinstance(value, str) and SCHEMA_TYPE_RE.match(value) else None


def aggregate_rating(
    schema: str, name: str | None, summary: Summary, url: str | None = None
) -> Markup:
    """JSON-LD safe to put inside <script>: <, > and & are escaped as JSON unicode escapes.

    The scale is spelled out (1 to 5): without bestRating a reader of the data assumes 5, but
    Google's rich-results test asks for it; the page's URL names the thing rated.
    """
    item: dict[str, Any] = {"@context": "https://schema.org", "@type": schema}
    if name:
        item["name"] = name
    if url:
        item["url"] = url
    item["aggregateRating"] = {
        "@type": "AggregateRating",
        "ratingValue": summary.average,
        "ratingCount": summary.count,
        "bestRating": 5,
        "worstRating": 1,
    }
    text = json.dumps(item, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def summary_line(catalogue: i18n.Catalogue, lang: str, summary: Summary, hide: bool) -> str:
    if not summary.count:
        return i18n.text(catalogue, "empty", lang=lang)
    votes = i18n.text(catalogue, "votes", summary.count, lang=lang)
    if hide:
        return votes
    avg = i18n.format_average(lang, summary.average)
    return i18n.text(catalogue, "summary", lang=lang, avg=avg, votes=votes)


def _signer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="embed-frame-form")


def form_token(secret: str, site: str, post: str, voter: str, now: float) -> str:
    return _signer(secret).dumps([site, post, voter[:16], int(now * 1000)])


def opened_at(secret: str, token: str, site: str, post: str, voter: str) -> int | None:
    """When the form was served (ms), if the token is genuine, fresh and for this reader."""
    try:
        found = _signer(secret).loads(token, max_age=FORM_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(found, list) or found[:3] != [site, post, voter[:16]]:
        return None
    return int(found[3])


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded body, size-limited while reading; a repeated field keeps its first value."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("send the form as application/x-www-form-urlencoded")
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > FORM_BODY_BYTES:
                raise BodyTooLarge(f"the form is larger than {FORM_BODY_BYTES} bytes")
    except ClientDisconnect:  # see fastpath.FastPaths._vote: gone, or a broken body
        raise MalformedBody() from None
    fields: dict[str, str] = {}
    for name, value in urlencoded.pairs(body):
        fields.setdefault(name, value)
    return fields


# --- the frame ------------------------------------------------------------------------------


class FrameContext:
    """Who is asking and about what: shared by the frame's page and its three form posts."""

    def __init__(
        self, svc: Services, request: Request, site: Site, post: str, lang: str, theme: str
    ) -> None:
        self.svc, self.request, self.site, self.post, self.lang = svc, request, site, post, lang
        self.theme = theme
        # The frame's forms come from our own origin and prove themselves with a signed
        # form token (check below), so the site's origin list does not apply: no origin.
        self.caller = replace(caller_of(svc.guard, request.scope), origin=None)
        self.address = self.caller.address
        self.token = svc.guard.frame_token(self.address, self.caller.user_agent or "")
        self.key = voter_key(svc.secret, self.token)
        self.catalogue = i18n.messages(lang, site.texts)

    def url(self, **extra: str) -> str:
        query = {"site": self.site.slug, "post": self.post, "lang": self.lang, **extra}
        if self.theme != "auto":
            query["theme"] = self.theme
        return "/embed/frame?" + urlencode(query)

    def tx(self, key: str, n: int | None = None, **values: str) -> str:
        return i18n.text(self.catalogue, key, n, lang=self.lang, **values)

    def check(self, form: dict[str, str]) -> int:
        opened = opened_at(
            self.svc.secret, form.get("csrf", ""), self.site.slug, self.post, self.token
        )
        if opened is None:
            raise Forbidden("this form has expired; load the frame again")
        return opened


async def _context(request: Request, fields: Any) -> FrameContext:
    svc = services(request)
    lang = i18n.choose(fields.get("lang"), request.headers.get("accept-language"))
    site = svc.site(site_slug(fields.get("site", "default")))
    theme = fields.get("theme")
    theme = theme if theme in ("light", "dark") else "auto"
    return FrameContext(svc, request, site, post_id(fields.get("post")), lang, theme)


async def render_frame(
    ctx: FrameContext, notice: str | None = None, more: bool = False, status: int = 200
) -> Response:
    svc, site = ctx.svc, ctx.site
    summary = (await svc.summaries(site.slug, [ctx.post]))[0]
    mine = await svc.store.voter_rating(site.slug, ctx.post, ctx.key)
    now = time.time()
    html = ctx.request.app.state.templates.get_template("embed/frame.html").render(
        ctx=ctx,
        summary=summary,
        line=summary_line(
            ctx.catalogue, ctx.lang, summary, site.settings.get("hide_average") is True and not mine
        ),
        mine=mine,
        notice=notice,
        csrf=form_token(svc.secret, site.slug, ctx.post, ctx.token, now),
        feedback=bool(mine) and (more or (mine or 0) <= site.threshold) and notice != "sent",
        more_url=ctx.url(more="1") if mine and mine > site.threshold and not more else None,
        reasons=[(r, i18n.reason_label(ctx.catalogue, r)) for r in site.reasons],
        max_text=site.public_config()["feedback_max"],
    )
    ancestors = " ".join(site.origins) or "*"
    headers = {
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline';"
        f" form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}",
    }
    return HTMLResponse(html, status, headers)


def error_page(request: Request, lang: str, error: WidgetError) -> Response:
    catalogue = i18n.messages(lang)
    words = i18n.text(catalogue, ERROR_WORDS.get(error.code, "failed"), lang=lang)
    html = request.app.state.templates.get_template("embed/frame_error.html").render(
        lang=lang, message=words, detail=error.message
    )
    return HTMLResponse(html, error.status, {"Cache-Control": "no-store"})


async def frame(request: Request) -> Response:
    query = request.query_params
    try:
        urlencoded.check_query(request.scope["query_string"])
        ctx = await _context(request, query)
    except WidgetError as exc:
        lang = i18n.choose(query.get("lang"), request.headers.get("accept-language"))
        return error_page(request, lang, exc)
    notice = DONE_WORDS.get(query.get("done", ""))
    return await render_frame(ctx, notice, more=query.get("more") == "1")


async def _answer_post(request: Request, act: Any) -> Response:
    """Run one of the frame's form posts; a refusal re-renders the frame with it in words."""
    try:
        form = await read_form(request)
        ctx = await _context(request, form)
    except WidgetError as exc:
        return error_page(request, "en", exc)
    try:
        done: str = await act(ctx, form)
    except WidgetError as exc:
        empty_text = exc.field == "text" and not form.get("text", "").strip()
        words = "need_text" if empty_text else ERROR_WORDS.get(exc.code, "failed")
        if words == "invalid" and act is _vote:
            words = "vote_invalid"  # the same words the script's widget uses for a vote
        return await render_frame(ctx, words, more=True, status=exc.status)
    return RedirectResponse(ctx.url(done=done), status_code=303)


async def _vote(ctx: FrameContext, form: dict[str, str]) -> str:
    ctx.check(form)
    if form.get("action") == "withdraw":
        await votes.withdraw_vote(ctx.svc, ctx.caller, ctx.site.slug, ctx.post, ctx.token)
        return "withdrawn"
    rating = parse_int(form.get("rating"), field="rating", low=1, high=5, message=RATING_WORDS)
    vote = VoteInput(ctx.site.slug, ctx.post, ctx.token, rating)
    await votes.cast_vote(ctx.svc, ctx.caller, vote)
    return "voted"


async def _feedback(ctx: FrameContext, form: dict[str, str]) -> str:
    svc = ctx.svc
    opened = ctx.check(form)
    await feedback.admit_feedback(svc, ctx.caller)
    mine = await svc.store.voter_rating(ctx.site.slug, ctx.post, ctx.key)
    data = {
        "site": ctx.site.slug,
        "post": ctx.post,
        "voter": ctx.token,
        "text": form.get("text", ""),
        "rating": mine,
        "reason": form.get("reason") or None,
        "lang": ctx.lang,
        "hp": form.get("hp", ""),
        "open_ms": max(0, int(time.time() * 1000) - opened),
    }
    await feedback.send_feedback(svc, ctx.caller, parse_feedback(data, ctx.site))
    return "sent"


async def frame_vote(request: Request) -> Response:
    return await _answer_post(request, _vote)


async def frame_feedback(request: Request) -> Response:
    return await _answer_post(request, _feedback)


# --- the fragment ---------------------------------------------------------------------------


async def fragment(request: Request) -> Response:
    svc = services(request)
    urlencoded.check_query(request.scope["query_string"])
    query = request.query_params
    site = svc.site(site_slug(query.get("site", "default")))
    post = post_id(query.get("post"))
    lang = i18n.choose(query.get("lang"))
    catalogue = i18n.messages(lang, site.texts)
    summary = (await svc.summaries(site.slug, [post]))[0]
    schema = schema_type(site)
    jsonld = None
    url = http_url(query["url"]) if query.get("url") else None
    if schema and summary.count:
        title = clean_text(query.get("title", ""), TITLE_MAX, "title")
        name = title or await svc.store.post_title(site.slug, post)
        jsonld = aggregate_rating(schema, name, summary, url)
    # frame=1: the no-JavaScript frame comes with the fragment, in place of its summary line
    # for those readers (one summary each, not two), so the page needs no <noscript> of its own.
    frame = None
    if query.get("frame") == "1":
        base = svc.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
        frame = f"{base}/embed/frame?" + urlencode({"site": site.slug, "post": post, "lang": lang})
    filled = round(summary.average)
    html = request.app.state.templates.get_template("embed/fragment.html").render(
        lang=lang,
        line=summary_line(catalogue, lang, summary, site.settings.get("hide_average") is True),
        stars="★" * filled + "☆" * (5 - filled),
        summary=summary,
        jsonld=jsonld,
        frame=frame,
        label=i18n.text(catalogue, "label", lang=lang),
    )
    headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}
    return HTMLResponse(html, headers=headers)


routes = [
    Route("/embed/frame", frame, methods=["GET"]),
    Route("/embed/frame", frame_vote, methods=["POST"]),
    Route("/embed/frame/feedback", frame_feedback, methods=["POST"]),
    Route("/embed/fragment", fragment, methods=["GET"]),
]
