"""The one Jinja2 environment (autoescaped) and content-hashed static URLs."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # widget/: templates/ and static/
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def static_dir() -> Path:
    """In a wheel the static files sit inside the package; in a checkout, beside it."""
    packaged = PACKAGE_DIR / "static"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "static"


@cache
def static_hash(name: str) -> str:
    return hashlib.sha256((static_dir() / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """A versioned URL: the file can be cached for a year and still never be stale."""
    return f"/static/{name}?v={static_hash(name)}"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return env
