"""The README is the manual: every setting and every command must be in it."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from widget.cli import cli
from widget.settings import Settings, documented_settings

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [env for env, _, _ in documented_settings() if f"`{env}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    missing = [name for name in cli.commands if not re.search(rf"`{name}[ `]", README)]
    assert missing == []


def test_every_documented_setting_exists() -> None:
    known = {env for env, _, _ in documented_settings()}
    mentioned = set(re.findall(r"`(WIDGET_[A-Z_]+)`", README))
    assert mentioned - known == set()


def test_defaults_in_readme_match_code() -> None:
    for env, default, _ in documented_settings():
        row = re.search(rf"^\| `{env}` \| ([^|]+) \|", README, re.MULTILINE)
        assert row, env
        shown = row.group(1).strip().strip("`")
        if default in ("", "True", "False"):
            continue  # shown as words: (empty), true, false
        assert shown == default, env


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
    assert Settings().db == "./widget.db"
