"""serve_app: what it does around the server it starts."""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import Any

import pytest

from widget.runtime import serve
from widget.settings import Settings


def test_the_loaded_app_is_frozen_out_of_the_collectors_walks(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    served: list[Any] = []
    monkeypatch.setattr(serve, "_serve_uvicorn", lambda app, *_: served.append(app))
    marker = object()
    gc.unfreeze()
    try:
        serve.serve_app(lambda: marker, replace(settings, server="uvicorn"), {})  # type: ignore[arg-type, return-value]
        assert served == [marker]
        assert gc.get_freeze_count() > 0  # the app's objects sit in the permanent generation
    finally:
        gc.unfreeze()
