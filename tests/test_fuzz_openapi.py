"""The API fuzzed from its own OpenAPI description: no server error, every answer as described.

Schemathesis generates requests from /api/v1/openapi.json (valid ones and, in the negative
phase, ones that break the schema on purpose); each goes to create_app() through a TestClient
whose lifespan runs (writer, cache, guard), and each response is checked against the document:
status code listed, content type, body schema, and never a 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from starlette.testclient import TestClient

from tests.conftest import NO_LIMITS
from widget.http.api.openapi import openapi_document
from widget.runtime.app import create_app
from widget.settings import Settings

schema = schemathesis.openapi.from_dict(openapi_document())
# Two checks hold the API to rules it does not have on purpose: texts are cleaned before they
# are measured (controls dropped, spaces trimmed, so a 201-character post ending in a space is
# fine) and empty optional fields mean "none"; and a schema-valid `reason` is refused when the
# site does not offer it (reasons are per site). Every other check runs: no 5xx, status codes
# and content types as documented, bodies and headers matching their schemas.
LENIENT_BY_DESIGN = [
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
]
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    app_settings = Settings(db=str(db), secret_key="fuzz", access_log=False, **NO_LIMITS)
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as client:
        yield client


def send(client: TestClient, case: Any) -> Any:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif isinstance(kwargs.get("data"), bytes | str):
        body["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        body["data"] = kwargs["data"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),  # no cookies: the API has none to send
        **body,
    )


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_matches_its_openapi_description(case: Any, fuzzed: TestClient) -> None:
    response = send(fuzzed, case)
    assert response.status_code < 500, (case.method, case.path, response.text)
    case.validate_response(response, excluded_checks=LENIENT_BY_DESIGN)


@pytest.fixture(scope="module")
def fuzzed_with_limits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The shipped limits, tiny enough to be reached: every 429 must match the document too."""
    db = Path(tmp_path_factory.mktemp("fuzz-limits")) / "fuzz.db"
    app_settings = Settings(
        db=str(db),
        secret_key="fuzz",
        access_log=False,
        vote_burst=3,
        feedback_burst=2,
        summary_burst=3,
        daily_votes_per_post=2,
    )
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as client:
        yield client


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_rate_limited_answers_match_the_description(
    case: Any, fuzzed_with_limits: TestClient
) -> None:
    response = send(fuzzed_with_limits, case)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code == 429:
        assert int(response.headers["Retry-After"]) >= 1
    case.validate_response(response, excluded_checks=LENIENT_BY_DESIGN)
