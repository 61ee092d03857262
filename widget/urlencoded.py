"""Query strings and urlencoded form bodies read as UTF-8 strictly.

urllib (and so Starlette's query_params) decodes a percent-escape that is not UTF-8 into U+FFFD:
`post=bad-%ED%A0%80` (the UTF-8-shaped bytes of a UTF-16 surrogate, invalid per RFC 3629) reads
as "bad-\ufffd\ufffd\ufffd", so bytes no browser sends become an id that is stored or looked up.
Here such a value is refused with a 422 naming its field instead, as the JSON API refuses the
same bytes in a body (models.clean_text).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from widget.errors import InvalidField

NAME_SHOWN = 40  # of an undecodable field name, in the refusal


def pairs(raw: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of `a=1&b=2`, in order; `b` alone is ("b", "")."""
    found = []
    for piece in raw.split(b"&"):
        if not piece:
            continue
        name_bytes, _, value_bytes = piece.partition(b"=")
        name = _decode(name_bytes, None)
        found.append((name, _decode(value_bytes, name)))
    return found


def check_query(raw: bytes) -> None:
    """Refuse a query string with a value that is not UTF-8 (others pass without a copy)."""
    if b"%" in raw or not raw.isascii():
        pairs(raw)


def _decode(raw: bytes, field: str | None) -> str:
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        name = field if field is not None else data.decode("utf-8", "replace")[:NAME_SHOWN]
        raise InvalidField(name, f"{name} is not valid UTF-8 text") from None
