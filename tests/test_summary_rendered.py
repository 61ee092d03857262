"""Summary answers are reused only while nothing they were made from has changed."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from tests.conftest import voter
from widget.actions import authoring

pytestmark = pytest.mark.backends  # every test here runs on SQLite and on PostgreSQL


def _summary(client: TestClient, query: str) -> tuple[dict[str, object], str]:
    response = client.get("/api/v1/summary?" + query)
    assert response.status_code == 200
    return response.json(), response.headers["etag"]


def test_a_vote_changes_the_next_read_of_every_query_with_that_post(client: TestClient) -> None:
    one, tag_one = _summary(client, "post=a")
    _, tag_both = _summary(client, "post=a&post=b")
    assert _summary(client, "post=a") == (one, tag_one)  # reused: same bytes, same tag
    vote = {"post": "a", "rating": 4, "voter": voter()}
    assert client.post("/api/v1/votes", json=vote).status_code == 200
    after, tag_after = _summary(client, "post=a")
    assert after["posts"][0]["count"] == 1  # type: ignore[index]
    assert tag_after != tag_one
    after_both, tag_after_both = _summary(client, "post=a&post=b")
    assert [p["count"] for p in after_both["posts"]] == [1, 0]  # type: ignore[attr-defined]
    assert tag_after_both != tag_both


def test_a_changed_site_changes_the_next_read(client: TestClient) -> None:
    _, tag = _summary(client, "post=a")
    svc = client.app.state.services  # type: ignore[attr-defined]
    site = svc.sites["default"]
    changed = dataclasses.replace(site, settings={**site.settings, "threshold": 3})
    # Saved as the dashboard saves it: stored, then every cache follows the event. (Setting
    # svc.sites by hand raced the PostgreSQL listener's first reload of the stored sites.)
    client.portal.call(authoring.save_site, svc, "admin", changed)  # type: ignore[union-attr]
    after, new_tag = _summary(client, "post=a")
    assert after["site"]["threshold"] == 3  # type: ignore[index]
    assert new_tag != tag


def test_conditional_request_and_cors_still_per_request(client: TestClient) -> None:
    _, tag = _summary(client, "post=a")
    cached = client.get("/api/v1/summary?post=a", headers={"If-None-Match": tag})
    assert cached.status_code == 304
    other = client.get("/api/v1/summary?post=a", headers={"Origin": "https://blog.example"})
    assert other.headers["access-control-allow-origin"] == "https://blog.example"
    assert client.get("/api/v1/summary?post=a").headers.get("access-control-allow-origin") is None


def test_a_reused_answer_carries_every_header_of_a_fresh_one(client: TestClient) -> None:
    fresh = client.get("/api/v1/summary?post=h", headers={"Origin": "https://a.example"})
    reused = client.get("/api/v1/summary?post=h", headers={"Origin": "https://b.example"})
    for response in (fresh, reused):
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"].startswith("public, max-age=")
        assert int(response.headers["content-length"]) == len(response.content)
        assert response.headers["vary"] == "Origin"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert reused.content == fresh.content and reused.headers["etag"] == fresh.headers["etag"]
    assert reused.headers["access-control-allow-origin"] == "https://b.example"
