"""Chart geometry for server-drawn SVG: pure functions, numbers in, shapes out.

The templates (dashboard/charts.html) turn these into <svg> with a <title>, a <desc> and a data
table beside it, so a chart reads without JavaScript, without colour and without sight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from widget.http.dashboard.messages import ENGLISH, Texts
from widget.store import DayCount

WIDTH = 800
HEIGHT = 180
LEFT = 48  # room for the y-axis labels
BOTTOM = 22  # room for the x-axis labels
TOP = 10
HIST_WIDTH, HIST_LABEL, HIST_VALUE = 480, 70, 90  # histogram: whole, labels, numbers
MAX_BARS = 120  # beyond this, days are grouped so that every bar stays wider than a pixel


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    title: str
    desc: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # an SVG points list for a polyline
    dots: list[Bar] = field(default_factory=list)  # x, y of line points (width/height unused)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str, str]] = field(default_factory=list)  # x, text, anchor
    rows: list[tuple[str, str]] = field(default_factory=list)  # the table fallback
    headers: tuple[str, str] = ("", "")

    @property
    def empty(self) -> bool:
        return not self.rows


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _nice_max(value: float) -> float:
    """A round number at or above value, so the axis says 40, not 37."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def votes_per_day(
    series: list[DayCount], first: date, last: date, title: str, t: Texts = ENGLISH
) -> Chart:
    """Bars of net votes per day (or per group of days over long ranges), zeros included."""
    by_day = {item.day: item.votes for item in series}
    days = days_between(first, last)
    group = max(1, math.ceil(len(days) / MAX_BARS))
    buckets: list[tuple[date, date, int]] = []
    for start in range(0, len(days), group):
        chunk = days[start : start + group]
        total = sum(by_day.get(d.isoformat(), 0) for d in chunk)
        buckets.append((chunk[0], chunk[-1], total))
    top = _nice_max(max((max(0, b[2]) for b in buckets), default=0))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(buckets))
    bars, rows = [], []
    for index, (start_day, end_day, value) in enumerate(buckets):
        label = (
            t.date(start_day)
            if group == 1
            else t("chart_day_range", first=t.date(start_day), last=t.date(end_day))
        )
        height = plot_h * max(0, value) / top
        bars.append(
            Bar(
                LEFT + index * step + step * 0.1,
                TOP + plot_h - height,
                step * 0.8,
                height,
                label,
                value,
            )
        )
        rows.append((label, t.number(value)))
    total = sum(b[2] for b in buckets)
    span = {"first": t.date(first), "last": t.date(last), "top": t.short(top)}
    if group == 1:
        desc = t("chart_votes_desc_day", n=total, **span)
    else:
        desc = t("chart_votes_desc_days", n=group, total=t("vote_count", n=total), **span)
    return Chart(
        title=title,
        desc=desc,
        bars=bars,
        y_ticks=[(TOP + plot_h - plot_h * f, t.short(top * f)) for f in (0, 0.5, 1)],
        x_labels=[(LEFT, t.date(first), "start"), (WIDTH - 4, t.date(last), "end")],
        rows=rows,
        headers=(t("col_day") if group == 1 else t("col_days"), t("col_votes")),
    )


def average_over_time(series: list[DayCount], title: str, t: Texts = ENGLISH) -> Chart:
    """The running average after each day with votes: how the post's score settled."""
    points: list[tuple[str, float]] = []
    votes = total = 0
    for item in series:
        votes += item.votes
        total += item.total
        if votes > 0:
            points.append((item.day, total / votes))
    width = HIST_WIDTH  # drawn half-width beside the histogram: fewer units, bigger text
    plot_w, plot_h = width - LEFT - 4, HEIGHT - TOP - BOTTOM
    if not points:
        return Chart(title=title, desc=t("chart_no_votes"))

    def y_of(average: float) -> float:
        return TOP + plot_h - plot_h * (average - 1) / 4

    span = max(1, len(points) - 1)
    dots = [
        Bar(
            LEFT + plot_w * i / span if len(points) > 1 else LEFT + plot_w / 2,
            y_of(avg),
            0,
            0,
            t.date(day),
            avg,
        )
        for i, (day, avg) in enumerate(points)
    ]
    return Chart(
        title=title,
        desc=t(
            "chart_average_desc",
            first=t.date(points[0][0]),
            last=t.date(points[-1][0]),
            start=t.decimal(points[0][1]),
            now=t.decimal(points[-1][1]),
        ),
        line=" ".join(f"{d.x:.1f},{d.y:.1f}" for d in dots),
        dots=dots if len(dots) <= 60 else [],
        y_ticks=[(y_of(v), str(v)) for v in (1, 2, 3, 4, 5)],
        width=width,
        x_labels=[
            (LEFT, t.date(points[0][0]), "start"),
            (width - 4, t.date(points[-1][0]), "end"),
        ],
        rows=[(t.date(day), t.decimal(avg)) for day, avg in points],
        headers=(t("col_day"), t("col_average_so_far")),
    )


def distribution(counts: tuple[int, int, int, int, int], title: str, t: Texts = ENGLISH) -> Chart:
    """Horizontal bars, 5 stars on top, as readers expect from shops and app stores."""
    total = sum(counts)
    labels = [t("stars", n=stars) for stars in (5, 4, 3, 2, 1)]
    # "5 stars" fits in HIST_LABEL; "5 hviezdičiek" needs more. About 0.6 em per character at
    # the largest size the stylesheet gives these labels (14 units on a phone).
    label_w = max(HIST_LABEL, math.ceil(max(len(label) for label in labels) * 8.4) + 12)
    row_h, width = 28, HIST_WIDTH
    plot_w = width - label_w - HIST_VALUE
    top = max(counts) or 1
    bars, rows = [], []
    for index, stars in enumerate((5, 4, 3, 2, 1)):
        count = counts[stars - 1]
        share = count / total if total else 0
        label = labels[index]
        bars.append(Bar(label_w, index * row_h + 4, plot_w * count / top, row_h - 8, label, count))
        rows.append((label, f"{t.number(count)} ({t.percent(share)})"))
    return Chart(
        title=title,
        desc=", ".join(f"{label}: {value}" for label, value in rows) + ".",
        width=width,
        height=row_h * 5 + 4,
        bars=bars,
        rows=rows,
        headers=(t("col_rating"), t("col_votes")),
    )
