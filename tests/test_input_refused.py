"""Input that once got a 500 or slipped past validation, now refused with a clear error: vote
and feedback fields over the API, and settings that cannot work."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import voter
from widget.errors import ConfigError
from widget.settings import Settings


def _summary(client: TestClient, post: str) -> dict[str, object]:
    answer: dict[str, object] = client.get(f"/api/v1/summary?post={post}").json()["posts"][0]
    return answer


@pytest.mark.parametrize("url", ["http://[::1", "https://[not-an-address]/", "http://]x["])
def test_a_vote_with_a_broken_url_is_refused_and_counts_nothing(
    client: TestClient, url: str
) -> None:
    answer = client.post(
        "/api/v1/votes", json={"post": "p", "rating": 4, "voter": voter(), "url": url}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "url"
    assert _summary(client, "p")["count"] == 0


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("voter", {"post": "p", "rating": 4, "voter": "a" * 20 + "\n"}),
        ("site", {"site": "default\n", "post": "p", "rating": 4, "voter": "a" * 20}),
    ],
)
def test_a_trailing_newline_is_not_part_of_a_valid_identifier(
    client: TestClient, field: str, body: dict[str, object]
) -> None:
    answer = client.post("/api/v1/votes", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field
    assert _summary(client, "p")["count"] == 0


def test_feedback_language_with_a_trailing_newline_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/feedback",
        json={"post": "p", "voter": voter(), "text": "unclear", "lang": "en\n"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "lang"


@pytest.mark.parametrize(
    "env",
    [
        {"WIDGET_CACHE_SIZE": "0"},  # every summary read was a 500
        {"WIDGET_WRITER_BATCH": "0"},
        {"WIDGET_MAX_BODY_BYTES": "-1"},  # every vote was a 413
        {"WIDGET_SUMMARY_MAX_AGE": "-5"},
    ],
)
def test_sizes_that_cannot_work_stop_the_start(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=next(iter(env))):
        Settings.from_env(env)
