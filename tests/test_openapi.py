"""The OpenAPI document is valid and covers every API route the app serves."""

from __future__ import annotations

from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient


def test_document_is_valid_openapi(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)


def test_every_api_route_is_described(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    served = {
        (route.path, method.lower())
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path.startswith("/api/")
        for method in (route.methods or ())
        if method not in ("HEAD", "OPTIONS")
    }
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert served == described
