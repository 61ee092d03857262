"""Origins, CORS, nosniff and body limits: what a hostile page or client meets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import voter
from widget import store
from widget.models import Site
from widget.runtime.app import create_app
from widget.store.sqlite.writer import open_database

BLOG = "https://blog.example"


@pytest.fixture
def blog_client(settings: Any) -> Iterator[TestClient]:
    conn = open_database(settings.db)
    store.save_site(
        conn, Site(slug="blog", name="Blog", origins=(BLOG, "https://www.blog.example"))
    )
    conn.close()
    with TestClient(create_app(settings)) as client:
        yield client


def count(client: TestClient, post: str = "p") -> int:
    result: int = client.get(f"/api/v1/summary?site=blog&post={post}").json()["posts"][0]["count"]
    return result


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/votes", {"site": "blog", "post": "p", "rating": 5}),
        ("DELETE", "/api/v1/votes", {"site": "blog", "post": "p"}),
        ("POST", "/api/v1/feedback", {"site": "blog", "post": "p", "text": "hi", "open_ms": 9000}),
        ("POST", "/api/v1/forget", {"site": "blog"}),
    ],
)
def test_writes_from_a_foreign_origin_are_refused(
    blog_client: TestClient, method: str, path: str, body: dict[str, Any]
) -> None:
    reader = voter()
    blog_client.post(
        "/api/v1/votes",
        json={"site": "blog", "post": "p", "rating": 2, "voter": reader},
        headers={"Origin": BLOG},
    )
    response = blog_client.request(
        method, path, json={**body, "voter": reader}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in response.headers
    assert count(blog_client) == 1  # the vote is still there, unchanged


def test_allowed_origins_get_cors_and_others_do_not(blog_client: TestClient) -> None:
    ok = blog_client.post(
        "/api/v1/votes",
        json={"site": "blog", "post": "p", "rating": 4, "voter": voter()},
        headers={"Origin": "https://www.blog.example/"},
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://www.blog.example/"
    read = blog_client.get("/api/v1/summary?site=blog&post=p", headers={"Origin": BLOG})
    assert read.headers["access-control-allow-origin"] == BLOG
    assert "Origin" in read.headers["vary"]
    foreign = blog_client.get(
        "/api/v1/summary?site=blog&post=p", headers={"Origin": "https://evil.example"}
    )
    # The refused page reads why (the widget logs it for the site owner), never the numbers.
    assert foreign.status_code == 403 and "posts" not in foreign.json()
    assert foreign.json()["error"]["code"] == "origin_not_allowed"


def test_preflight_answers_only_known_origins(blog_client: TestClient) -> None:
    headers = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    known = blog_client.options("/api/v1/forget", headers={"Origin": BLOG, **headers})
    assert known.status_code == 204
    assert known.headers["access-control-allow-origin"] == BLOG
    assert "POST" in known.headers["access-control-allow-methods"]


def test_nosniff_on_every_kind_of_response(client: TestClient) -> None:
    responses = [
        client.get("/api/v1/summary?post=a"),
        client.get("/api/v1/summary"),  # 422
        client.post("/api/v1/votes", content=b"{", headers={"Content-Type": "application/json"}),
        client.get("/no/such/page"),
        client.get("/api/v1/openapi.json"),
        client.get("/healthz"),
        client.post("/api/v1/forget", json={"voter": voter()}),
    ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.url


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        ("POST", "/api/v1/votes", 8192),
        ("DELETE", "/api/v1/votes", 4096),
        ("POST", "/api/v1/forget", 1024),
        ("POST", "/api/v1/feedback", 16384),
    ],
)
def test_body_limits_per_route(client: TestClient, method: str, path: str, limit: int) -> None:
    reader = voter()
    body = {"post": "p", "rating": 3, "voter": reader, "text": "ok", "open_ms": 9000}
    padding = "x" * limit
    too_big = client.request(method, path, json={**body, "padding": padding})
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "body_too_large"
    fits = client.request(method, path, json={**body, "padding": "x" * (limit - 200)})
    assert fits.status_code in (200, 201), fits.text


def test_lying_content_length_is_still_caught(client: TestClient) -> None:
    """A body bigger than it says is cut off while reading, not after."""
    payload = b'{"post": "p", "rating": 3, "voter": "' + b"a" * 20000 + b'"}'
    response = client.post(
        "/api/v1/votes",
        content=iter([payload[:100], payload[100:]]),  # streamed: no Content-Length at all
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
