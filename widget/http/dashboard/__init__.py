"""/dashboard: server-rendered pages for authors, same origin only.

One module per page family; web.py holds what they share (session, CSRF, rendering).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from widget.http.dashboard import (
    admin,
    auth_routes,
    exports,
    inbox,
    language,
    overview,
    settings_pages,
)
from widget.http.dashboard.auth_routes import announce_setup
from widget.http.dashboard.web import PREFIX, DashboardHeaders, html_error


def routes() -> list[BaseRoute]:
    # /sites/new is listed before /sites/{site}, so "new" is never taken for a site's name.
    return [
        *auth_routes.routes,
        *language.routes,
        *settings_pages.routes,
        *overview.routes,
        *inbox.routes,
        *exports.routes,
        *admin.routes,
    ]


def is_dashboard_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


__all__ = ["DashboardHeaders", "announce_setup", "html_error", "is_dashboard_path", "routes"]
