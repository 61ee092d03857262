"""Typed errors. Each carries what the client sees; app.py turns them into the envelope."""

from __future__ import annotations


class WidgetError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def headers(self) -> dict[str, str]:
        return {}

    def envelope(self) -> dict[str, dict[str, str]]:
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


class MalformedJSON(WidgetError):
    status = 400
    code = "malformed_json"


class MalformedBody(WidgetError):
    """The body did not arrive whole: a broken chunked encoding, or the connection closed."""

    status = 400
    code = "malformed_body"
    MESSAGE = "the body could not be read whole (broken chunked encoding or connection closed)"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


class Unauthorized(WidgetError):
    status = 401
    code = "unauthorized"


class Forbidden(WidgetError):
    status = 403
    code = "forbidden"


class OriginNotAllowed(WidgetError):
    status = 403
    code = "origin_not_allowed"


class NotFound(WidgetError):
    status = 404
    code = "not_found"


class MethodNotAllowed(WidgetError):
    status = 405
    code = "method_not_allowed"


class BodyTooLarge(WidgetError):
    status = 413
    code = "body_too_large"


class UnsupportedMediaType(WidgetError):
    status = 415
    code = "unsupported_media_type"


class InvalidField(WidgetError):
    status = 422
    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class RateLimited(WidgetError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(WidgetError):
    status = 503
    code = "unavailable"
    retry_after: int | None = None  # set when the cause passes by itself (a database restart)

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class ConfigError(Exception):
    """A setting that cannot be used; reported by the CLI before anything starts."""
