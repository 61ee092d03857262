"""Bytes that are not UTF-8 because they encode a UTF-16 surrogate (ED A0 80, RFC 3629).

json.loads reads them into a lone surrogate, which the text cleaning used to drop as a control
character: `bad-\\xed\\xa0\\x80` was stored as the post `bad-`, a different reader's id. Such an
id is refused with a 422 naming the field, in a JSON body, a query string and the frame's form.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from starlette.testclient import TestClient

from tests.conftest import voter
from widget.settings import Settings

SURROGATE_BYTES = b"bad-\xed\xa0\x80"
JSON = {"Content-Type": "application/json"}


def posts_stored(settings: Settings) -> list[str]:
    with sqlite3.connect(settings.db) as conn:
        return [row[0] for row in conn.execute("SELECT post FROM posts")]


def body(post: bytes, **fields: object) -> bytes:
    rest = json.dumps(fields)[1:-1]
    return b'{"post": "' + post + b'", ' + rest.encode() + b"}"


@pytest.mark.parametrize(
    "post",
    [
        pytest.param(SURROGATE_BYTES, id="raw-bytes"),
        pytest.param(b"bad-\\ud800", id="json-escape"),
        pytest.param(b"bad-\xed\xa0\xbd\xed\xb8\x80", id="cesu-8-pair"),
    ],
)
def test_a_vote_for_a_post_id_with_a_surrogate_is_refused(
    client: TestClient, settings: Settings, post: bytes
) -> None:
    answer = client.post("/api/v1/votes", content=body(post, rating=4, voter=voter()), headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "invalid_field",
        "message": "post is not valid UTF-8 text (a lone surrogate)",
        "field": "post",
    }
    withdraw = client.request(
        "DELETE", "/api/v1/votes", content=body(post, voter=voter()), headers=JSON
    )
    assert withdraw.status_code == 422 and withdraw.json()["error"]["field"] == "post"
    assert posts_stored(settings) == []
    assert client.get("/api/v1/summary?post=bad-").json()["posts"][0]["count"] == 0


def test_feedback_text_with_a_surrogate_is_refused(client: TestClient) -> None:
    raw = body(b"p", voter=voter())[:-1] + b', "text": "thanks \xed\xb0\x80"}'
    answer = client.post("/api/v1/feedback", content=raw, headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "text"


def test_a_real_astral_character_is_still_a_fine_id(client: TestClient) -> None:
    for post in ("smile-😀".encode(), b"smile-\\ud83d\\ude00"):
        answer = client.post(
            "/api/v1/votes", content=body(post, rating=5, voter=voter()), headers=JSON
        )
        assert answer.status_code == 200
        assert answer.json()["post"] == "smile-😀"


def test_a_query_string_with_a_surrogate_is_refused(client: TestClient) -> None:
    answer = client.get("/api/v1/summary?post=bad-%ED%A0%80")
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "post"
    answer = client.get("/api/v1/summary?post=ok&post=bad-%ED%A0%80&lang=en")
    assert answer.status_code == 422
    fine = client.get("/api/v1/summary?post=caf%C3%A9")
    assert fine.status_code == 200 and fine.json()["posts"][0]["post"] == "café"
    page = client.get("/embed/frame?site=default&post=bad-%ED%A0%80")
    assert page.status_code == 422 and "<html" in page.text  # the frame's own error page
    fragment = client.get("/embed/fragment?site=default&post=bad-%ED%A0%80")
    assert fragment.status_code == 422 and fragment.json()["error"]["field"] == "post"


def test_the_frame_form_with_a_surrogate_is_refused_and_stores_nothing(
    client: TestClient, settings: Settings
) -> None:
    page = client.get("/embed/frame?site=default&post=bad-&lang=en")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = f"site=default&post=bad-%ED%A0%80&lang=en&rating=4&csrf={csrf}".encode()
    answer = client.post(
        "/embed/frame",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert "<html" in answer.text
    assert posts_stored(settings) == []
