"""Admins only: authors and their sites, and the audit log."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial

from starlette.responses import Response
from starlette.routing import Route

from widget.actions import accounts
from widget.errors import InvalidField, NotFound
from widget.http.dashboard.auth_routes import (
    adopt,
    open_session,
    password_problem_text,
    validate_username,
)
from widget.http.dashboard.web import (
    PREFIX,
    Ctx,
    page,
    page_count,
    page_number,
    redirect,
    render,
    with_query,
)
from widget.numbers import MAX_ID, parse_int

AUDIT_PAGE = 100


def _chosen_sites(ctx: Ctx) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(ctx.fields("sites")))
    unknown = [slug for slug in chosen if slug not in ctx.svc.sites]
    if unknown:
        raise InvalidField("sites", ctx.t("no_such_site_name", value=repr(unknown[0])))
    return chosen


async def _write(ctx: Ctx, change: Awaitable[object]) -> None:
    """The store words its refusals in English for the CLI; authors read them in their own."""
    try:
        await change
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
    everyone = await ctx.svc.store.list_authors()
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
    created = accounts.create_author(
        ctx.svc.store, ctx.username, username, password, is_admin, sites
    )
    await _write(ctx, created)
    return redirect(f"{PREFIX}/authors?notice=created")


@page(admin=True)
async def update_author(ctx: Ctx) -> Response:
    # An id that is not a number names no author: the same 404 as an id that is not there.
    number = parse_int(ctx.request.path_params["id"], field="id", low=1, high=MAX_ID, default=0)
    target = await ctx.svc.store.author_by_id(number) if number else None
    if target is None:
        raise NotFound(ctx.t("no_such_author"))
    if ctx.field("action") == "delete":
        await _write(ctx, accounts.delete_author(ctx.svc.store, ctx.username, target.id))
        return redirect(f"{PREFIX}/authors?notice=deleted")
    if ctx.field("action") == "sign_out":
        await _write(ctx, accounts.sign_out_everywhere(ctx.svc.store, ctx.username, target.id))
        return redirect(f"{PREFIX}/authors?notice=signed_out")
    is_admin = ctx.field("is_admin") == "on"
    sites = _chosen_sites(ctx)
    new_password = ctx.field("password")
    problem = password_problem_text(ctx.t, new_password) if new_password else None
    if problem:
        raise InvalidField("password", problem)
    # An admin giving themselves a new password stays logged in here, in a fresh session.
    myself = ctx.author is not None and ctx.author.id == target.id
    reopened = open_session(ctx, target.id) if myself and new_password else None
    change = accounts.update_author(
        ctx.svc.store,
        ctx.username,
        target.id,
        is_admin,
        sites,
        new_password or None,
        reopened[1] if reopened else None,
    )
    await _write(ctx, change)
    if reopened is not None:
        adopt(ctx, reopened[0])
    return redirect(f"{PREFIX}/authors?notice=saved")


@page(admin=True)
async def audit(ctx: Ctx) -> Response:
    number = page_number(ctx)
    entries, total = await ctx.svc.store.list_audit(AUDIT_PAGE, (number - 1) * AUDIT_PAGE)
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
