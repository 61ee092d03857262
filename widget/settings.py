"""Every setting of the service, declared once.

Each field names its environment variable and documents itself; the README's configuration
table is checked against this list by the test suite. CLI flags override the environment.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from widget.errors import ConfigError

PROXY_HEADERS = ("x-forwarded-for", "forwarded")  # widget/guard/addresses.py reads them


def _setting(default: Any, env: str, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "WIDGET_HOST", "Address to listen on.")
    port: int = _setting(8000, "WIDGET_PORT", "TCP port to listen on.")
    db: str = _setting(
        "./widget.db",
        "WIDGET_DB",
        "Path of the SQLite database file, or a `postgresql://user:password@host:port/dbname`"
        " URL for PostgreSQL (several instances on one database).",
    )
    public_url: str = _setting(
        "", "WIDGET_PUBLIC_URL", "Public base URL (used in embed code and setup links)."
    )
    secret_key: str = _setting(
        "",
        "WIDGET_SECRET_KEY",
        "Key for voter hashes and sessions; when empty, generated once and kept in the database.",
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "WIDGET_TRUSTED_PROXIES",
        "Comma-separated CIDRs whose proxy header (WIDGET_PROXY_HEADER) is believed; empty trusts"
        " none.",
    )
    proxy_header: str = _setting(
        "x-forwarded-for",
        "WIDGET_PROXY_HEADER",
        "The one header trusted proxies write the client into: `x-forwarded-for` or `forwarded`"
        " (RFC 7239); the other is ignored.",
    )
    sync: str = _setting(
        "full", "WIDGET_SYNC", "SQLite synchronous mode: `full` (durable) or `normal`."
    )
    log_format: str = _setting("text", "WIDGET_LOG_FORMAT", "Log format: `text` or `json`.")
    access_log: bool = _setting(True, "WIDGET_ACCESS_LOG", "Log one line per request.")
    metrics_token: str = _setting(
        "",
        "WIDGET_METRICS_TOKEN",
        "Bearer token /metrics asks for; when empty, /metrics answers only direct requests from"
        " loopback.",
    )
    server: str = _setting(
        "granian", "WIDGET_SERVER", "ASGI server: `granian` (faster, see bench/) or `uvicorn`."
    )
    demo: bool = _setting(False, "WIDGET_DEMO", "Also serve the demo article at /demo.")
    max_body_bytes: int = _setting(
        16384, "WIDGET_MAX_BODY_BYTES", "Largest accepted API request body, in bytes."
    )
    summary_max_age: int = _setting(
        10, "WIDGET_SUMMARY_MAX_AGE", "Seconds browsers may cache a summary (Cache-Control)."
    )
    cache_size: int = _setting(
        200_000, "WIDGET_CACHE_SIZE", "Most post summaries kept in the in-process cache."
    )
    writer_batch: int = _setting(
        512, "WIDGET_WRITER_BATCH", "Most writes committed together in one transaction."
    )
    # Abuse control and privacy (widget/guard); SECURITY.md explains the defaults.
    vote_burst: int = _setting(
        30,
        "WIDGET_VOTE_BURST",
        "Votes, withdrawals and forgets one address may send at once; 0 = no limit.",
    )
    vote_per_minute: int = _setting(
        30, "WIDGET_VOTE_PER_MINUTE", "Votes per minute per address after the burst."
    )
    feedback_burst: int = _setting(
        10, "WIDGET_FEEDBACK_BURST", "Feedback messages one address may send at once."
    )
    feedback_per_minute: int = _setting(
        5, "WIDGET_FEEDBACK_PER_MINUTE", "Feedback per minute per address after the burst."
    )
    summary_burst: int = _setting(
        600, "WIDGET_SUMMARY_BURST", "Summary reads one address may send at once; 0 = no limit."
    )
    summary_per_minute: int = _setting(
        600, "WIDGET_SUMMARY_PER_MINUTE", "Summary reads per minute per address after the burst."
    )
    daily_votes_per_post: int = _setting(
        50,
        "WIDGET_DAILY_VOTES_PER_POST",
        "New votes accepted per post per address per UTC day; 0 = no cap.",
    )
    limiter_keys: int = _setting(
        20_000, "WIDGET_LIMITER_KEYS", "Most addresses each rate limit remembers (bounds memory)."
    )
    feedback_min_open_ms: int = _setting(
        2500,
        "WIDGET_FEEDBACK_MIN_OPEN_MS",
        "Feedback sent sooner after the form opened scores as likely spam (milliseconds).",
    )
    feedback_max_links: int = _setting(
        2, "WIDGET_FEEDBACK_MAX_LINKS", "Links in one feedback text before it scores as spam."
    )
    akismet_key: str = _setting(
        "", "WIDGET_AKISMET_KEY", "Akismet API key; when set, feedback is also checked there."
    )
    akismet_url: str = _setting(
        "https://rest.akismet.com/1.1", "WIDGET_AKISMET_URL", "Base URL of the Akismet API."
    )
    retention_days: int = _setting(
        365,
        "WIDGET_RETENTION_DAYS",
        "Per-reader detail older than this is purged daily, aggregates kept; 0 = keep forever.",
    )
    anonymize_logs: bool = _setting(
        True, "WIDGET_ANONYMIZE_LOGS", "Access logs show addresses cut to /24 (IPv4) or /48."
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read WIDGET_* variables, then apply overrides whose value is not None."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _parse(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.sync not in ("full", "normal"):
            raise ConfigError("WIDGET_SYNC must be `full` or `normal`")
        if self.log_format not in ("text", "json"):
            raise ConfigError("WIDGET_LOG_FORMAT must be `text` or `json`")
        if self.proxy_header.lower() not in PROXY_HEADERS:  # header names know no case
            raise ConfigError("WIDGET_PROXY_HEADER must be `x-forwarded-for` or `forwarded`")
        if self.server not in ("uvicorn", "granian"):
            raise ConfigError("WIDGET_SERVER must be `uvicorn` or `granian`")
        if not 0 < self.port < 65536:
            raise ConfigError("WIDGET_PORT must be between 1 and 65535")
        for name in ("vote", "feedback", "summary"):
            burst, per_minute = getattr(self, f"{name}_burst"), getattr(self, f"{name}_per_minute")
            if burst < 0 or per_minute < 0 or (burst > 0 and per_minute == 0):
                raise ConfigError(
                    f"WIDGET_{name.upper()}_BURST and _PER_MINUTE must be positive"
                    " (a burst of 0 turns the limit off)"
                )
        if self.daily_votes_per_post < 0 or self.retention_days < 0 or self.limiter_keys < 2:
            raise ConfigError(
                "WIDGET_DAILY_VOTES_PER_POST and WIDGET_RETENTION_DAYS must not be negative,"
                " WIDGET_LIMITER_KEYS at least 2"
            )
        for name in ("cache_size", "writer_batch", "max_body_bytes"):
            if getattr(self, name) < 1:  # an empty cache or batch cannot hold the one it needs
                raise ConfigError(f"WIDGET_{name.upper()} must be at least 1")
        if self.summary_max_age < 0:
            raise ConfigError("WIDGET_SUMMARY_MAX_AGE must not be negative")
        if not self.akismet_url.startswith(("https://", "http://")):
            raise ConfigError("WIDGET_AKISMET_URL must be an http or https URL")
        for cidr in self.trusted_proxies:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ConfigError(f"WIDGET_TRUSTED_PROXIES: {cidr!r} is not a CIDR") from exc

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def documented_settings() -> list[tuple[str, str, str]]:
    """(env var, default, doc) for every setting, in declaration order."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        rows.append((f.metadata["env"], shown, f.metadata["doc"]))
    return rows


def _parse(f: dataclasses.Field[Any], raw: str) -> Any:
    kind: type = type(f.default)
    try:
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return lowered in ("1", "true", "yes", "on")
        if kind is int:
            return int(raw)
        if kind is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{f.metadata['env']}: cannot read {raw!r}") from exc
    return raw
