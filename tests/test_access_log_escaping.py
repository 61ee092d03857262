"""No request can write a log line of its own: every logged field is escaped.

The path in the access log is percent-decoded, so `%0d%0a` in a URL used to end the line and
let the rest of the URL pose as another request's line.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from widget.http.access_log import AccessLog
from widget.log_text import printable
from widget.runtime.app import create_app
from widget.runtime.logs import TextFormatter
from widget.settings import Settings

FAKE = '6.6.6.0 - "POST /api/v1/votes HTTP/1.1" 200 0.10ms'
FORGED = f"/x\r\n2025-11-24 16:00:00,000 INFO widget.access: {FAKE}"


def _written(log_format: str, client: str, request_line: str) -> list[str]:
    out = io.StringIO()
    log = AccessLog(log_format, anonymize=False, stream=out, clock=lambda: 1_764_000_000.0)
    log.record(client, request_line, 404, 0.0001)  # no running loop: written at once
    return out.getvalue().splitlines()


def test_a_crlf_in_the_path_stays_on_its_own_line() -> None:
    lines = _written("text", "198.51.100.7", f"GET {FORGED} HTTP/1.1")
    assert len(lines) == 1
    assert lines[0].startswith("2025-11-24 16:00:00,000 INFO widget.access: 198.51.100.7 - ")
    assert '"GET /x\\r\\n2025-11-24 16:00:00,000 INFO widget.access: 6.6.6.0 - ' in lines[0]
    assert lines[0].endswith('200 0.10ms HTTP/1.1" 404 0.10ms')


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("/a\x1b[2J", "/a\\x1b[2J"),  # a terminal escape
        ("/a\x00b\x7fc\x85d", "/a\\x00b\\x7fc\\x85d"),  # NUL, DEL, C1 next line
        ("/a\u2028b\u2029c", "/a\\u2028b\\u2029c"),  # Unicode line and paragraph separators
        ("/a\u202etxt.exe", "/a\\u202etxt.exe"),  # a bidi override turning text around
        ("/a\tb", "/a\\tb"),
        ("/a\\r", "/a\\\\r"),  # a real backslash reads differently from an escaped CR
        ('/a" 200 1.00ms', '/a\\" 200 1.00ms'),  # no quote ends the request-line field
        ("/ä/日本/ok", "/ä/日本/ok"),  # printable text is left alone
    ],
)
def test_control_characters_backslash_and_quotes_are_escaped(raw: str, shown: str) -> None:
    (line,) = _written("text", "198.51.100.7", f"GET {raw} HTTP/1.1")
    assert f'"GET {shown} HTTP/1.1" 404' in line


def test_the_client_field_is_escaped_too() -> None:
    (line,) = _written("text", "unix\nsocket", "GET / HTTP/1.1")
    assert "unix\\nsocket - " in line


def test_the_json_format_carries_the_same_escaped_message() -> None:
    (text_line,) = _written("text", "198.51.100.7", f"GET {FORGED} HTTP/1.1")
    (json_line,) = _written("json", "198.51.100.7", f"GET {FORGED} HTTP/1.1")
    entry = json.loads(json_line)
    assert "\n" not in entry["message"] and "\r" not in entry["message"]
    assert text_line.endswith(entry["message"])


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_app_logs_a_percent_encoded_crlf_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    settings = Settings(
        db=str(tmp_path / "a.db"),
        secret_key="k",
        log_format=log_format,
        anonymize_logs=False,
    )
    forged = "/x%0d%0a2025-11-24%2016:00:00,000%20INFO%20widget.access:%20" + FAKE.replace(
        " ", "%20"
    ).replace('"', "%22")
    with TestClient(create_app(settings)) as client:
        assert client.get(forged).status_code == 404
    lines = [line for line in capsys.readouterr().err.splitlines() if "widget.access" in line]
    assert len(lines) == 1, lines  # one request, one line: nothing starts a line of its own
    message = json.loads(lines[0])["message"] if log_format == "json" else lines[0]
    assert '/x\\r\\n2025-11-24 16:00:00,000 INFO widget.access: 6.6.6.0 - \\"POST' in message


def test_other_log_lines_keep_to_one_line_in_the_text_format() -> None:
    formatter = TextFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord(
        "widget", logging.ERROR, "", 0, "unhandled error on %s %s", ("GET", FORGED), None
    )
    assert formatter.format(record).count("\n") == 0
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    shown = formatter.format(record)
    first, *traceback = shown.splitlines()
    assert first == f"ERROR widget: unhandled error on GET {printable(FORGED)}"
    assert traceback[0].startswith("Traceback")  # a traceback keeps its lines


def test_printable_leaves_ordinary_text_as_it_is() -> None:
    text = "GET /api/v1/summary?post=a&post=b HTTP/1.1"
    assert printable(text) is text
    assert printable('say "hi"') == 'say "hi"'  # quotes only matter between quotes
    assert printable('say "hi"', quote=True) == 'say \\"hi\\"'
