"""The benchmark harness runs end to end on a tiny setting. Its numbers are not checked here:
a benchmark is a script that prints ratios, never a timed assertion (STYLE.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) is not installed")
def test_quick_run_prints_the_table_and_writes_sane_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--servers", "uvicorn", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "summary: 1 post" in done.stdout and "x bare" in done.stdout
    results = json.loads(out.read_text())
    rows = {
        (r["scenario"], r["connections"]): r for r in results["rows"] if r["server"] == "uvicorn"
    }
    on_postgres = {
        (r["scenario"], r["connections"])
        for r in results["rows"]
        if r["server"] == "uvicorn on postgresql"
    }
    assert on_postgres == {
        ("summary: 1 post", 32),
        ("vote (durable)", 32),
        ("vote (durable)", 128),
        ("vote (durable), 2 instances", 64),
    }
    assert results["facts"]["uvicorn on postgresql: votes agree between instances"] is True
    for key in [
        ("summary: 1 post", 32),
        ("summary: 20 posts", 32),
        ("vote (durable)", 32),
        ("vote (durable)", 128),
        ("feedback", 32),
    ]:
        row = rows[key]
        assert row["server"] == "uvicorn"
        assert row["requests"] > 0 and row["rps"] > 0
        assert row["errors"] == 0, row  # every request answered 2xx: the load is what a user sends
        assert 0 < row["p50_ms"] <= row["p99_ms"]
        assert row["bare_rps"] > 0 and row["ratio"] == pytest.approx(row["rps"] / row["bare_rps"])
        assert row["ref_ratio"] == pytest.approx(row["ratio"])  # uvicorn's bare is the reference
    facts = results["facts"]
    assert facts["commit"] and facts["machine"] and facts["date"]
    assert 0 < facts["uvicorn: PSS with 20,000 votes (MiB)"] < 1000
    assert 0 < facts["uvicorn: start-up with 20,000 votes (s)"] < 30
    assert facts["embed"]["gzip_bytes"] > 0
    checks = {check["check"] for check in facts["budget"]}
    assert "uvicorn: summary read x reference" in checks
    assert "uvicorn: vote c=128 x reference" in checks
    assert any("Isso" in note for note in results["notes"])  # skipped in --quick, and said so
