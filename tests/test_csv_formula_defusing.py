"""The dashboard's CSV export as spreadsheets read it: with a comma, a semicolon (Excel in the
de, fr, es, cs and sk locales) or a tab as the separator, no field may begin a formula."""

from __future__ import annotations

import csv
import io
import re
import sqlite3

import pytest
from starlette.testclient import TestClient

from tests.dashboard_support import Seeder, login, running
from widget.http.dashboard.exports import csv_cell
from widget.settings import Settings

FORMULA = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
SEPARATORS = re.compile(r"[,;\t\r\n]")
# What readers and authors might write, each with a formula after some separator.
TEXTS = [
    'thanks;=HYPERLINK("http://evil.example","click")',
    "=1+2",
    "fine,+cmd",
    "tab\t-2+3",
    "line one\n@SUM(A1:A9)",
    "semicolon; =1+1",
    'quoted;"=1+1',
    "full width\uff1b\uff1d1,\uff0b1\t\uff0d1;\uff20x",
    "plain words, nothing to see; really",
]
TITLE = "Intro;=IMPORTXML(CONCAT(1,2))"


def pieces(field: str) -> list[str]:
    """What a spreadsheet splitting on any separator could make of one field, as it reads a
    cell: leading spaces and quotes do not stop a formula."""
    return [piece.lstrip(' "') for piece in SEPARATORS.split(field)]


def live(field: str) -> list[str]:
    return [piece for piece in pieces(field) if piece.startswith(FORMULA)]


@pytest.fixture
def exported(settings: Settings) -> tuple[str, str]:
    seed = Seeder(settings)
    seed.site("alpha")
    seed.author("alice", sites=("alpha",))
    seed.votes("alpha", "p", [1, 2], title=TITLE)
    ids = [seed.feedback("alpha", "p", text) for text in TEXTS]
    seed.close()
    with sqlite3.connect(settings.db) as conn:  # an author's note, as triage would save it
        conn.execute("UPDATE feedback SET note = ? WHERE id = ?", ("ok;-5 done", ids[0]))
    with running(settings) as client:
        login(client, "alice")
        return download(client, "feedback"), download(client, "votes")


def download(client: TestClient, kind: str) -> str:
    answer = client.get(f"/dashboard/sites/alpha/export?kind={kind}&format=csv&range=all")
    assert answer.status_code == 200
    return answer.text


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_field_a_spreadsheet_could_split_out_starts_a_formula(
    exported: tuple[str, str], separator: str
) -> None:
    for body in exported:
        rows = list(csv.reader(io.StringIO(body)))
        fields = [field for row in rows[1:] for field in row]
        assert fields
        for field in fields:
            found = [p for p in field.split(separator) if p.lstrip(' "').startswith(FORMULA)]
            assert found == [], field
            assert live(field) == [], field
        # A spreadsheet that ignores our quoting and splits the raw lines on its own separator.
        for line in body.splitlines()[1:]:
            assert [p for p in line.split(separator) if p.lstrip(' "').startswith(FORMULA)] == []


def test_the_export_still_reads_as_what_was_written(exported: tuple[str, str]) -> None:
    feedback, votes = exported
    rows = list(csv.DictReader(io.StringIO(feedback)))
    # Only apostrophes were added, one in front of each defused piece.
    assert sorted(row["text"].replace("'", "") for row in rows) == sorted(TEXTS)
    assert {row["text"] for row in rows} >= {
        'thanks;\'=HYPERLINK("http://evil.example","click")',
        "plain words, nothing to see; really",
    }
    assert "ok;'-5 done" in {row["note"] for row in rows}
    titles = {row["title"] for row in csv.DictReader(io.StringIO(votes))}
    assert titles == {"Intro;'=IMPORTXML(CONCAT(1,2))"}
    ratings = {row["rating"] for row in csv.DictReader(io.StringIO(votes))}
    assert ratings == {"1", "2"}  # numbers stay numbers


def test_cells_are_defused_at_every_piece() -> None:
    assert csv_cell("=1") == "'=1"
    assert csv_cell("a;=1;b,+2") == "a;'=1;b,'+2"
    assert csv_cell('a; "=1') == "a;' \"=1"
    assert csv_cell("a\n-1") == "a\n'-1"
    assert csv_cell("\uff1d1") == "'\uff1d1"
    assert csv_cell("2026-12-01T21:00:00+00:00") == "2026-12-01T21:00:00+00:00"
    assert csv_cell(-3) == -3 and csv_cell(None) == ""
