"""Logging set-up: human text or one JSON object per line."""

from __future__ import annotations

import json
import logging
import logging.config
import time
from collections.abc import Callable, Mapping
from typing import Any

from widget.guard.addresses import mask_address
from widget.log_text import printable


class TextFormatter(logging.Formatter):
    """The text format, with each message made printable (tracebacks keep their lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


ACCESS_LOGGERS = ("uvicorn.access", "granian.access")


class MaskAddresses(logging.Filter):
    """Cuts the client address of access log lines to its network (WIDGET_ANONYMIZE_LOGS).

    uvicorn logs `(client_addr, method, path, version, status)`, Granian a dict with `addr`;
    both are rewritten before any handler formats them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            record.args = (mask_address(args[0]), *args[1:])
        elif isinstance(args, Mapping):
            address = args.get("addr")
            if isinstance(address, str):
                record.args = {**args, "addr": mask_address(address)}
        return True


def anonymize_access_logs() -> Callable[[], None]:
    """Install the mask on the servers' access loggers; return what removes it again."""
    mask = MaskAddresses()
    for name in ACCESS_LOGGERS:
        logging.getLogger(name).addFilter(mask)

    def remove() -> None:
        for name in ACCESS_LOGGERS:
            logging.getLogger(name).removeFilter(mask)

    return remove


def configure(log_format: str, level: int = logging.INFO) -> dict[str, Any]:
    """Configure our loggers and return a config dict uvicorn can take as `log_config`."""
    formatter: dict[str, Any] = (
        {"()": JSONFormatter}
        if log_format == "json"
        else {"()": TextFormatter, "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "main"}},
        "loggers": {
            "widget": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
    logging.config.dictConfig(config)
    return config
