"""Logging in and out, the first-run setup link, one's own password and sessions."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.auth import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    SESSION_ABSOLUTE_SECONDS,
    SESSION_IDLE_SECONDS,
    SETUP_SECONDS,
    Session,
    SetupToken,
    check_login,
    device_of,
    hash_password,
    new_session,
    password_problem,
    session_alive,
    session_key,
    verify_password,
)
from widget.dashboard.messages import Texts
from widget.dashboard.web import PREFIX, Ctx, client_ip, page, redirect, render, throttle
from widget.errors import Forbidden, InvalidField, NotFound
from widget.state import Services

log = logging.getLogger("widget.dashboard")

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


Change = Callable[[sqlite3.Connection], object]


def open_session(ctx: Ctx, author_id: int) -> tuple[Session, Change]:
    """A fresh session for this browser (new nonce, new id, so a planted cookie cannot be
    ridden), and the write that records it on the server, to run in the caller's transaction.

    The same write prunes every author's expired rows: logins are rare and the table small.
    """
    session = new_session(logged_in=True)
    key = session_key(ctx.svc.secret, session.sid)
    browser, system = device_of(ctx.request.headers.get("user-agent", ""))
    now = time.time()
    replaced = ctx.record.key if ctx.record else None  # logging in again from this browser

    def record(conn: sqlite3.Connection) -> None:
        if replaced is not None:
            store.end_session(conn, replaced)
        store.prune_sessions(conn, now - SESSION_IDLE_SECONDS, now - SESSION_ABSOLUTE_SECONDS)
        store.start_session(conn, key, author_id, now, browser, system)

    return session, record


def adopt(ctx: Ctx, session: Session) -> None:
    """The response carries this session's cookie (after its write committed)."""
    ctx.session = session
    ctx.new_cookie = True


async def log_in(ctx: Ctx, author_id: int, change: Change | None = None) -> None:
    """Open a session for author_id, in one transaction after `change` when there is one."""
    session, record = open_session(ctx, author_id)

    def write(conn: sqlite3.Connection) -> None:
        if change is not None:
            change(conn)
        record(conn)

    await ctx.svc.write(write)
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
    author = await store.author_by_name(ctx.svc.reader, username) if username else None
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
        await ctx.svc.write(partial(store.end_session, key=ctx.record.key), short=True)
    adopt(ctx, new_session())
    return redirect(f"{PREFIX}/login")


def _setup_token(svc: Services) -> SetupToken | None:
    found = svc.extras.get("setup")
    return found if isinstance(found, SetupToken) else None


def _create_first_admin(
    conn: sqlite3.Connection, username: str, password_hash: str, refusal: str
) -> int:
    # Checked inside the write transaction: two browsers racing on one link make one admin.
    if store.count_authors(conn):
        raise Forbidden(refusal)
    author_id = store.create_author(conn, username, password_hash, True, ())
    store.record_audit(conn, username, "create_author", username, {"admin": True, "setup": True})
    return author_id


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
    password_hash = await run_in_threadpool(hash_password, password)
    await ctx.svc.write(
        partial(
            _create_first_admin,
            username=username,
            password_hash=password_hash,
            refusal=ctx.t("setup_exists"),
        )
    )
    token.used = True
    author = await store.author_by_name(ctx.svc.reader, username)
    assert author is not None
    await log_in(ctx, author.id)
    log.info("first admin %s created through the setup link", username)
    return redirect(PREFIX)


async def _account_page(ctx: Ctx, status: int = 200, **values: object) -> Response:
    assert ctx.author is not None
    now = time.time()
    found = await store.sessions_of(ctx.svc.reader, ctx.author.id)
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
    password_hash = await run_in_threadpool(hash_password, new)
    author_id, username = ctx.author.id, ctx.author.username

    def change(conn: sqlite3.Connection) -> None:
        store.set_password(conn, author_id, password_hash)  # ends every session, this one too
        store.record_audit(conn, username, "change_password", username)

    await log_in(ctx, author_id, change)  # ...and this browser gets a fresh one at once
    return await _account_page(ctx, notice=ctx.t("password_changed"))


@page()
async def sign_out_everywhere(ctx: Ctx) -> Response:
    """Every session of this author ends, this one included: for a lost phone or laptop."""
    assert ctx.author is not None
    author_id, username = ctx.author.id, ctx.author.username

    def end(conn: sqlite3.Connection) -> int:
        ended = store.end_sessions(conn, author_id)
        store.record_audit(conn, username, "sign_out_everywhere", username, {"sessions": ended})
        return ended

    await ctx.svc.write(end)
    log.info("author %s signed out everywhere", username)
    adopt(ctx, new_session())
    return redirect(f"{PREFIX}/login?notice=signed_out")


async def announce_setup(svc: Services) -> None:
    """On start with no account at all, log a one-time link to create the first admin."""
    if await svc.write(store.count_authors):
        return
    token = SetupToken.fresh()
    svc.extras["setup"] = token
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
