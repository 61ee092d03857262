"""Review: the votes fast path (fastpath.FastPaths, api_votes.VotesEndpoint) as a client meets
it: envelopes, metrics counted once, lengths, 405, caps over HTTP, crashes, access log, 499."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS, metrics_text, voter
from widget import store
from widget.http.fastpath import FastPaths
from widget.models import Site
from widget.runtime.app import create_app
from widget.settings import Settings
from widget.store.sqlite import vote_batch
from widget.store.sqlite.writer import open_database

VOTES = "/api/v1/votes"


# --- the fast path over HTTP ----------------------------------------------------------------------


BLOG = "https://blog.example"


def _counter(client: TestClient, series: str) -> float:
    text = metrics_text(client)
    found = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _request_series(status: int, method: str = "POST") -> str:
    return f'widget_requests_total{{method="{method}",path="{VOTES}",status="{status}"}}'


def _assert_envelope(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["error"]["code"] == code


def test_the_app_answers_votes_before_its_middleware(client: TestClient) -> None:
    client.get("/healthz")  # the stack is built on the first request
    assert isinstance(client.app.middleware_stack, FastPaths)  # type: ignore[attr-defined]


def test_each_vote_answer_is_counted_once_with_a_true_length(client: TestClient) -> None:
    """The fast path counts itself; MetricsMiddleware must not count the same request again."""
    cast = _counter(client, 'widget_votes_total{action="cast"}')
    stored = client.post(VOTES, json={"post": "m", "rating": 4, "voter": voter()})
    assert stored.status_code == 200
    assert int(stored.headers["content-length"]) == len(stored.content)
    assert stored.headers["x-content-type-options"] == "nosniff"
    assert stored.json()["your_vote"] == 4
    bad = client.post(VOTES, json={"post": "m", "rating": 9, "voter": voter()})
    _assert_envelope(bad, 422, "invalid_field")
    assert _counter(client, _request_series(200)) == 1
    assert _counter(client, _request_series(422)) == 1
    assert _counter(client, 'widget_votes_total{action="cast"}') == cast + 1


def test_get_on_votes_is_a_405_envelope_naming_the_methods(client: TestClient) -> None:
    response = client.get(VOTES)
    _assert_envelope(response, 405, "method_not_allowed")
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"POST", "DELETE"} <= allowed


@pytest.fixture
def capped_client(tmp_path: Path) -> Iterator[TestClient]:
    """A site for BLOG and a daily cap of one new vote per post and address."""
    limits: dict[str, Any] = {**NO_LIMITS, "daily_votes_per_post": 1}
    settings = Settings(
        db=str(tmp_path / "capped.db"), secret_key="test-secret", access_log=False, **limits
    )
    conn = open_database(settings.db)
    store.save_site(conn, Site(slug="blog", name="Blog", origins=(BLOG,)))
    conn.close()
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_capped_vote_is_a_429_an_allowed_page_can_read(capped_client: TestClient) -> None:
    body = {"site": "blog", "post": "p", "rating": 5}
    first = capped_client.post(VOTES, json={**body, "voter": voter()}, headers={"Origin": BLOG})
    assert first.status_code == 200
    refused = capped_client.post(VOTES, json={**body, "voter": voter()}, headers={"Origin": BLOG})
    _assert_envelope(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["access-control-allow-origin"] == BLOG
    assert refused.headers["access-control-expose-headers"] == "Retry-After"
    foreign = capped_client.post(
        VOTES, json={**body, "voter": voter()}, headers={"Origin": "https://evil.example"}
    )
    _assert_envelope(foreign, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in foreign.headers
    read = capped_client.get("/api/v1/summary?site=blog&post=p").json()["posts"][0]
    assert read["count"] == 1


def test_a_crash_in_the_endpoint_is_a_logged_500_and_serving_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """TestClient re-raises what reaches Starlette's error middleware: an answer at all shows
    the fast path caught it."""
    svc = client.app.state.services  # type: ignore[attr-defined]

    def broken(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(svc.guard, "vote_cap", broken)
    with caplog.at_level(logging.ERROR, logger="widget"):
        crashed = client.post(VOTES, json={"post": "x", "rating": 3, "voter": voter()})
    _assert_envelope(crashed, 500, "internal_error")
    assert "a bug" not in crashed.text
    assert any("unhandled error on POST /api/v1/votes" in r.getMessage() for r in caplog.records)
    assert _counter(client, _request_series(500)) == 1
    monkeypatch.undo()
    assert client.post(VOTES, json={"post": "x", "rating": 3, "voter": voter()}).status_code == 200


def test_a_crash_inside_the_write_fails_that_vote_only(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the store")

    monkeypatch.setattr(vote_batch, "record_votes", broken)
    monkeypatch.setattr(vote_batch, "record_vote", broken)
    with caplog.at_level(logging.ERROR, logger="widget.db"):
        crashed = client.post(VOTES, json={"post": "y", "rating": 2, "voter": voter()})
    _assert_envelope(crashed, 503, "unavailable")
    assert any(r.exc_info for r in caplog.records)
    monkeypatch.undo()
    ok = client.post(VOTES, json={"post": "y", "rating": 2, "voter": voter()})
    assert ok.status_code == 200 and ok.json()["count"] == 1


def test_votes_and_withdrawals_are_logged_and_counted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limits: dict[str, Any] = dict(NO_LIMITS)
    settings = Settings(db=str(tmp_path / "log.db"), secret_key="k", access_log=True, **limits)
    reader = voter()
    with TestClient(create_app(settings)) as client:
        assert client.post(VOTES, json={"post": "l", "rating": 5, "voter": reader}).is_success
        gone = client.request("DELETE", VOTES, json={"post": "l", "voter": reader})
        assert gone.status_code == 200 and gone.json()["your_vote"] is None
        assert client.post(VOTES, content=b"{", headers={"Content-Type": "application/json"})
        assert _counter(client, 'widget_votes_total{action="withdrawn"}') == 1
        assert _counter(client, _request_series(200, "DELETE")) == 1
        assert _counter(client, _request_series(400)) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "widget.access" in line]
    votes = [line for line in lines if "/api/v1/votes" in line]
    assert len(votes) == 3
    assert '"POST /api/v1/votes HTTP/1.1" 200' in votes[0]
    assert '"DELETE /api/v1/votes HTTP/1.1" 200' in votes[1]
    assert '"POST /api/v1/votes HTTP/1.1" 400' in votes[2]


def test_a_body_that_never_arrives_counts_as_499_and_is_answered_in_the_envelope(
    client: TestClient,
) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": VOTES,
        "raw_path": VOTES.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    client.portal.call(client.app, scope, receive, send)  # type: ignore[union-attr]
    # A server cannot tell a reader who left from a broken body: both answer http.disconnect.
    # The answer is dropped for one and is the envelope for the other (not Granian's bare 500).
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"]["code"] == "malformed_body"
    assert _counter(client, _request_series(499)) == 1
    assert client.post(VOTES, json={"post": "d", "rating": 1, "voter": voter()}).is_success
