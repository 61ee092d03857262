"""The language switch in the dashboard's header: the author's choice, kept in a cookie.

A cookie of its own rather than a field of the signed session: the choice is no secret, needs no
signature, and should survive logging out and in again (the session is replaced on both). It
works on the login page too, before anyone is known.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from widget.errors import InvalidField
from widget.http.dashboard.auth_routes import safe_next
from widget.http.dashboard.messages import CATALOGUES, LANG_COOKIE, LANG_COOKIE_SECONDS
from widget.http.dashboard.web import PREFIX, Ctx, is_https, page, redirect


@page(login=False)
async def switch_language(ctx: Ctx) -> Response:
    lang = ctx.field("lang")
    if lang not in CATALOGUES:
        raise InvalidField("lang", ctx.t("unknown_language", choices=", ".join(CATALOGUES)))
    response = redirect(safe_next(ctx.field("back")))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=LANG_COOKIE_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=is_https(ctx.request),
    )
    return response


routes = [Route(f"{PREFIX}/language", switch_language, methods=["POST"])]
