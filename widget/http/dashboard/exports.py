"""Downloads of one site's votes (anonymised) and feedback, as CSV or JSON, streamed."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from widget import store
from widget.errors import InvalidField
from widget.http.dashboard.overview import chosen_range, range_start
from widget.http.dashboard.web import PREFIX, Ctx, page, render

KINDS = {"votes": store.VOTE_FIELDS, "feedback": store.FEEDBACK_FIELDS}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# What makes a spreadsheet read a cell as a formula (or, for tab and CR, what some strip before
# looking): ASCII and the full-width forms, which spreadsheets in East Asian locales accept too.
_FORMULA_START = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
# A piece starts at the cell's start and after each separator a spreadsheet may split on (the
# comma, Excel's semicolon in de, fr, es, cs and sk, the tab) or a line break; quotes and spaces
# before the formula character do not stop it from being read as one.
_PIECE = re.compile(r"(^|[,;\t\r\n])([\" \t]*)(?=[" + re.escape(_FORMULA_START) + "])")


def iso(timestamp: Any) -> Any:
    if isinstance(timestamp, float | int) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    return timestamp


def csv_cell(value: Any) -> Any:
    """A reader's text that a spreadsheet could run as a formula, defused.

    Checking only the first character is not enough: "thanks;=HYPERLINK(...)" is one field
    to us but two in a spreadsheet that splits on semicolons, the second live. So every piece
    that a split on comma, semicolon, tab or a line break could make, and that starts with a
    formula character, gets an apostrophe in front: "thanks;'=HYPERLINK(...)". Spreadsheets
    show the apostrophe as text, so the note stays readable and says what the reader wrote;
    only text is touched (numbers such as a rating stay numbers). Quoting every cell instead
    would not help: a spreadsheet that splits on another separator does not see our quotes.
    """
    if isinstance(value, str):
        return _PIECE.sub(r"\1'\2", value)
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
