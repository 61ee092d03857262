"""Who is asking: the client address, believed from proxy headers only when a trusted peer says so.

Proxy headers are written by whoever sends the request, so an address taken from them is only as
good as the hop that appended it. We start from the direct peer (which cannot be spoofed over
TCP) and walk the chain from the right, one hop at a time, while the hop we stand on is a proxy
we trust. The first address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One element of RFC 7239: `for=...` with an optional quoted value, case-insensitive name.
_FORWARDED_FOR = re.compile(r'(?i)(?:^|;)\s*for\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)')
# IPv6 readers get a whole /64 from their provider and may pick any address in it at will, so
# the prefix is what identifies one of them; an IPv4 address is already one household or NAT.
IPV6_PREFIX = 64
X_FORWARDED_FOR = "x-forwarded-for"
FORWARDED = "forwarded"


def parse_networks(cidrs: Sequence[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def client_address(
    peer: str | None,
    chain: str | None,
    trusted: Sequence[IPNetwork] | TrustedProxies,
    header: str = X_FORWARDED_FOR,
) -> str:
    """The reader's address; the proxy header counts only when the direct peer is trusted.

    `chain` is the value of the one header the operator's proxy writes (`header`, from
    WIDGET_PROXY_HEADER): `X-Forwarded-For`, or RFC 7239 `Forwarded`. The other header is never
    read, because a proxy that writes one passes the other through as the client wrote it, and
    preferring either would let a client pick its own address. Anything unparsable stops the
    walk at the last address we could believe.
    """
    address = peer or "unknown"
    if not trusted or not chain:
        return address
    networks = trusted if isinstance(trusted, TrustedProxies) else TrustedProxies(trusted)
    if not _is_trusted(_parse(address), networks):
        return address
    if header == FORWARDED:
        hops = forwarded_hops(chain)
    else:
        hops = [part.strip() for part in chain.split(",")]
    for hop in reversed(hops):
        parsed = _parse_hop(hop)
        if parsed is None:
            return address
        address, ip = parsed
        if not _is_trusted(ip, networks):
            break
    return address


def address_from_headers(
    peer: str | None,
    headers: Iterable[tuple[bytes, bytes]],
    trusted: TrustedProxies,
    header: str = X_FORWARDED_FOR,
) -> str:
    """client_address for raw ASGI headers: every line of `header`, joined in order.

    RFC 9110 5.3: a proxy that adds its own line instead of appending to the client's must not
    leave us reading only the client's.
    """
    if not trusted:
        return peer or "unknown"
    name = header.encode()
    lines = [value.decode("latin-1") for key, value in headers if key == name]
    return client_address(peer, ", ".join(lines) or None, trusted, header)


def is_trusted_peer(peer: str | None, trusted: TrustedProxies) -> bool:
    """Whether the direct peer is one of our proxies (so its other X-Forwarded-* count)."""
    return bool(trusted) and peer is not None and _is_trusted(_parse(peer), trusted)


def forwarded_hops(header: str) -> list[str]:
    """The `for=` values of an RFC 7239 Forwarded header, leftmost (client side) first.

    A hop without `for=` (or with `for=unknown` or an obfuscated name) is kept as an empty
    string, which stops the walk: we cannot say who stood behind it.
    """
    hops = []
    for element in _split_elements(header):
        match = _FORWARDED_FOR.search(element)
        if match is None:
            hops.append("")
            continue
        value = match.group(1)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        hops.append(_strip_port(value))
    return hops


def _split_elements(header: str) -> list[str]:
    """Split on commas that are not inside a quoted string."""
    elements: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            elements.append("".join(current))
            current = []
            continue
        current.append(ch)
    elements.append("".join(current))
    return elements


def _strip_port(value: str) -> str:
    """`[2001:db8::1]:4711` -> `2001:db8::1`; `192.0.2.43:47011` -> `192.0.2.43`."""
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else ""
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


# Addresses are parsed on every request, so dotted-quad IPv4 (nearly all traffic) takes a
# fast path of integer arithmetic; ipaddress (about 3 us a call) handles the rest.
Parsed = int | ipaddress.IPv6Address | None


def _ipv4_int(text: str) -> int | None:
    """A canonical dotted quad as an integer; None for anything else (leading zeros too)."""
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, ValueError):  # ValueError: NUL or characters outside ASCII
        return None


def _parse(text: str) -> Parsed:
    v4 = _ipv4_int(text)
    if v4 is not None:
        return v4
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv4Address):
        return int(ip)
    return ip


def _parse_hop(hop: str) -> tuple[str, Parsed] | None:
    """(canonical text, parsed) of one proxy hop; X-Forwarded-For may carry ports or brackets."""
    for text in (hop, _strip_port(hop)):
        v4 = _ipv4_int(text)
        if v4 is not None:
            return text, v4
        parsed = _parse(text)
        if parsed is not None:
            shown = str(ipaddress.IPv4Address(parsed)) if isinstance(parsed, int) else str(parsed)
            return shown, parsed
    return None


class TrustedProxies:
    """Trusted networks compiled once: IPv4 as (network, mask) integers, IPv6 as networks."""

    __slots__ = ("v4", "v6")

    def __init__(self, trusted: Sequence[IPNetwork]) -> None:
        self.v4 = tuple(
            (int(net.network_address), int(net.netmask))
            for net in trusted
            if isinstance(net, ipaddress.IPv4Network)
        )
        self.v6 = tuple(net for net in trusted if isinstance(net, ipaddress.IPv6Network))

    def __bool__(self) -> bool:
        return bool(self.v4 or self.v6)


def _is_trusted(ip: Parsed, networks: TrustedProxies) -> bool:
    if ip is None:
        return False
    if isinstance(ip, int):
        return any(ip & mask == net for net, mask in networks.v4)
    mapped = ip.ipv4_mapped
    if mapped is not None:
        return _is_trusted(int(mapped), networks)
    return any(ip in net for net in networks.v6)


def identity(address: str) -> str:
    """What one reader's address is for limits: an IPv4 address, or an IPv6 /64 prefix.

    IPv4-mapped IPv6 addresses count as the IPv4 address they carry. Something that is not an
    address (a test client, a Unix socket) is used as it is.
    """
    if _ipv4_int(address) is not None:
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False).network_address) + "/64"
    return str(ip)


def mask_address(address: str) -> str:
    """An address with its host part removed, for logs: IPv4 keeps /24, IPv6 keeps /48.

    Accepts `host`, `host:port` and `[v6]:port`; the port is dropped. What is not an address is
    replaced by `-` rather than printed, since we cannot tell what it reveals.
    """
    host = _strip_port(address.strip())
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "-"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if isinstance(ip, ipaddress.IPv4Address) else 48
    return str(ipaddress.ip_network((ip, prefix), strict=False).network_address)
