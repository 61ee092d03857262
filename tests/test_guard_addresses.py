"""Whose address a request counts as: proxy headers only from trusted proxies."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, voter
from tests.guard_support import client_from, guarded_settings, via_proxy
from widget.guard import client_address, forwarded_hops, identity, mask_address, parse_networks
from widget.runtime.logs import MaskAddresses

TRUSTED = parse_networks(["10.0.0.0/8", "2001:db8:ffff::/48"])


@pytest.mark.parametrize(
    ("peer", "xff", "forwarded", "expected"),
    [
        # An untrusted peer is the client, whatever it claims.
        ("203.0.113.9", "198.51.100.1", None, "203.0.113.9"),
        ("203.0.113.9", None, "for=198.51.100.1", "203.0.113.9"),
        # A trusted proxy: the rightmost address it did not itself trust.
        ("10.0.0.2", "198.51.100.1", None, "198.51.100.1"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.7", None, "198.51.100.1"),
        # The client prepends a fake hop: it stays left of the real one and is ignored.
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", None, "198.51.100.1"),
        # Garbage stops the walk at the last address we could believe.
        ("10.0.0.2", "198.51.100.1, not-an-ip", None, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.3, ", None, "10.0.0.2"),
        # Ports and brackets, as some proxies write them.
        ("10.0.0.2", "[2001:db8::5]:443", None, "2001:db8::5"),
        ("10.0.0.2", "198.51.100.1:5555", None, "198.51.100.1"),
        # RFC 7239 Forwarded, with quoting, IPv6, ports and several elements.
        ("10.0.0.2", None, 'for="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::17"),
        ("10.0.0.2", None, "for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ("10.0.0.2", None, "for=192.0.2.43, for=198.51.100.17", "198.51.100.17"),
        ("10.0.0.2", None, "For=192.0.2.43, for=10.0.0.9", "192.0.2.43"),
        # An obfuscated or unknown hop hides who is behind it: stop there.
        ("10.0.0.2", None, 'for=192.0.2.43, for="_hidden"', "10.0.0.2"),
        ("10.0.0.2", None, "for=unknown", "10.0.0.2"),
        ("10.0.0.2", None, "proto=https", "10.0.0.2"),
        # Only the configured header is read (here X-Forwarded-For, the default).
        ("10.0.0.2", "198.51.100.1", "for=192.0.2.60", "198.51.100.1"),
        # A dual-stack socket reports an IPv4 proxy as IPv4-mapped IPv6: still trusted.
        ("::ffff:10.0.0.2", "198.51.100.1", None, "198.51.100.1"),
        ("2001:db8:ffff:1::2", "198.51.100.1", None, "198.51.100.1"),
        ("2001:db8:fffe::2", "198.51.100.1", None, "2001:db8:fffe::2"),
        # Lookalikes of IPv4 are not addresses.
        ("10.0.0.2", "198.51.100.01", None, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.256", None, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.\u0661", None, "10.0.0.2"),
        # A peer without an address (a Unix socket) is never a trusted proxy.
        (None, "198.51.100.1", None, "unknown"),
    ],
)
def test_client_address(
    peer: str | None, xff: str | None, forwarded: str | None, expected: str
) -> None:
    header, chain = ("x-forwarded-for", xff) if xff is not None else ("forwarded", forwarded)
    assert client_address(peer, chain, TRUSTED, header) == expected


def test_nothing_is_believed_when_no_proxy_is_trusted() -> None:
    assert client_address("10.0.0.2", "198.51.100.1", ()) == "10.0.0.2"


def test_forwarded_hops_respect_quoted_commas() -> None:
    header = 'for="[2001:db8::1]:80";by="a,b", for=192.0.2.1'
    assert forwarded_hops(header) == ["2001:db8::1", "192.0.2.1"]


def test_identity_groups_an_ipv6_household_and_unwraps_mapped_ipv4() -> None:
    assert identity("2001:db8:1:2:aaaa::1") == identity("2001:db8:1:2:ffff::9")
    assert identity("2001:db8:1:2::1") != identity("2001:db8:1:3::1")
    assert identity("::ffff:198.51.100.7") == "198.51.100.7"
    assert identity("198.51.100.7") != identity("198.51.100.8")


def test_mask_address_for_logs() -> None:
    assert mask_address("198.51.100.77:52100") == "198.51.100.0"
    assert mask_address("[2001:db8:cafe:1::17]:443") == "2001:db8:cafe::"
    assert mask_address("testclient") == "-"


def test_access_log_lines_are_masked() -> None:
    uvicorn_line = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("198.51.100.77:52100", "GET", "/api/v1/summary?post=a", "1.1", 200),
        None,
    )
    assert MaskAddresses().filter(uvicorn_line)
    assert "198.51.100.77" not in uvicorn_line.getMessage()
    assert uvicorn_line.getMessage().startswith("198.51.100.0 - ")
    granian_line = logging.LogRecord(
        "granian.access",
        logging.INFO,
        "",
        0,
        "%(addr)s %(path)s",
        ({"addr": "2001:db8:cafe:1::17", "path": "/"},),
        None,
    )
    MaskAddresses().filter(granian_line)
    assert granian_line.getMessage() == "2001:db8:cafe:: /"


def test_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(tmp_path: Path) -> None:
    """A script rotating X-Forwarded-For from one untrusted address is still one address."""
    settings = guarded_settings(tmp_path, daily_votes_per_post=5, vote_burst=1000)
    with client_from(settings, peer="203.0.113.50") as client:
        codes = [
            client.post(
                "/api/v1/votes",
                json={"post": "spoofed", "rating": 5, "voter": voter()},
                headers={
                    "X-Forwarded-For": f"198.51.100.{n}",
                    "Forwarded": f"for=192.0.2.{n}",
                    "X-Real-IP": f"192.0.2.{n}",
                },
            ).status_code
            for n in range(12)
        ]
        assert codes == [200] * 5 + [429] * 7
        count = client.get("/api/v1/summary?post=spoofed").json()["posts"][0]["count"]
        assert count == 5


def test_a_trusted_proxy_separates_its_clients(tmp_path: Path) -> None:
    settings = guarded_settings(tmp_path, daily_votes_per_post=2)
    with client_from(settings) as client:
        for n in range(6):  # six readers behind our proxy, two votes each
            for _ in range(2):
                response = client.post(
                    "/api/v1/votes",
                    json={"post": "shared", "rating": 4, "voter": voter()},
                    headers=via_proxy(f"198.51.100.{n}"),
                )
                assert response.status_code == 200, response.text
        refused = client.post(
            "/api/v1/votes",
            json={"post": "shared", "rating": 4, "voter": voter()},
            headers=via_proxy("198.51.100.0"),  # the first reader again
        )
        assert refused.status_code == 429


@pytest.mark.slow
def test_a_real_server_logs_masked_addresses(live_server: LiveServer) -> None:
    live_server.extra_env.update({"WIDGET_ACCESS_LOG": "true", "WIDGET_ANONYMIZE_LOGS": "true"})
    live_server.start()
    assert httpx.get(live_server.url + "/api/v1/summary?post=logged").status_code == 200
    live_server.stop()
    assert live_server.log_path is not None
    lines = live_server.log_path.read_text().splitlines()
    access = [line for line in lines if "/api/v1/summary?post=logged" in line]
    assert len(access) == 1
    assert "127.0.0.0 - " in access[0]
    assert "127.0.0.1" not in access[0]


def test_every_forwarded_for_line_counts_not_only_the_first(tmp_path: Path) -> None:
    """A client sends its own X-Forwarded-For line; our proxy adds a second line, not a comma."""
    settings = guarded_settings(tmp_path, daily_votes_per_post=1)
    with client_from(settings) as client:
        statuses = []
        for n in range(3):
            headers = [
                ("X-Forwarded-For", f"192.0.2.{n}"),  # written by the client: a lie
                ("X-Forwarded-For", "198.51.100.99"),  # appended by the trusted proxy
                ("Content-Type", "application/json"),
            ]
            body = json.dumps({"post": "lines", "rating": 5, "voter": voter()})
            statuses.append(client.post("/api/v1/votes", content=body, headers=headers).status_code)
        assert statuses == [200, 429, 429]
