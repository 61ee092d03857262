"""The access log: one line per request, written in batches by the app itself.

The servers' own access logs go through `logging` line by line: a LogRecord, a formatter with
a strftime, a filter and a write to stderr for every request; that took a quarter of the time
of a summary read (see bench/results.md). Here a line is one string format into a list, and
the list goes to stderr in one write every FLUSH_SECONDS (or every FLUSH_LINES lines), and at
shutdown. A crash can lose at most the last FLUSH_SECONDS of access lines, never a vote.

The lines keep the format of the service's other log lines (text or JSON, WIDGET_LOG_FORMAT),
and with WIDGET_ANONYMIZE_LOGS the address is cut to its network as in logs.MaskAddresses.
Every field is escaped with logs.printable: no request can start a line or fake a field.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import TextIO

from widget.guard.addresses import mask_address
from widget.log_text import printable

FLUSH_SECONDS = 0.5
FLUSH_LINES = 512
LOGGER_NAME = "widget.access"
_MASK_CACHE_MAX = 4096


class AccessLog:
    def __init__(
        self,
        log_format: str = "text",
        anonymize: bool = True,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._json = log_format == "json"
        self._anonymize = anonymize
        self._stream = stream
        self._clock = clock
        self._lines: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._second = -1
        self._stamp = ""
        self._masked: dict[str, str] = {}

    def record(self, client: str, request_line: str, status: int, seconds: float) -> None:
        now = self._clock()
        if int(now) != self._second:
            self._second = int(now)
            self._stamp = time.strftime(
                "%Y-%m-%dT%H:%M:%S" if self._json else "%Y-%m-%d %H:%M:%S", time.gmtime(now)
            )
        millis = int(now * 1000) % 1000
        address = self._mask(client) if self._anonymize else printable(client)
        # The request line holds the percent-decoded path: escaped, in both formats, so the
        # message reads the same in either and no client writes a line of its own.
        line_text = printable(request_line, quote=True)
        message = f'{address} - "{line_text}" {status} {seconds * 1000:.2f}ms'
        if self._json:
            line = json.dumps(
                {
                    "time": f"{self._stamp}.{millis:03d}Z",
                    "level": "info",
                    "logger": LOGGER_NAME,
                    "message": message,
                },
                ensure_ascii=False,
            )
        else:
            line = f"{self._stamp},{millis:03d} INFO {LOGGER_NAME}: {message}"
        self._lines.append(line)
        if len(self._lines) >= FLUSH_LINES:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop (a plain call): write at once
                self.flush()
                return
            self._timer = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._lines:
            return
        text = "\n".join(self._lines) + "\n"
        self._lines.clear()
        stream = self._stream or sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop serving
            pass

    def _mask(self, client: str) -> str:
        found = self._masked.get(client)
        if found is None:
            if len(self._masked) >= _MASK_CACHE_MAX:
                self._masked.clear()
            found = self._masked[client] = mask_address(client)
        return found
