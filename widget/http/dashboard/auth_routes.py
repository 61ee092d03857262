"""Logging in and out, the first-run setup link, one's own password and sessions."""

from __future__ import annotations

import logging
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from widget.actions import accounts
from widget.actions.services import Services
from widget.errors import InvalidField, NotFound
from widget.guard.auth import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    SESSION_ABSOLUTE_SECONDS,
    SESSION_IDLE_SECONDS,
    SETUP_SECONDS,
    Session,
    SetupToken,
    check_login,
    device_of,
    new_session,
    password_problem,
    session_alive,
    session_key,
    verify_password,
)
from widget.http.dashboard.messages import Texts
from widget.http.dashboard.web import PREFIX, Ctx, client_ip, page, redirect, render, throttle
from widget.store import NewSession

log = logging.getLogger("widget.http.dashboard")

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def safe_next(target: str) -> str:
    """Only our own pages: an open redirect after login would be a phishing gift."""
    if target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


def password_problem_text(t: Texts, password: str) -> str | None:
    """auth.password_problem's verdict, worded in the author's language."""
    if password_problem(password) is None:
        return None
    if len(password) < MIN_PASSWORD:
        return t("password_short", n=MIN_PASSWORD)
    return t("password_long", n=MAX_PASSWORD)


def open_session(ctx: Ctx, author_id: int) -> tuple[Session, NewSession]:
    """A fresh session for this browser (new nonce, new id, so a planted cookie cannot be
    ridden), and its record for the server, to write in the transaction of what comes with it.
    """
    session = new_session(logged_in=True)
    browser, system = device_of(ctx.request.headers.get("user-agent", ""))
    now = time.time()
    record = NewSession(
        key=session_key(ctx.svc.secret, session.sid),
        author_id=author_id,
        now=now,
        idle_before=now - SESSION_IDLE_SECONDS,
        started_before=now - SESSION_ABSOLUTE_SECONDS,
        browser=browser,
        system=system,
        replacing=ctx.record.key if ctx.record else None,  # logging in again from here
    )
    return session, record


def adopt(ctx: Ctx, session: Session) -> None:
    """The response carries this session's cookie (after its write committed)."""
    ctx.session = session
    ctx.new_cookie = True


async def log_in(ctx: Ctx, author_id: int) -> None:
    session, record = open_session(ctx, author_id)
    await ctx.svc.store.open_session(record)
    adopt(ctx, session)


@page(login=False)
async def login(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        if ctx.author is not None:
            return redirect(safe_next(ctx.query("next")))
        notice = ctx.t("signed_out_everywhere") if ctx.query("notice") == "signed_out" else ""
        return await render(ctx, "login.html", next=ctx.query("next"), username="", notice=notice)
    username = ctx.field("username").strip()[:64]
    password = ctx.field("password")
    target = ctx.field("next")
    address = client_ip(ctx.request)
    # Counted before the password is checked, so simultaneous attempts cannot all slip in.
    wait = throttle(ctx.svc).reserve(address, username)
    if wait:
        response = await render(
            ctx,
            "login.html",
            429,
            next=target,
            username=username,
            error=ctx.t("login_throttled", n=max(1, wait // 60)),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    author = await ctx.svc.store.author_by_name(username) if username else None
    valid = await run_in_threadpool(
        check_login, author.password_hash if author else None, password[:1000]
    )
    if author is None or not valid:
        return await render(
            ctx,
            "login.html",
            401,
            next=target,
            username=username,
            error=ctx.t("login_wrong"),
        )
    throttle(ctx.svc).release(address, username)
    await log_in(ctx, author.id)
    log.info("author %s logged in", author.username)
    return redirect(safe_next(target))


@page(login=False)  # logging out twice (two tabs) just lands on the login form
async def logout(ctx: Ctx) -> Response:
    if ctx.record is not None:  # gone from the server: a copy of the cookie names nothing now
        await ctx.svc.store.end_session(ctx.record.key)
    adopt(ctx, new_session())
    return redirect(f"{PREFIX}/login")


def _setup_token(svc: Services) -> SetupToken | None:
    return svc.setup_token


@page(login=False)
async def setup(ctx: Ctx) -> Response:
    token = _setup_token(ctx.svc)
    given = ctx.query("token") if ctx.request.method == "GET" else ctx.field("token")
    if token is None or not token.accepts(given):
        raise NotFound(ctx.t("setup_expired"))
    if ctx.request.method == "GET":
        return await render(
            ctx, "setup.html", token=given, username="", minutes=SETUP_SECONDS // 60
        )
    username = ctx.field("username").strip()
    password = ctx.field("password")
    problem = password_problem_text(ctx.t, password)
    if not USERNAME_RE.match(username):
        problem = ctx.t("username_rule")
    elif password != ctx.field("password2"):
        problem = ctx.t("passwords_differ")
    if problem:
        return await render(ctx, "setup.html", 422, token=given, username=username, error=problem)
    refusal = ctx.t("setup_exists")
    author_id = await accounts.create_first_admin(ctx.svc.store, username, password, refusal)
    token.used = True
    await log_in(ctx, author_id)
    log.info("first admin %s created through the setup link", username)
    return redirect(PREFIX)


async def _account_page(ctx: Ctx, status: int = 200, **values: object) -> Response:
    assert ctx.author is not None
    now = time.time()
    found = await ctx.svc.store.sessions_of(ctx.author.id)
    sessions = [s for s in found if session_alive(s.created_at, s.seen_at, now)]  # not pruned yet
    current = session_key(ctx.svc.secret, ctx.session.sid)  # marked "this browser" in the list
    return await render(ctx, "account.html", status, sessions=sessions, current=current, **values)


@page()
async def account(ctx: Ctx) -> Response:
    assert ctx.author is not None
    if ctx.request.method == "GET":
        return await _account_page(ctx)
    current, new = ctx.field("current"), ctx.field("password")
    ok = await run_in_threadpool(verify_password, ctx.author.password_hash, current)
    problem = None if ok else ctx.t("password_wrong")
    problem = problem or password_problem_text(ctx.t, new)
    if not problem and new != ctx.field("password2"):
        problem = ctx.t("new_passwords_differ")
    if problem:
        return await _account_page(ctx, 422, error=problem)
    # Every session of the author ends, this one too; this browser gets a fresh one at once.
    session, record = open_session(ctx, ctx.author.id)
    await accounts.change_password(
        ctx.svc.store, ctx.author.id, ctx.author.username, new, reopen=record
    )
    adopt(ctx, session)
    return await _account_page(ctx, notice=ctx.t("password_changed"))


@page()
async def sign_out_everywhere(ctx: Ctx) -> Response:
    """Every session of this author ends, this one included: for a lost phone or laptop."""
    assert ctx.author is not None
    username = ctx.author.username
    await ctx.svc.store.end_sessions(ctx.author.id, by=username)
    log.info("author %s signed out everywhere", username)
    adopt(ctx, new_session())
    return redirect(f"{PREFIX}/login?notice=signed_out")


async def announce_setup(svc: Services) -> None:
    """On start with no account at all, log a one-time link to create the first admin."""
    if await svc.store.count_authors():
        return
    token = SetupToken.fresh()
    svc.setup_token = token
    base = svc.settings.public_url.rstrip("/") or f"http://{svc.settings.host}:{svc.settings.port}"
    log.warning(
        "no dashboard account exists yet: create the first admin within %d minutes at"
        " %s%s/setup?token=%s (the link works once)",
        SETUP_SECONDS // 60,
        base,
        PREFIX,
        token.token,
    )


def validate_username(username: str, t: Texts) -> str:
    if not USERNAME_RE.match(username):
        raise InvalidField("username", t("username_rule"))
    return username


routes = [
    Route(f"{PREFIX}/login", login, methods=["GET", "POST"]),
    Route(f"{PREFIX}/logout", logout, methods=["POST"]),
    Route(f"{PREFIX}/setup", setup, methods=["GET", "POST"]),
    Route(f"{PREFIX}/account", account, methods=["GET", "POST"]),
    Route(f"{PREFIX}/account/sessions", sign_out_everywhere, methods=["POST"]),
]
