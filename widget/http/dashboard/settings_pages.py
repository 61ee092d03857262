"""Site settings (with the embed code) and, for admins, creating a site."""

from __future__ import annotations

from functools import partial

from starlette.responses import Response
from starlette.routing import Route

from widget import i18n
from widget.actions import authoring
from widget.http.dashboard import embed_snippets, site_form
from widget.http.dashboard.web import PREFIX, Ctx, page, redirect, render
from widget.models import DEFAULT_REASONS, Site


def public_base(ctx: Ctx) -> str:
    return ctx.svc.settings.public_url.rstrip("/") or str(ctx.request.base_url).rstrip("/")


def embed_code(ctx: Ctx, site: Site) -> list[embed_snippets.Snippet]:
    """The embed code for each ecosystem; the first (plain HTML) is the one for any page."""
    return embed_snippets.snippets(public_base(ctx), site.slug, ctx.t("embed_post_id"))


def text_languages(site: Site, languages: list[str]) -> list[str]:
    """Languages offered for text overrides: the site's own, else every shipped catalogue."""
    chosen = languages or list(i18n.LANGUAGES)
    extra = [lang for lang in (site.settings.get("texts") or {}) if lang not in chosen]
    return chosen + extra


async def _render_settings(
    ctx: Ctx, site: Site, status: int = 200, form: site_form.SiteForm | None = None, **extra: object
) -> Response:
    current = form or site_form.SiteForm(
        name=site.name, origins=list(site.origins), settings=dict(site.settings)
    )
    settings = current.settings
    languages = list(settings.get("languages") or [])
    reasons = list(settings.get("reasons") or [])
    return await render(
        ctx,
        "settings.html",
        status,
        site=site,
        form=current,
        languages=languages,
        reasons=reasons,
        default_reasons=DEFAULT_REASONS,
        text_langs=text_languages(site, languages),
        texts_as_lines=partial(site_form.texts_as_lines, settings.get("texts") or {}),
        text_keys=site_form.text_keys(reasons or list(DEFAULT_REASONS)),
        defaults=i18n.CATALOGUES[i18n.DEFAULT_LANG],
        schema_groups=site_form.SCHEMA_GROUPS,
        embed=embed_code(ctx, site),
        **extra,
    )


@page()
async def site_settings(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    if ctx.request.method == "GET":
        return await _render_settings(ctx, site, saved=ctx.query("saved") == "1")
    values = {
        name: ctx.field(name)
        for name in (
            "name",
            "origins",
            "threshold",
            "reasons",
            "languages",
            "schema",
            "hide_average",
        )
    }
    text_fields = {
        name.removeprefix("texts_"): value
        for name, value in (ctx.form or {}).items()
        if name.startswith("texts_") and isinstance(value, str) and value.strip()
    }
    form = site_form.parse_site_form(values, text_fields, ctx.t)
    if form.problems:
        return await _render_settings(ctx, site, 422, form)
    updated = Site(
        slug=site.slug,
        name=form.name,
        origins=tuple(form.origins),
        settings={**site.settings, **form.settings},
    )
    await authoring.save_site(ctx.svc, ctx.username, updated)
    return redirect(f"{PREFIX}/sites/{site.slug}/settings?saved=1")


@page(admin=True)
async def new_site(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return await render(ctx, "site_new.html", slug="", name="", problems={})
    slug, name = ctx.field("slug").strip().lower(), ctx.field("name").strip()
    problems = site_form.new_site_problems(slug, name, ctx.t)
    if not problems and slug in ctx.svc.sites:
        problems["slug"] = ctx.t("problem_slug_taken")
    if problems:
        return await render(ctx, "site_new.html", 422, slug=slug, name=name, problems=problems)
    site = Site(slug=slug, name=name, settings={"threshold": 2})
    await authoring.create_site(ctx.svc, ctx.username, site)
    return redirect(f"{PREFIX}/sites/{slug}/settings")


routes = [
    Route(f"{PREFIX}/sites/new", new_site, methods=["GET", "POST"]),
    Route(f"{PREFIX}/sites/{{site}}/settings", site_settings, methods=["GET", "POST"]),
]
