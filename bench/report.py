"""The budget of DESIGN.md checked against one run, and the table printed and written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from common import Row, Run

READ = "summary: 1 post"
VOTE = "vote (durable)"


def _check(name: str, value: float | None, limit: float, at_least: bool) -> dict[str, Any]:
    if value is None:
        return {"check": name, "value": None, "limit": limit, "ok": None}
    ok = value >= limit if at_least else value <= limit
    return {"check": name, "value": round(value, 3), "limit": limit, "ok": ok}


def _vote(run: Run, server: str, connections: int) -> Row | None:
    return run.row(server, VOTE, connections)


def check_budget(run: Run) -> list[dict[str, Any]]:
    checks = []
    servers = list(dict.fromkeys(row.server for row in run.rows if row.server != "isso"))
    for server in servers:
        # DESIGN.md's budget on PostgreSQL: reads (from the cache) >= 0.85x, votes >= 0.20x.
        postgres = server.endswith(" on postgresql")
        read = run.row(server, READ)
        checks.append(
            _check(
                f"{server}: summary read x reference",
                read and read.ref_ratio,
                0.85 if postgres else 0.90,
                True,
            )
        )
        # SQLite: DESIGN.md's aim for the default server (no regression against the last
        # committed run is the rule; 0.28x is where it should get).
        floors = ((32, 0.20), (128, 0.20)) if postgres else ((32, 0.28), (128, 0.28))
        for connections, floor in floors:
            vote = _vote(run, server, connections)
            checks.append(
                _check(
                    f"{server}: vote c={connections} x reference",
                    vote and vote.ref_ratio,
                    floor,
                    True,
                )
            )
            checks.append(
                _check(
                    f"{server}: vote c={connections} p99 x reference p99",
                    vote and vote.ref_p99_ratio,
                    2.5,
                    False,
                )
            )
        for key, value in run.facts.items():
            if not key.startswith(f"{server}: "):
                continue
            if "read cost at" in key:
                checks.append(_check(key, value, 1.2, False))
            elif "PSS with" in key:
                checks.append(_check(key, value, 100, False))
            elif "start-up with" in key:
                checks.append(_check(key, value, 1.0, False))
        like, isso_read = run.row("isso", "like"), run.row("isso", "read")
        vote = _vote(run, server, 32)
        if like and vote:
            checks.append(_check(f"{server}: votes x Isso likes", vote.rps / like.rps, 15, True))
        if isso_read and read:
            checks.append(
                _check(f"{server}: reads x Isso reads", read.rps / isso_read.rps, 30, True)
            )
    embed = run.facts.get("embed", {})
    checks.append(_check("embed.js + css gzipped (bytes)", embed.get("gzip_bytes"), 6144, False))
    return checks


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "" if value is None else f"{value:.{digits}f}{suffix}"


HEADER = (
    "server",
    "scenario",
    "conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "bare req/s",
    "bare p99 ms",
    "x bare",
    "p99 x bare",
    "x ref",
    "p99 x ref",
    "errors",
    "note",
)


def table_rows(run: Run) -> list[tuple[str, ...]]:
    return [
        (
            row.server,
            row.scenario,
            str(row.connections),
            f"{row.rps:,.0f}",
            _fmt(row.p50_ms),
            _fmt(row.p99_ms),
            "" if row.bare_rps is None else f"{row.bare_rps:,.0f}",
            _fmt(row.bare_p99_ms),
            _fmt(row.ratio, 2, "x"),
            _fmt(row.p99_ratio, 2, "x"),
            _fmt(row.ref_ratio, 2, "x"),
            _fmt(row.ref_p99_ratio, 2, "x"),
            str(row.errors),
            row.note,
        )
        for row in run.rows
    ]


def render_table(run: Run) -> str:
    rows = [HEADER, *table_rows(run)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for check in run.facts.get("budget", []):
        mark = {True: "ok  ", False: "MISS", None: "n/a "}[check["ok"]]
        lines.append(f"{mark} {check['check']}: {check['value']} (limit {check['limit']})")
    for note in run.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def render_markdown(run: Run) -> str:
    facts = run.facts
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python bench/run.py`); see bench/run.py for the method.",
        "`x bare`: against the bare Starlette endpoint under the same server, in the same rounds."
        " `x ref`: against the issue's reference, bare Starlette on uvicorn (uvloop, httptools),"
        " also in the same rounds; the budget's ratios are these.",
        "",
        f"- date: {facts['date']}",
        f"- machine: {facts['machine']}",
        f"- commit: {facts['commit']}",
        f"- Python {facts['python']}; "
        + ", ".join(f"{k} {v}" for k, v in facts["versions"].items()),
        f"- {facts['pinning']}; {facts['load generator']}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    out += ["| " + " | ".join(cell.replace("|", "/") for cell in r) + " |" for r in table_rows(run)]
    out += ["", "## Budget (DESIGN.md)", ""]
    for check in facts.get("budget", []):
        mark = {True: "met", False: "**missed**", None: "not measured"}[check["ok"]]
        out.append(f"- {check['check']}: {check['value']} (limit {check['limit']}): {mark}")
    out += ["", "## Other facts", ""]
    skip = {
        "date",
        "machine",
        "commit",
        "python",
        "versions",
        "pinning",
        "load generator",
        "budget",
    }
    for key, value in facts.items():
        if key not in skip:
            out.append(f"- {key}: {value}")
    if run.notes:
        out += ["", "## Notes", ""] + [f"- {note}" for note in run.notes]
    return "\n".join(out) + "\n"
