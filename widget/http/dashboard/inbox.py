"""The feedback inbox: every item across the author's sites, filters, triage, bulk actions."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.actions import authoring
from widget.errors import InvalidField, NotFound
from widget.http.dashboard.overview import post_url
from widget.http.dashboard.web import (
    PAGE_SIZE,
    PREFIX,
    Ctx,
    page,
    page_count,
    page_number,
    redirect,
    render,
    with_query,
)
from widget.models import FEEDBACK_STATUSES, clean_text
from widget.numbers import MAX_COUNT, MAX_ID, parse_int

NOTE_MAX = 2000
BULK_LIMIT = 500


def inbox_filter(ctx: Ctx) -> store.InboxFilter:
    site = ctx.query("site")
    sites = (ctx.site(site).slug,) if site else ctx.site_slugs
    status = ctx.query("status")
    rating = parse_int(ctx.query("rating"), field="rating", low=1, high=5, default=0)
    return store.InboxFilter(
        sites=sites,
        post=ctx.query("post").strip()[:200],
        status=status if status in FEEDBACK_STATUSES else "",
        rating=rating or None,
        reason=ctx.query("reason").strip()[:40],
        query=ctx.query("q").strip()[:200],
    )


@page()
async def inbox(ctx: Ctx) -> Response:
    chosen = inbox_filter(ctx)
    number = page_number(ctx)
    items, matching = await ctx.svc.store.list_feedback(
        chosen, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    counts = await ctx.svc.store.status_counts(chosen.sites)
    # How many items the last bulk action changed, for the notice; -1: no notice.
    done = parse_int(ctx.query("done"), field="done", low=0, high=MAX_COUNT, default=-1)
    reasons = sorted({r for site in ctx.sites for r in site.reasons})
    return await render(
        ctx,
        "inbox.html",
        items=items,
        matching=matching,
        chosen=chosen,
        site_filter=ctx.query("site"),
        counts=counts,
        statuses=ctx.t.status_names(),
        reasons=reasons,
        page=number,
        pages=page_count(matching),
        with_query=partial(with_query, ctx),
        post_url=post_url,
        back=ctx.request.url.path + (f"?{ctx.request.url.query}" if ctx.request.url.query else ""),
        done=done if done >= 0 else None,
    )


def safe_back(target: str) -> str:
    inbox_path = f"{PREFIX}/inbox"
    if target == inbox_path or target.startswith(inbox_path + "?"):
        return target
    if target.startswith(f"{PREFIX}/sites/") and "//" not in target:
        return target
    return inbox_path


def _with_notice(target: str, changed: int) -> str:
    joiner = "&" if "?" in target else "?"
    return target + joiner + urlencode({"done": str(changed)})


@page()
async def bulk(ctx: Ctx) -> Response:
    action = ctx.field("action")
    if action not in FEEDBACK_STATUSES:
        raise InvalidField("action", ctx.t("choose_action"))
    raw_ids = ctx.fields("ids")
    if not raw_ids:
        raise InvalidField("ids", ctx.t("select_one"))
    refused = ctx.t("select_between", max=BULK_LIMIT)
    if len(raw_ids) > BULK_LIMIT:
        raise InvalidField("ids", refused)
    ids = [parse_int(v, field="ids", low=1, high=MAX_ID, message=refused) for v in raw_ids]
    changed = await authoring.triage_feedback(ctx.svc, ctx.username, ctx.site_slugs, ids, action)
    return redirect(_with_notice(safe_back(ctx.field("back")), changed))


@page()
async def triage_one(ctx: Ctx) -> Response:
    # An id that is not a number names no item: the same 404 as an id that is not there.
    number = parse_int(ctx.request.path_params["id"], field="id", low=1, high=MAX_ID, default=0)
    item = await ctx.svc.store.feedback_item(number) if number else None
    if item is None or item.feedback.site not in ctx.site_slugs:
        raise NotFound(ctx.t("no_such_feedback"))
    status = ctx.field("status")
    if status not in FEEDBACK_STATUSES:
        names = ctx.t.status_names()
        raise InvalidField("status", ctx.t("choose_status", statuses=", ".join(names.values())))
    try:
        note = clean_text(ctx.field("note"), NOTE_MAX, "note", multiline=True)
    except InvalidField as exc:  # the shared check words it in English for the API
        raise InvalidField("note", ctx.t("note_too_long", n=NOTE_MAX)) from exc
    changed = await authoring.triage_feedback(
        ctx.svc, ctx.username, ctx.site_slugs, [item.feedback.id], status, note
    )
    return redirect(_with_notice(safe_back(ctx.field("back")), changed) + f"#f{item.feedback.id}")


routes = [
    Route(f"{PREFIX}/inbox", inbox, methods=["GET"]),
    Route(f"{PREFIX}/inbox/bulk", bulk, methods=["POST"]),
    Route(f"{PREFIX}/feedback/{{id}}", triage_one, methods=["POST"]),
]
