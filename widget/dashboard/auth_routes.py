"""Logging in and out, the first-run setup link, and changing one's own password."""

from __future__ import annotations

import logging
import re
import sqlite3
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.auth import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    SETUP_SECONDS,
    SetupToken,
    check_login,
    hash_password,
    new_session,
    password_fingerprint,
    password_problem,
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


def log_in(ctx: Ctx, author: store.Author) -> None:
    """A fresh session (new nonce) on login, so a planted cookie cannot be ridden."""
    fingerprint = password_fingerprint(ctx.svc.secret, author.password_hash)
    ctx.session = new_session(author.id, fingerprint)
    ctx.new_cookie = True


@page(login=False)
async def login(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        if ctx.author is not None:
            return redirect(safe_next(ctx.query("next")))
        return await render(ctx, "login.html", next=ctx.query("next"), username="")
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
    log_in(ctx, author)
    log.info("author %s logged in", author.username)
    return redirect(safe_next(target))


@page(login=False)  # logging out twice (two tabs) just lands on the login form
async def logout(ctx: Ctx) -> Response:
    ctx.session = new_session()
    ctx.new_cookie = True
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
    log_in(ctx, author)
    log.info("first admin %s created through the setup link", username)
    return redirect(PREFIX)


@page()
async def account(ctx: Ctx) -> Response:
    assert ctx.author is not None
    if ctx.request.method == "GET":
        return await render(ctx, "account.html")
    current, new = ctx.field("current"), ctx.field("password")
    ok = await run_in_threadpool(verify_password, ctx.author.password_hash, current)
    problem = None if ok else ctx.t("password_wrong")
    problem = problem or password_problem_text(ctx.t, new)
    if not problem and new != ctx.field("password2"):
        problem = ctx.t("new_passwords_differ")
    if problem:
        return await render(ctx, "account.html", 422, error=problem)
    password_hash = await run_in_threadpool(hash_password, new)

    def change(conn: sqlite3.Connection, author_id: int, username: str) -> None:
        store.set_password(conn, author_id, password_hash)
        store.record_audit(conn, username, "change_password", username)

    await ctx.svc.write(partial(change, author_id=ctx.author.id, username=ctx.author.username))
    updated = await store.author_by_id(ctx.svc.reader, ctx.author.id)
    assert updated is not None
    log_in(ctx, updated)  # this session stays; every other one ends with the old fingerprint
    return await render(ctx, "account.html", notice=ctx.t("password_changed"))


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
]
