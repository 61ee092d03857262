"""Downloads of one site's votes (anonymised) and feedback, as CSV or JSON, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from widget import store
from widget.dashboard.overview import chosen_range, range_start
from widget.dashboard.web import PREFIX, Ctx, page, render
from widget.errors import InvalidField

KINDS = {"votes": store.VOTE_FIELDS, "feedback": store.FEEDBACK_FIELDS}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso(timestamp: Any) -> Any:
    if isinstance(timestamp, float | int) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    return timestamp


def csv_cell(value: Any) -> Any:
    """A reader's text starting with = or + would run as a formula in a spreadsheet: defuse it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


async def csv_lines(
    rows: AsyncIterator[dict[str, Any]], fields: tuple[str, ...]
) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    count = 0
    async for row in rows:
        writer.writerow([csv_cell(iso(row[f]) if f.endswith("_at") else row[f]) for f in fields])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


async def json_lines(rows: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    yield "["
    first = True
    async for row in rows:
        shown = {k: iso(v) if k.endswith("_at") else v for k, v in row.items()}
        yield ("" if first else ",\n") + json.dumps(shown, ensure_ascii=False)
        first = False
    yield "]\n"


@page()
async def exports_page(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    return await render(
        ctx, "exports.html", site=site, ranges=ctx.t.range_names(), range_key=chosen_range(ctx)
    )


@page()
async def download(ctx: Ctx) -> Response:
    site = ctx.site(ctx.request.path_params["site"])
    kind, fmt = ctx.query("kind", "votes"), ctx.query("format", "csv")
    if kind not in KINDS:
        raise InvalidField("kind", ctx.t("export_kind"))
    if fmt not in FORMATS:
        raise InvalidField("format", ctx.t("export_fmt"))
    range_key = chosen_range(ctx)
    start = range_start(range_key)
    since = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() if start else 0.0
    data = ctx.svc.store
    rows = (data.export_votes if kind == "votes" else data.export_feedback)(site.slug, since)
    body = csv_lines(rows, KINDS[kind]) if fmt == "csv" else json_lines(rows)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    filename = f"{site.slug}-{kind}-{range_key}-{stamp}.{fmt}"
    return StreamingResponse(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    Route(f"{PREFIX}/sites/{{site}}/exports", exports_page, methods=["GET"]),
    Route(f"{PREFIX}/sites/{{site}}/export", download, methods=["GET"]),
]
