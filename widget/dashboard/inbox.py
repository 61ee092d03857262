"""The feedback inbox: every item across the author's sites, filters, triage, bulk actions."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.actions import authoring
from widget.dashboard.overview import post_url
from widget.dashboard.web import (
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
from widget.errors import InvalidField, NotFound
from widget.models import FEEDBACK_STATUSES, clean_text

NOTE_MAX = 2000
BULK_LIMIT = 500


def inbox_filter(ctx: Ctx) -> store.InboxFilter:
    site = ctx.query("site")
    sites = (ctx.site(site).slug,) if site else ctx.site_slugs
    status = ctx.query("status")
    rating = ctx.query("rating")
    return store.InboxFilter(
        sites=sites,
        post=ctx.query("post").strip()[:200],
        status=status if status in FEEDBACK_STATUSES else "",
        rating=int(rating) if rating in ("1", "2", "3", "4", "5") else None,
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
        done=ctx.query("done"),
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
    if len(raw_ids) > BULK_LIMIT or not all(v.isdigit() and len(v) < 16 for v in raw_ids):
        raise InvalidField("ids", ctx.t("select_between", max=BULK_LIMIT))
    ids = [int(v) for v in raw_ids]
    changed = await authoring.triage_feedback(ctx.svc, ctx.username, ctx.site_slugs, ids, action)
    return redirect(_with_notice(safe_back(ctx.field("back")), changed))


@page()
async def triage_one(ctx: Ctx) -> Response:
    raw = ctx.request.path_params["id"]
    item = await ctx.svc.store.feedback_item(int(raw)) if raw.isdigit() else None
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
