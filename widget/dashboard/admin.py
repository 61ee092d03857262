"""Admins only: authors and their sites, and the audit log."""

from __future__ import annotations

import sqlite3
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.auth import hash_password, password_problem
from widget.dashboard.auth_routes import validate_username
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

AUDIT_PAGE = 100


def _chosen_sites(ctx: Ctx) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(ctx.fields("sites")))
    unknown = [slug for slug in chosen if slug not in ctx.svc.sites]
    if unknown:
        raise InvalidField("sites", f"there is no site {unknown[0]!r}")
    return chosen


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
    username = validate_username(ctx.field("username").strip())
    password = ctx.field("password")
    problem = password_problem(password)
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

    await ctx.svc.write(create)
    return redirect(f"{PREFIX}/authors?notice=created")


@page(admin=True)
async def update_author(ctx: Ctx) -> Response:
    raw = ctx.request.path_params["id"]
    target = await store.author_by_id(ctx.svc.reader, int(raw)) if raw.isdigit() else None
    if target is None:
        raise NotFound("there is no such author")
    if ctx.field("action") == "delete":

        def delete(conn: sqlite3.Connection) -> None:
            name = store.delete_author(conn, target.id)
            store.record_audit(conn, ctx.username, "delete_author", name)

        await ctx.svc.write(delete)
        return redirect(f"{PREFIX}/authors?notice=deleted")
    is_admin = ctx.field("is_admin") == "on"
    sites = _chosen_sites(ctx)
    new_password = ctx.field("password")
    problem = password_problem(new_password) if new_password else None
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

    await ctx.svc.write(update)
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
