"""Whole numbers written by people: the frame, the API and the dashboard read them one way.

`"²".isdigit()` is true and `int("²")` raises; `int("٣")` is 3; 5,000 digits pass isdigit()
and then exceed Python's int-string limit. Each was a 500 (or, for ٣, a vote) somewhere. Every
one of them must be a 4xx, or the parameter's documented default, and change nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import voter
from tests.dashboard_support import Seeder, csrf_of, feedback_status, login, running
from widget.errors import InvalidField
from widget.numbers import MAX_DIGITS, parse_int, whole_number
from widget.settings import Settings

BAD = ["²", "٣", "9" * 5000, "-1", "1e3", " 3", ""]
BAD_IDS = [pytest.param(value, id=repr(value[:8])) for value in BAD]


# --- the parser -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", BAD_IDS)
def test_the_parser_refuses_what_is_not_ascii_digits_in_range(raw: str) -> None:
    with pytest.raises(InvalidField) as refused:
        parse_int(raw, field="rating", low=1, high=5)
    assert refused.value.field == "rating"
    assert parse_int(raw, field="page", low=1, high=100, default=1) == 1


def test_the_parser_reads_plain_numbers_and_bounds_them() -> None:
    assert parse_int("3", field="rating", low=1, high=5) == 3
    assert parse_int("007", field="page", low=1, high=10) == 7
    assert parse_int("-4", field="offset", low=-10, high=10) == -4
    assert whole_number("-4") is None  # a minus only where the range has negatives
    assert whole_number("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    assert whole_number("9" * (MAX_DIGITS + 1)) is None
    with pytest.raises(InvalidField, match="from 1 to 5"):
        parse_int("6", field="rating", low=1, high=5)
    with pytest.raises(InvalidField, match="my words"):
        parse_int(None, field="rating", low=1, high=5, message="my words")


NUMBERISH = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\A[ +-]?[0-9]{1,14}[ ]?\Z"),
    st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=4),
)


@given(NUMBERISH)
def test_any_text_is_a_number_in_range_or_refused(raw: str) -> None:
    try:
        value = parse_int(raw, field="n", low=-1000, high=1000)
    except InvalidField:
        return  # and nothing else: no ValueError for int() to raise
    assert set(raw) <= set("-0123456789") and raw.rfind("-") <= 0
    assert int(raw) == value and -1000 <= value <= 1000


@given(st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=4))
def test_digits_of_other_scripts_are_refused(raw: str) -> None:
    if not raw.isascii():
        with pytest.raises(InvalidField):
            parse_int(raw, field="rating", low=0, high=10**MAX_DIGITS)


@given(st.integers(min_value=0, max_value=10**MAX_DIGITS - 1))
def test_every_number_written_plainly_reads_back(n: int) -> None:
    assert parse_int(str(n), field="n", low=0, high=10**MAX_DIGITS) == n


# --- the frame and the API --------------------------------------------------------------------


def count_of(client: TestClient, post: str) -> int:
    return int(client.get(f"/api/v1/summary?post={post}").json()["posts"][0]["count"])


@pytest.mark.parametrize("raw", BAD_IDS)
def test_the_frame_refuses_a_rating_that_is_not_plain_digits(client: TestClient, raw: str) -> None:
    page = client.get("/embed/frame?site=default&post=p&lang=en")
    form = {"site": "default", "post": "p", "lang": "en", "csrf": csrf_of(page.text)}
    answer = client.post("/embed/frame", data={**form, "rating": raw}, follow_redirects=False)
    assert answer.status_code == 422
    assert "The rating could not be recorded." in answer.text
    assert count_of(client, "p") == 0


@pytest.mark.parametrize("raw", BAD_IDS)
def test_the_api_refuses_a_rating_written_as_text(client: TestClient, raw: str) -> None:
    answer = client.post("/api/v1/votes", json={"post": "p", "rating": raw, "voter": voter()})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "rating"
    assert count_of(client, "p") == 0


@pytest.mark.parametrize("number", ["9" * 5000, "-1", "1e3", "3.0", "²"])
def test_the_api_refuses_a_rating_that_is_no_whole_json_number(
    client: TestClient, number: str
) -> None:
    body = f'{{"post": "p", "voter": "{voter()}", "rating": {number}}}'
    answer = client.post(
        "/api/v1/votes", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422)
    assert answer.json()["error"]["code"] in ("malformed_json", "invalid_field")
    assert count_of(client, "p") == 0


def raw_call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    """The app called as a server would, with header bytes no HTTP client lets us send."""
    body = json.dumps({"post": "p", "rating": 4, "voter": voter()}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[Any] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    client.portal.call(client.app, scope, receive, send)  # type: ignore[union-attr]
    return int(sent[0]["status"])


@pytest.mark.parametrize("declared", ["\xb2", "9" * 5000])
def test_an_unreadable_content_length_is_no_500(client: TestClient, declared: str) -> None:
    headers = {"content-type": "application/json", "content-length": declared, "host": "t"}
    assert raw_call(client, "POST", "/api/v1/votes", headers) in (200, 413)
    form = {"content-type": "application/x-www-form-urlencoded", "content-length": declared}
    assert raw_call(client, "POST", "/dashboard/login", {**form, "host": "t"}) in (403, 413)


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def dashboard(settings: Settings) -> Iterator[tuple[TestClient, str, int, int]]:
    seed = Seeder(settings)
    seed.site("blog", "Blog", threshold=3)
    root = seed.author("root", admin=True)
    seed.votes("blog", "post-1", [5, 4])
    item = seed.feedback("blog", "post-1", "Step two is missing.")
    seed.close()
    with running(settings) as client:
        yield client, login(client, "root"), item, root


@pytest.mark.parametrize("raw", BAD_IDS)
def test_optional_dashboard_numbers_fall_back_to_their_default(
    dashboard: tuple[TestClient, str, int, int], raw: str
) -> None:
    client, _, _, _ = dashboard
    for path, name in [
        ("/dashboard/sites/blog", "page"),
        ("/dashboard/sites/blog", "min"),
        ("/dashboard/inbox", "page"),
        ("/dashboard/inbox", "rating"),
        ("/dashboard/audit", "page"),
    ]:
        page = client.get(path, params={name: raw})
        assert page.status_code == 200, (path, name)
    inbox = client.get("/dashboard/inbox", params={"done": raw})
    assert inbox.status_code == 200
    assert "updated." not in inbox.text  # no notice of a bulk action that did not happen
    assert "Step two is missing." in client.get("/dashboard/inbox", params={"rating": raw}).text


def site_settings(settings: Settings) -> dict[str, Any]:
    with sqlite3.connect(settings.db) as conn:
        row = conn.execute("SELECT settings FROM sites WHERE slug = 'blog'").fetchone()
    found: dict[str, Any] = json.loads(row[0])
    return found


@pytest.mark.parametrize("raw", BAD_IDS)
def test_dashboard_numbers_that_name_something_are_refused(
    dashboard: tuple[TestClient, str, int, int], settings: Settings, raw: str
) -> None:
    client, csrf, item, root = dashboard
    form = {"csrf": csrf, "name": "Blog", "threshold": raw}
    page = client.post("/dashboard/sites/blog/settings", data=form)
    assert page.status_code == 422
    assert "Choose a threshold from 1 to 5 stars." in page.text
    assert site_settings(settings)["threshold"] == 3

    data = {"csrf": csrf, "status": "done", "note": "read", "back": "/dashboard/inbox"}
    page = client.post(f"/dashboard/feedback/{quote(raw)}", data=data)
    assert page.status_code in (404, 405) and "<html" in page.text  # "" matches no route: 405

    page = client.post("/dashboard/inbox/bulk", data={"csrf": csrf, "action": "done", "ids": raw})
    assert page.status_code == 422
    assert "select between 1 and 500 items" in page.text
    assert feedback_status(settings, item) == ("new", "")

    page = client.post(f"/dashboard/authors/{quote(raw)}", data={"csrf": csrf, "action": "delete"})
    assert page.status_code in (404, 405) and "<html" in page.text
    with sqlite3.connect(settings.db) as conn:
        assert conn.execute("SELECT count(*) FROM authors WHERE id = ?", (root,)).fetchone() == (1,)
