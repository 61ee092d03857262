"""After a realistic session, no raw address, token or User-Agent is anywhere on disk."""

from __future__ import annotations

import json
import random
import secrets
from pathlib import Path

from click.testing import CliRunner

from tests.guard_support import client_from, guarded_settings, via_proxy
from widget.cli import cli

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
]


def files_of(db: Path) -> dict[str, bytes]:
    found = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(str(db) + suffix)
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


def assert_absent(blobs: dict[str, bytes], secrets_: set[str]) -> None:
    for name, blob in blobs.items():
        for needle in secrets_:
            for form in {needle.encode(), needle.encode("utf-16-le"), needle.upper().encode()}:
                assert form not in blob, f"{needle!r} found in {name}"


def test_database_and_wal_hold_no_address_token_or_user_agent(tmp_path: Path) -> None:
    rng = random.Random(7)
    settings = guarded_settings(tmp_path)
    db = Path(settings.db)
    tokens = [secrets.token_urlsafe(rng.randint(12, 40)) for _ in range(40)]
    addresses = [f"198.51.100.{n}" for n in range(1, 21)] + [
        f"2001:db8:{n:x}:1::{n + 7:x}" for n in range(1, 11)
    ]
    posts = [f"post-{n}" for n in range(8)]
    with client_from(settings) as client:
        for step in range(300):
            token, address = rng.choice(tokens), rng.choice(addresses)
            headers = via_proxy(address, **{"User-Agent": rng.choice(AGENTS)})
            post = rng.choice(posts)
            action = rng.random()
            if action < 0.6:
                body = {"post": post, "rating": rng.randint(1, 5), "voter": token}
                client.post("/api/v1/votes", json=body, headers=headers)
            elif action < 0.7:
                body = {"post": post, "voter": token}
                client.request("DELETE", "/api/v1/votes", json=body, headers=headers)
            elif action < 0.85:
                body = {
                    "post": post,
                    "voter": token,
                    "text": f"Remark number {step} about this post.",
                    "reason": "unclear",
                    "open_ms": rng.choice([800, 6000]),
                    "hp": rng.choice(["", "", "bot"]),
                }
                client.post("/api/v1/feedback", json=body, headers=headers)
            else:
                client.get(f"/api/v1/summary?post={post}", headers=headers)
        client.post("/api/v1/forget", json={"voter": tokens[0]})
        while_running = files_of(db)  # the WAL holds this session's pages now
    assert any(name.endswith("-wal") for name in while_running)
    after_close = files_of(db)

    export = CliRunner().invoke(cli, ["export", "--db", settings.db])
    assert export.exit_code == 0
    rows = [json.loads(line) for line in export.stdout.splitlines() if line.startswith("{")]
    assert any(row["type"] == "vote" for row in rows)

    # The search does see what is stored in plain text (feedback is kept as written)...
    assert any(b"Remark number" in blob for blob in while_running.values())
    # ...and finds none of the full forms, nor the IPv6 /64 prefixes limits group readers by.
    needles = set(tokens) | set(addresses) | set(AGENTS)
    needles |= {address.rsplit(":", 2)[0] for address in addresses if ":" in address}
    assert_absent(while_running, needles)
    assert_absent(after_close, needles)
    assert_absent({"export": export.stdout.encode()}, needles)
