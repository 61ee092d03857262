"""Text safe to write in a log line, for the access log and every other log message."""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}


def printable(text: str, quote: bool = False) -> str:
    """`text` with nothing that could end a log line: control characters (C0, DEL, C1), line
    and paragraph separators, bidi and other invisible format characters become escapes
    (`\\r`, `\\x1b`, `\\u2028`), and so does backslash, so every escape reads back
    unambiguously; with `quote`, the double quote too, for a field written between quotes.

    A percent-decoded path can hold `%0d%0a`; written raw, the rest of it would be a log line
    of the client's choosing.
    """
    if text.isprintable() and "\\" not in text and not (quote and '"' in text):
        return text  # nearly every line: one C-speed scan
    keep = "" if quote else '"'
    return "".join(
        ch if ch.isprintable() and (ch not in _NAMED or ch == keep) else _escape(ch) for ch in text
    )


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
