"""The public JSON API, /api/v1, with the votes fast path and its OpenAPI."""
