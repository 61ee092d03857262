"""The author's sites, each site's ranked posts, and one post in detail (with its reset)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from widget import store
from widget.actions import authoring
from widget.errors import InvalidField, NotFound
from widget.http.dashboard import charts
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
from widget.models import Site
from widget.numbers import MAX_COUNT, parse_int

RANGES = {"7": 7, "30": 30, "90": 90, "all": None}


def today() -> date:
    return datetime.now(UTC).date()


def chosen_range(ctx: Ctx) -> str:
    value = ctx.query("range", "30")
    return value if value in RANGES else "30"


def range_start(key: str) -> date | None:
    days = RANGES[key]
    return None if days is None else today() - timedelta(days=days - 1)


def post_url(site: str, post: str) -> str:
    return f"{PREFIX}/sites/{site}/post?" + urlencode({"post": post})


@page()
async def home(ctx: Ctx) -> Response:
    cards = []
    for site in ctx.sites:
        stats = await ctx.svc.site_stats(site.slug)
        unread = await ctx.svc.store.unread_count([site.slug])
        cards.append((site, stats, unread))
    return await render(ctx, "home.html", cards=cards)


@page()
async def site_overview(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    reader = ctx.svc.store
    range_key = chosen_range(ctx)
    start = range_start(range_key)
    sort = ctx.query("sort", "score")
    sort = sort if sort in store.SORTS else "score"
    descending = ctx.query("dir", "desc" if sort != "title" else "asc") != "asc"
    query = ctx.query("q").strip()[:200]
    min_votes = parse_int(ctx.query("min"), field="min", low=0, high=MAX_COUNT, default=0)
    active = ctx.query("active") == "1"
    number = page_number(ctx)

    stats = await ctx.svc.site_stats(site.slug)
    since_day = start.isoformat() if start else "0000-00-00"
    trend = await reader.daily_trend(site.slug, since_day)
    totals = store.DayCount(
        since_day, sum(d.votes for d in trend), sum(d.total for d in trend)
    )  # the range's totals are the trend's sum: one scan of the daily index, not two
    first = start or (date.fromisoformat(trend[0].day) if trend else today())
    active_since = None
    if active and start is not None:
        active_since = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()
    posts, matching = await reader.ranked_posts(
        site.slug,
        stats,
        sort=sort,
        descending=descending,
        query=query,
        min_votes=min_votes,
        active_since=active_since,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    new_feedback = await reader.new_feedback_by_post(site.slug, [p.post for p in posts])
    ranges = ctx.t.range_names()
    title = ctx.t("chart_votes_per_day", range=ranges[range_key].lower())
    chart = charts.votes_per_day(trend, first, today(), title, ctx.t)
    return await render(
        ctx,
        "overview.html",
        site=site,
        stats=stats,
        totals=totals,
        chart=chart,
        posts=posts,
        new_feedback=new_feedback,
        matching=matching,
        page=number,
        pages=page_count(matching),
        range_key=range_key,
        ranges=ranges,
        sort=sort,
        descending=descending,
        sorts={key: ctx.t("sort_" + key) for key in store.SORTS},
        query=query,
        min_votes=min_votes,
        active=active,
        with_query=partial(with_query, ctx),
        post_url=post_url,
        offset=(number - 1) * PAGE_SIZE,
    )


async def _post_or_404(ctx: Ctx, site: Site, post: str) -> tuple[store.SiteStats, store.PostRow]:
    stats = await ctx.svc.site_stats(site.slug)
    row = await ctx.svc.store.post_row(site.slug, post, stats) if post else None
    if row is None:
        raise NotFound(ctx.t("no_such_post"))
    return stats, row


@page()
async def post_detail(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    stats, row = await _post_or_404(ctx, site, ctx.query("post"))
    reader = ctx.svc.store
    history = await reader.daily_trend(site.slug, "0000-00-00", row.post)
    recent_start = today() - timedelta(days=89)
    recent_days = [d for d in history if d.day >= recent_start.isoformat()]
    feedback, feedback_count = await reader.list_feedback(
        store.InboxFilter(sites=(site.slug,), post=row.post), limit=20
    )
    return await render(
        ctx,
        "post.html",
        site=site,
        stats=stats,
        row=row,
        histogram=charts.distribution(row.distribution, ctx.t("chart_distribution"), ctx.t),
        average_chart=charts.average_over_time(history, ctx.t("chart_average"), ctx.t),
        votes_chart=charts.votes_per_day(
            recent_days,
            recent_start,
            today(),
            ctx.t("chart_votes_per_day", range=ctx.t("range_90").lower()),
            ctx.t,
        ),
        recent=await reader.recent_votes(site.slug, row.post),
        feedback=feedback,
        feedback_count=feedback_count,
        statuses=ctx.t.status_names(),
        post_url=post_url,
        request_reset=ctx.query("reset") == "1",
        reset_url=f"{PREFIX}/sites/{site.slug}/reset?" + urlencode({"post": row.post}),
    )


@page()
async def reset_post(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    post = ctx.query("post") if ctx.request.method == "GET" else ctx.field("post")
    _, row = await _post_or_404(ctx, site, post)
    if ctx.request.method == "GET":
        return await render(ctx, "reset.html", site=site, row=row, post_url=post_url)
    if ctx.field("confirm") != "yes":
        raise InvalidField("confirm", ctx.t("reset_tick"))
    summary = await authoring.reset_post(ctx.svc, ctx.username, site.slug, row.post)
    assert summary.count == 0
    return redirect(post_url(site.slug, row.post) + "&reset=1")


routes = [
    Route(PREFIX, home, methods=["GET"]),
    Route(f"{PREFIX}/sites/{{site}}", site_overview, methods=["GET"]),
    Route(f"{PREFIX}/sites/{{site}}/post", post_detail, methods=["GET"]),
    Route(f"{PREFIX}/sites/{{site}}/reset", reset_post, methods=["GET", "POST"]),
]
