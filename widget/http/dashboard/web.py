"""What every dashboard page shares: the session, CSRF, permissions, rendering.

Pages are plain `async def page(ctx) -> Response` functions wrapped by `page()`, which loads the
session and the author, refuses a POST without a valid CSRF token (403), sends visitors who are
not logged in to the login form, and turns typed errors into HTML error pages.

A logged-in session is a row on the server (store/sessions.py) named by the id in the signed
cookie: the cookie alone proves nothing once its row is gone (logout, a new password, "sign out
everywhere", an expired lifetime, a removed author).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget import i18n, store
from widget.actions.services import Services, services
from widget.errors import BodyTooLarge, Forbidden, NotFound, WidgetError
from widget.guard.auth import (
    SESSION_COOKIE,
    SESSION_IDLE_SECONDS,
    SESSION_TOUCH_SECONDS,
    LoginThrottle,
    Session,
    SessionSigner,
    new_session,
    session_alive,
    session_key,
    session_needs_touch,
)
from widget.http.dashboard.messages import CATALOGUES, LANG_COOKIE, Texts, texts_for
from widget.models import Site
from widget.numbers import declared_size, parse_int

log = logging.getLogger("widget.http.dashboard")

PREFIX = "/dashboard"
FORM_LIMIT = 256 * 1024  # settings with six languages of texts fit many times over
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million rows deep: past any real list, and a small SQL offset

# `same-origin` rather than `no-referrer`: with the latter, browsers send `Origin: null` on our
# own form posts, and the Origin check below could no longer tell them from forged ones.
# No inline script or style anywhere: everything comes from /static with hashed URLs.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class DashboardHeaders:
    """Adds the dashboard's security headers to every response under /dashboard (errors too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Ctx:
    """One request as a dashboard page sees it."""

    request: Request
    svc: Services
    session: Session
    author: store.Author | None
    record: store.SessionRecord | None = None  # the server's row of a logged-in session
    form: FormData | None = None
    new_cookie: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    t: Texts = field(default_factory=Texts)

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def sites(self) -> list[Site]:
        """The sites this author may see: all of them for admins."""
        if self.author is None:
            return []
        if self.author.is_admin:
            return list(self.svc.sites.values())
        return [self.svc.sites[s] for s in self.author.sites if s in self.svc.sites]

    @property
    def site_slugs(self) -> tuple[str, ...]:
        return tuple(site.slug for site in self.sites)

    @property
    def username(self) -> str:
        return self.author.username if self.author else ""

    def site(self, slug: str) -> Site:
        """A site this author may see; others are 'not found', so guessing reveals nothing."""
        for site in self.sites:
            if site.slug == slug:
                return site
        raise NotFound(self.t("no_such_site"))

    def reason_name(self, reason: str, site: str = "") -> str:
        """A reader's reason as the widget words it in the author's language: the site's own
        text for its own reasons, the shipped text for built-in ones, else the bare name."""
        sites = [self.svc.sites[site]] if site in self.svc.sites else self.sites
        for candidate in sites:
            if reason in candidate.reasons or site:
                texts = candidate.settings.get("texts")
                return i18n.reason_label(i18n.messages(self.lang, texts), reason)
        return i18n.reason_label(i18n.messages(self.lang), reason)

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if isinstance(v, str)]

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)


def signer(svc: Services) -> SessionSigner:
    assert svc.session_signer is not None  # made from the secret with the Services
    return svc.session_signer


def throttle(svc: Services) -> LoginThrottle:
    return svc.login_throttle


def client_ip(request: Request) -> str:
    """The guard's answer to who is asking, so the login throttle keys a client as the API
    does (same trusted proxies, same WIDGET_PROXY_HEADER)."""
    return services(request).guard.address(request.scope)


def _from_trusted_proxy(request: Request) -> bool:
    return services(request).guard.from_trusted_proxy(request.scope)


def is_https(request: Request) -> bool:
    svc = services(request)
    if request.url.scheme == "https" or svc.settings.public_url.startswith("https://"):
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").lower() == "https"
    return forwarded and _from_trusted_proxy(request)


def set_session_cookie(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        signer(services(request)).dumps(session),
        max_age=SESSION_IDLE_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def request_texts(request: Request) -> Texts:
    """The author's language: their own choice if they made one, else their browser's."""
    lang = i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    return texts_for(lang)


async def load_ctx(request: Request) -> Ctx:
    svc = services(request)
    t = request_texts(request)
    session = signer(svc).loads(request.cookies.get(SESSION_COOKIE))
    now = time.time()
    if session is None:
        return Ctx(request, svc, new_session(), None, new_cookie=True, t=t)
    if not session.sid:  # a visitor who has not logged in: the nonce serves the login form
        stale = now - session.signed_at > SESSION_TOUCH_SECONDS
        return Ctx(request, svc, session, None, new_cookie=stale, t=t)
    found = await svc.store.session_author(session_key(svc.secret, session.sid))
    if found is None or not session_alive(found[0].created_at, found[0].seen_at, now):
        # Logged out, signed out everywhere, expired, or its author removed: a fresh visitor.
        return Ctx(request, svc, new_session(), None, new_cookie=True, t=t)
    record, author = found
    touch = session_needs_touch(record.seen_at, now)
    if touch:
        await _touch(svc, record.key, now)
    return Ctx(request, svc, session, author, record, new_cookie=touch, t=t)


async def _touch(svc: Services, key: str, now: float) -> None:
    """Move the session's last-seen time (hourly at most: see SESSION_TOUCH_SECONDS)."""
    try:
        await svc.store.touch_session(key, now)
    except WidgetError:  # the writer is busy or stopping: serve the page, the next one retries
        log.warning("could not record a session's use; the next request tries again")


async def read_form(request: Request, t: Texts) -> FormData:
    if declared_size(request.headers.get("content-length")) > FORM_LIMIT:
        raise BodyTooLarge(t("form_too_large", n=FORM_LIMIT // 1024))
    return await request.form(max_files=0, max_fields=2000, max_part_size=FORM_LIMIT)


def same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; one from elsewhere is a forged form, token or not.

    Behind a reverse proxy the Host header may be the upstream's own address, so the public
    URL's host, and X-Forwarded-Host from a trusted proxy, count as ours too.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site request; the CSRF token still decides
    ours = {request.headers.get("host", "")}
    svc = services(request)
    if svc.settings.public_url:
        ours.add(urlsplit(svc.settings.public_url).netloc)
    forwarded_host = request.headers.get("x-forwarded-host")
    if forwarded_host and _from_trusted_proxy(request):
        ours.add(forwarded_host.split(",")[0].strip())
    return urlsplit(origin).netloc in ours - {""}


Handler = Callable[[Ctx], Awaitable[Response]]


def page(*, login: bool = True, admin: bool = False) -> Callable[[Handler], Callable[..., Any]]:
    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            ctx = await load_ctx(request)
            try:
                if login and ctx.author is None:
                    if request.method != "GET":
                        raise Forbidden(ctx.t("session_ended"))
                    target = request.url.path + (
                        f"?{request.url.query}" if request.url.query else ""
                    )
                    query = urlencode({"next": target}) if target != PREFIX else ""
                    return redirect(f"{PREFIX}/login" + (f"?{query}" if query else ""))
                if admin and not (ctx.author and ctx.author.is_admin):
                    raise NotFound(ctx.t("no_such_page"))
                if request.method == "POST":
                    ctx.form = await read_form(request, ctx.t)
                    valid = signer(ctx.svc).csrf_valid(ctx.session, ctx.form.get("csrf"))
                    if not valid or not same_origin(request):
                        raise Forbidden(ctx.t("form_expired"))
                response = await handler(ctx)
            except WidgetError as exc:
                response = await render_error(ctx, exc.status, exc.message, exc.headers())
            if ctx.new_cookie:
                set_session_cookie(response, request, ctx.session)
            return response

        return endpoint

    return wrap


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def render(ctx: Ctx, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    env = ctx.request.app.state.templates
    unread = await ctx.svc.store.unread_count(ctx.site_slugs) if ctx.author else 0
    html = env.get_template(f"dashboard/{template}").render(
        author=ctx.author,
        csrf=signer(ctx.svc).csrf_token(ctx.session),
        unread=unread,
        nav_sites=ctx.sites,
        path=ctx.request.url.path,
        here=ctx.request.url.path + (f"?{ctx.request.url.query}" if ctx.request.url.query else ""),
        t=ctx.t,
        lang=ctx.lang,
        # Each language named in itself; a new .po without the name yet gets CLDR's.
        dashboard_languages=[
            (code, str(catalogue.get("lang_name") or i18n.locale_of(code).display_name))
            for code, catalogue in CATALOGUES.items()
        ],
        when=ctx.t.when,
        reason_name=ctx.reason_name,
        iso=iso_time,
        **values,
    )
    return HTMLResponse(html, status)


async def render_error(
    ctx: Ctx, status: int, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    response = await render(ctx, "error.html", status, code=status, message=message)
    response.headers.update(headers or {})
    return response


async def html_error(request: Request, status: int, message: str) -> Response:
    """For app.py's exception handlers: 404/405 under /dashboard as a page, not JSON.

    Their messages come from the router in English; the author gets them in their language.
    """
    ctx = await load_ctx(request)
    if status in (404, 405):
        message = ctx.t("no_such_page" if status == 404 else "method_not_allowed")
    return await render_error(ctx, status, message)


def iso_time(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp or 0, UTC).isoformat(timespec="seconds")


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def page_number(ctx: Ctx) -> int:
    """The pager's page: optional, so a page that cannot be read is the first one."""
    return parse_int(ctx.query("page"), field="page", low=1, high=MAX_PAGE, default=1)


def with_query(ctx: Ctx, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(ctx.request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return ctx.request.url.path + ("?" + urlencode(params) if params else "")
