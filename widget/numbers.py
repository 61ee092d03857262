"""The one parser for whole numbers that arrive as text in a request (forms, queries, headers).

Python's own checks let too much through: `"²".isdigit()` is true but `int("²")` raises,
`int("٣")` is 3 (Arabic-Indic digits), `int(" 3")` strips the spaces, and a 5,000-digit string
passes every check until int() refuses it for Python's 4,300-digit limit. Each of these was a
500 or a silently accepted value somewhere. So a number here is ASCII digits only, with a
leading minus only where the range allows negatives, and at most MAX_DIGITS of them: anything
else is refused before int() sees it, and the value must lie in the caller's range.
"""

from __future__ import annotations

from widget.errors import InvalidField

# Twelve digits hold every id, page, count and byte size we take, and keep int() trivial.
MAX_DIGITS = 12
MAX_ID: int = 10**MAX_DIGITS - 1  # a database row id (feedback, author) as a request names it
MAX_COUNT: int = 10**9  # a count a filter may ask for ("at least N votes")
_DIGITS = frozenset("0123456789")


def whole_number(raw: str | None, *, negative: bool = False) -> int | None:
    """`raw` as an int if it is ASCII digits (and a leading '-' when `negative`), else None."""
    if raw is None:
        return None
    digits = raw[1:] if negative and raw.startswith("-") else raw
    if not digits or len(digits) > MAX_DIGITS or not _DIGITS.issuperset(digits):
        return None
    return int(raw)


def declared_size(raw: str | None) -> int:
    """A Content-Length as a request states it, for refusing a body before reading it: 0 when
    absent or unreadable (the count while reading holds the limit then), and longer than
    MAX_DIGITS is more than any limit here."""
    if raw is not None and len(raw) > MAX_DIGITS:
        return MAX_ID + 1
    return whole_number(raw) or 0


def parse_int(
    raw: str | None,
    *,
    field: str,
    low: int,
    high: int,
    default: int | None = None,
    message: str | None = None,
) -> int:
    """A whole number from `low` to `high` written in `raw`.

    With a `default` the parameter is optional: left out, empty or unreadable, it is the
    default (a pager's `page=abc` shows the first page). Without one, anything but a number in
    range raises InvalidField (422) naming `field`, with `message` or an English sentence.
    """
    value = whole_number(raw, negative=low < 0)
    if value is not None and low <= value <= high:
        return value
    if default is not None:
        return default
    raise InvalidField(field, message or f"{field} must be a whole number from {low} to {high}")
