"""Repeated summary reads answered before the router must be the same answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import metrics_text, voter
from widget.runtime.app import create_app
from widget.settings import Settings

URL = "/api/v1/summary?post=a&post=b"
ORIGIN = {"Origin": "https://blog.example"}

pytestmark = pytest.mark.backends  # every test here runs on SQLite and on PostgreSQL


def reads(client: TestClient) -> int:
    metrics = metrics_text(client)
    line = next(
        row
        for row in metrics.splitlines()
        if row.startswith("widget_requests_total{")
        and 'path="/api/v1/summary"' in row
        and 'status="200"' in row
    )
    return int(float(line.rsplit(" ", 1)[1]))


def test_repeated_read_is_the_same_answer(client: TestClient) -> None:
    first = client.get(URL, headers=ORIGIN)
    second = client.get(URL, headers=ORIGIN)  # served by the fast path
    assert second.status_code == 200
    assert second.content == first.content
    for name in ("etag", "cache-control", "content-type", "vary", "x-content-type-options"):
        assert second.headers[name] == first.headers[name]
    assert second.headers["access-control-allow-origin"] == "https://blog.example"
    assert reads(client) == 2  # still counted in the metrics


def test_a_vote_changes_the_repeated_answer(client: TestClient) -> None:
    client.get(URL)
    before = client.get(URL).json()["posts"][0]["count"]
    client.post("/api/v1/votes", json={"post": "a", "rating": 5, "voter": voter()})
    after = client.get(URL).json()["posts"][0]
    assert (before, after["count"], after["average"]) == (0, 1, 5.0)


def test_conditional_read_still_gets_304(client: TestClient) -> None:
    etag = client.get(URL).headers["etag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304


def test_read_limit_holds_on_repeated_reads(settings: Settings) -> None:
    limited = settings.replace(summary_burst=3, summary_per_minute=1)
    with TestClient(create_app(limited)) as client:
        statuses = [client.get(URL).status_code for _ in range(5)]
        refused = client.get(URL)
    assert statuses == [200, 200, 200, 429, 429]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1


def test_site_totals_are_kept_only_until_the_next_write(client: TestClient) -> None:
    svc = client.app.state.services  # type: ignore[attr-defined]
    portal = client.portal
    assert portal is not None
    for _ in range(20):  # background work (salts, other-writer checks) also runs batches
        written = svc.store.writes
        first = portal.call(svc.site_stats, "default")
        again = portal.call(svc.site_stats, "default")
        if svc.store.writes == written:
            assert again is first  # nothing written meanwhile: the kept answer
            break
    else:
        pytest.fail("the writer was never idle between two reads")
    client.post("/api/v1/votes", json={"post": "a", "rating": 4, "voter": voter()})
    after = portal.call(svc.site_stats, "default")
    assert after is not first
    assert (after.votes, after.total) == (first.votes + 1, first.total + 4)


@pytest.mark.parametrize("declared", ["²", "٣", "-1", "1e3", ""])
async def test_an_odd_content_length_is_not_trusted_and_not_a_crash(declared: str) -> None:
    """Only ASCII digits count as a declared size ("²".isdigit() is true, int("²") fails);
    anything else is ignored and the size is enforced while reading."""
    from widget.errors import BodyTooLarge
    from widget.http.api.plumbing import receive_json

    async def small() -> dict[str, object]:
        return {"type": "http.request", "body": b'{"a": 1}', "more_body": False}

    async def large() -> dict[str, object]:
        return {"type": "http.request", "body": b'{"a": "' + b"x" * 100 + b'"}'}

    assert await receive_json(small, "application/json", declared, 64) == {"a": 1}
    with pytest.raises(BodyTooLarge):
        await receive_json(large, "application/json", declared, 64)


@examples(max_examples=300, deadline=None)
@given(
    site=st.text(),
    post=st.text(),
    counts=st.lists(st.integers(0, 10**9), min_size=5, max_size=5),
    mine=st.none() | st.integers(1, 5),
)
def test_the_vote_answer_is_the_json_the_encoder_writes(
    site: str, post: str, counts: list[int], mine: int | None
) -> None:
    """The hand-built answer of a vote is byte for byte what json.dumps gives, for any text."""
    from widget.http.api.plumbing import dumps
    from widget.http.api.votes import vote_answer
    from widget.models import Summary, VoteResult

    total = sum((i + 1) * n for i, n in enumerate(counts))
    summary = Summary(site, post, sum(counts), total, tuple(counts))  # type: ignore[arg-type]
    expected = dumps({**summary.as_dict(), "your_vote": mine})
    assert vote_answer(VoteResult(summary, mine)) == expected


def test_a_failing_read_check_on_the_fast_path_gets_the_full_paths_envelope(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Say the day's salt cannot be rotated while the service stops: the cached answer is not
    sent, and the reader gets the 503 envelope the full path gives, not a bare server error."""
    from widget.errors import Unavailable

    limited = settings.replace(summary_burst=100, summary_per_minute=100)
    with TestClient(create_app(limited)) as client:
        assert client.get(URL).status_code == 200  # now cached for the fast path
        guard = client.app.state.services.guard  # type: ignore[attr-defined]

        async def unavailable(kind: str, address: str) -> bytes:
            raise Unavailable("the service is shutting down")

        monkeypatch.setattr(guard, "admit", unavailable)
        answer = client.get(URL)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert answer.headers["x-content-type-options"] == "nosniff"
