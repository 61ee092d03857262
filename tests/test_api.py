"""The public API through create_app: what a client sends, what it gets back, what is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import metrics_text, voter

VOTES = "/api/v1/votes"
pytestmark = pytest.mark.backends  # every test here runs on SQLite and on PostgreSQL


def summary(client: TestClient, *posts: str, site: str = "default") -> list[dict[str, Any]]:
    query = "&".join(f"post={p}" for p in posts)
    response = client.get(f"/api/v1/summary?site={site}&{query}")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()["posts"]
    return result


def vote(client: TestClient, post: str, rating: int, token: str, **extra: Any) -> Any:
    return client.post(VOTES, json={"post": post, "rating": rating, "voter": token, **extra})


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert error["field"] == field


def test_unknown_posts_have_empty_summaries(client: TestClient) -> None:
    assert summary(client, "nothing-yet") == [
        {
            "site": "default",
            "post": "nothing-yet",
            "average": 0.0,
            "count": 0,
            "distribution": [0, 0, 0, 0, 0],
        }
    ]


def test_vote_change_and_withdraw(client: TestClient) -> None:
    reader, other = voter(), voter()
    first = vote(client, "p", 5, reader).json()
    assert (first["count"], first["average"], first["your_vote"]) == (1, 5.0, 5)
    vote(client, "p", 2, other)
    changed = vote(client, "p", 3, reader).json()
    assert changed["count"] == 2
    assert changed["distribution"] == [0, 1, 1, 0, 0]
    assert changed["average"] == 2.5
    withdrawn = client.request("DELETE", VOTES, json={"post": "p", "voter": reader}).json()
    assert withdrawn["your_vote"] is None
    assert withdrawn["distribution"] == [0, 1, 0, 0, 0]
    again = client.request("DELETE", VOTES, json={"post": "p", "voter": reader})
    assert again.status_code == 200
    assert again.json()["count"] == 1
    assert summary(client, "p")[0]["count"] == 1


def test_batched_summary_keeps_order(client: TestClient) -> None:
    vote(client, "b", 4, voter())
    found = summary(client, "a", "b", "c")
    assert [p["post"] for p in found] == ["a", "b", "c"]
    assert [p["count"] for p in found] == [0, 1, 0]


def test_summary_etag_and_cache_headers(client: TestClient) -> None:
    first = client.get("/api/v1/summary?post=x")
    assert "max-age=" in first.headers["cache-control"]
    etag = first.headers["etag"]
    assert client.get("/api/v1/summary?post=x", headers={"If-None-Match": etag}).status_code == 304
    vote(client, "x", 4, voter())
    after = client.get("/api/v1/summary?post=x", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ("", 422, "invalid_field", "post"),
        ("?post=" + "&post=".join(str(i) for i in range(101)), 422, "invalid_field", "post"),
        ("?post=a&site=Nope!", 422, "invalid_field", "site"),
        ("?post=a&site=missing", 404, "not_found", "site"),
        ("?post=" + "x" * 201, 422, "invalid_field", "post"),
    ],
)
def test_summary_errors(client: TestClient, query: str, status: int, code: str, field: str) -> None:
    assert_error(client.get("/api/v1/summary" + query), status, code, field)


def test_summary_accepts_100_posts(client: TestClient) -> None:
    assert len(summary(client, *[f"p{i}" for i in range(100)])) == 100


BAD_VOTES = [
    ({"post": "p", "rating": 0}, "rating"),
    ({"post": "p", "rating": 6}, "rating"),
    ({"post": "p", "rating": "5"}, "rating"),
    ({"post": "p", "rating": 4.5}, "rating"),
    ({"post": "p", "rating": None}, "rating"),
    ({"rating": 4}, "post"),
    ({"post": ["p"], "rating": 4}, "post"),
    ({"post": "p", "rating": 4, "voter": "short"}, "voter"),
    ({"post": "p", "rating": 4, "site": "UPPER"}, "site"),
    ({"post": "p", "rating": 4, "url": "ftp://x"}, "url"),
    ({"post": "p", "rating": 4, "title": "t" * 301}, "title"),
]


@pytest.mark.parametrize(("body", "field"), BAD_VOTES)
def test_invalid_votes_are_refused_and_change_nothing(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    payload = {"voter": voter(), **body}
    assert_error(client.post(VOTES, json=payload), 422, "invalid_field", field)
    assert summary(client, "p")[0]["count"] == 0


def test_malformed_and_wrong_type_bodies(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert_error(client.post(VOTES, content=b"{not json", headers=headers), 400, "malformed_json")
    assert_error(client.post(VOTES, content=b"[1, 2]", headers=headers), 400, "malformed_json")
    assert_error(client.post(VOTES, content=b"\xff\xfe", headers=headers), 400, "malformed_json")
    assert_error(client.post(VOTES, content=b"[" * 100000, headers=headers), 413, "body_too_large")
    assert_error(
        client.post(VOTES, content=b'{"post":"p"}', headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
    )
    assert_error(client.post(VOTES, content=b'{"post":"p"}'), 415, "unsupported_media_type")
    assert summary(client, "p")[0]["count"] == 0


def test_body_limit_is_checked_before_parsing(client: TestClient) -> None:
    huge = json.dumps({"post": "p", "rating": 4, "voter": voter(), "title": "x" * 20000})
    response = client.post(VOTES, content=huge, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "body_too_large")

    def chunks() -> Any:  # no Content-Length: the limit holds while streaming
        for _ in range(40):
            yield b" " * 1000

    streamed = client.post(VOTES, content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(streamed, 413, "body_too_large")


def test_deeply_nested_json_is_a_client_error(client: TestClient) -> None:
    nested = b"[" * 5000 + b"]" * 5000
    response = client.post(VOTES, content=nested, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 413)
    assert "error" in response.json()


def test_unknown_site_vote_is_404(client: TestClient) -> None:
    response = vote(client, "p", 4, voter(), site="nowhere")
    assert_error(response, 404, "not_found", "site")


def test_method_and_route_errors(client: TestClient) -> None:
    assert_error(client.put(VOTES, json={}), 405, "method_not_allowed")
    assert_error(client.get(VOTES), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/nothing"), 404, "not_found")
    assert_error(client.post("/api/v1/summary"), 405, "method_not_allowed")


def test_feedback_is_stored(client: TestClient) -> None:
    body = {
        "post": "p",
        "voter": voter(),
        "text": "More diagrams, please.",
        "rating": 2,
        "reason": "unclear",
        "lang": "sk",
    }
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == 201
    assert response.json()["status"] == "received"
    assert isinstance(response.json()["id"], int)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": 5}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "ok", "reason": "made-up"}, "reason"),
        ({"text": "ok", "rating": 9}, "rating"),
        ({"text": "ok", "lang": "not a tag"}, "lang"),
        ({"text": "ok", "open_ms": "soon"}, "open_ms"),
    ],
)
def test_invalid_feedback(client: TestClient, body: dict[str, Any], field: str) -> None:
    payload = {"post": "p", "voter": voter(), **body}
    assert_error(client.post("/api/v1/feedback", json=payload), 422, "invalid_field", field)


def test_cors_for_open_site_and_preflight(client: TestClient) -> None:
    origin = "https://blog.example"
    response = client.get("/api/v1/summary?post=a", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    preflight = client.options(
        VOTES,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert int(preflight.headers["access-control-max-age"]) >= 3600


def test_restricted_site_refuses_other_origins(client: TestClient) -> None:
    from widget.actions import authoring

    services = client.app.state.services  # type: ignore[attr-defined]
    site = services.sites["default"]
    restricted = type(site)(site.slug, site.name, ("https://blog.example",), site.settings)
    client.portal.call(authoring.save_site, services, "admin", restricted)  # type: ignore[union-attr]
    evil = {"Origin": "https://evil.example"}
    response = client.post(VOTES, json={"post": "p", "rating": 5, "voter": voter()}, headers=evil)
    assert_error(response, 403, "origin_not_allowed")
    # A refused page may read why (the widget tells its owner in the console), not the numbers.
    read = client.get("/api/v1/summary?post=p", headers=evil)
    assert_error(read, 403, "origin_not_allowed")
    assert read.headers["access-control-allow-origin"] == "https://evil.example"
    assert "https://evil.example" in read.json()["error"]["message"]
    assert summary(client, "p")[0]["count"] == 0
    ok = client.post(
        VOTES,
        json={"post": "p", "rating": 5, "voter": voter()},
        headers={"Origin": "https://blog.example"},
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://blog.example"


def test_health_ready_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    vote(client, "m", 3, voter())
    text = metrics_text(client)
    assert 'widget_votes_total{action="cast"} 1.0' in text
    assert "widget_writer_batch_size_count" in text
    assert 'widget_requests_total{method="POST",path="/api/v1/votes",status="200"}' in text


def test_every_response_is_nosniff(client: TestClient) -> None:
    for path in ["/healthz", "/api/v1/summary?post=a", "/nowhere", "/embed.js"]:
        assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_embed_js_is_served(client: TestClient) -> None:
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "data-rating-widget" in response.text


@pytest.mark.sqlite_only  # reads the file; tests/test_postgres_store.py checks PostgreSQL's
def test_voter_tokens_are_not_stored(client: TestClient, settings: Any) -> None:
    token = voter()
    vote(client, "p", 4, token)
    client.post("/api/v1/feedback", json={"post": "p", "voter": token, "text": "hi"})
    client.get("/readyz")  # one more commit through the writer
    import sqlite3

    conn = sqlite3.connect(settings.db)
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert token not in dump
