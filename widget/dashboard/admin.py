"""Admins only: authors and their sites, and the audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.auth import hash_password
from widget.dashboard.auth_routes import password_problem_text, validate_username
from widget.dashboard.web import (
    PREFIX,
    Ctx,
    page,
    page_count,
    page_number,
    redirect,
    render,
    with_query,
)
from widget.errors import InvalidField, NotFound
from widget.numbers import MAX_ID, parse_int

AUDIT_PAGE = 100


def _chosen_sites(ctx: Ctx) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(ctx.fields("sites")))
    unknown = [slug for slug in chosen if slug not in ctx.svc.sites]
    if unknown:
        raise InvalidField("sites", ctx.t("no_such_site_name", value=repr(unknown[0])))
    return chosen


async def _write(ctx: Ctx, change: Callable[[sqlite3.Connection], object]) -> None:
    """The store words its refusals in English for the CLI; authors read them in their own."""
    try:
        await ctx.svc.write(change)
    except NotFound as exc:
        if exc.field is not None:
            raise
        raise NotFound(ctx.t("no_such_author")) from exc
    except InvalidField as exc:
        key = {"is_admin": "last_admin_demote", "author": "last_admin_remove"}.get(exc.field or "")
        if key:
            raise InvalidField(exc.field or "", ctx.t(key)) from exc
        if exc.field == "username":
            name = repr(ctx.field("username").strip())
            raise InvalidField("username", ctx.t("author_exists", value=name)) from exc
        raise


@page(admin=True)
async def authors(ctx: Ctx) -> Response:
    everyone = await store.list_authors(ctx.svc.reader)
    return await render(
        ctx,
        "authors.html",
        authors=everyone,
        all_sites=list(ctx.svc.sites.values()),
        notice=ctx.query("notice"),
    )


@page(admin=True)
async def create_author(ctx: Ctx) -> Response:
    username = validate_username(ctx.field("username").strip(), ctx.t)
    password = ctx.field("password")
    problem = password_problem_text(ctx.t, password)
    if problem:
        raise InvalidField("password", problem)
    is_admin = ctx.field("is_admin") == "on"
    sites = _chosen_sites(ctx)
    password_hash = await run_in_threadpool(hash_password, password)

    def create(conn: sqlite3.Connection) -> int:
        author_id = store.create_author(conn, username, password_hash, is_admin, sites)
        detail = {"admin": is_admin, "sites": list(sites)}
        store.record_audit(conn, ctx.username, "create_author", username, detail)
        return author_id

    await _write(ctx, create)
    return redirect(f"{PREFIX}/authors?notice=created")


@page(admin=True)
async def update_author(ctx: Ctx) -> Response:
    # An id that is not a number names no author: the same 404 as an id that is not there.
    number = parse_int(ctx.request.path_params["id"], field="id", low=1, high=MAX_ID, default=0)
    target = await store.author_by_id(ctx.svc.reader, number) if number else None
    if target is None:
        raise NotFound(ctx.t("no_such_author"))
    if ctx.field("action") == "delete":

        def delete(conn: sqlite3.Connection) -> None:
            name = store.delete_author(conn, target.id)
            store.record_audit(conn, ctx.username, "delete_author", name)

        await _write(ctx, delete)
        return redirect(f"{PREFIX}/authors?notice=deleted")
    is_admin = ctx.field("is_admin") == "on"
    sites = _chosen_sites(ctx)
    new_password = ctx.field("password")
    problem = password_problem_text(ctx.t, new_password) if new_password else None
    if problem:
        raise InvalidField("password", problem)
    # A forgotten password is replaced here; the author's sessions end with the old one.
    password_hash = await run_in_threadpool(hash_password, new_password) if new_password else None

    def update(conn: sqlite3.Connection) -> None:
        store.set_author_access(conn, target.id, is_admin, sites)
        detail = {"admin": is_admin, "sites": list(sites), "new_password": bool(password_hash)}
        if password_hash is not None:
            store.set_password(conn, target.id, password_hash)
        store.record_audit(conn, ctx.username, "update_author", target.username, detail)

    await _write(ctx, update)
    return redirect(f"{PREFIX}/authors?notice=saved")


@page(admin=True)
async def audit(ctx: Ctx) -> Response:
    number = page_number(ctx)
    entries, total = await store.list_audit(
        ctx.svc.reader, limit=AUDIT_PAGE, offset=(number - 1) * AUDIT_PAGE
    )
    return await render(
        ctx,
        "audit.html",
        entries=entries,
        page=number,
        pages=page_count(total, AUDIT_PAGE),
        with_query=partial(with_query, ctx),
    )


routes = [
    Route(f"{PREFIX}/authors", authors, methods=["GET"]),
    Route(f"{PREFIX}/authors/new", create_author, methods=["POST"]),
    Route(f"{PREFIX}/authors/{{id}}", update_author, methods=["POST"]),
    Route(f"{PREFIX}/audit", audit, methods=["GET"]),
]
