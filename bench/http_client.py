"""The few HTTP requests the harness makes itself (readiness, sizes, the dashboard login).

Standard library only, so the harness measures the servers and not a client library.
"""

from __future__ import annotations

import http.client
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


def fetch(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, bytes]:
    status, _, data = request(url, method, body, headers, timeout)
    return status, data


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, list[tuple[str, str]], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path or "/", body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


class _Forms(HTMLParser):
    """Every form of a page: its action and its named inputs (hidden CSRF token included)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append((values.get("action") or "", {}, set()))
        elif tag == "input" and values.get("name") and self.forms:
            name = str(values["name"])
            self.forms[-1][1][name] = values.get("value") or ""
            self.forms[-1][2].add(values.get("type") or "text")


def _cookies(headers: list[tuple[str, str]], jar: dict[str, str]) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def _header(headers: list[tuple[str, str]], wanted: str) -> str | None:
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def login_cookie(base: str, username: str, password: str) -> tuple[str, str]:
    """Log in through /dashboard/login as a browser would; (Cookie header, overview path)."""
    jar: dict[str, str] = {}
    status, headers, page = request(base + "/dashboard/login")
    _cookies(headers, jar)
    parser = _Forms()
    parser.feed(page.decode("utf-8", "replace"))
    # The login form is the one with a password field (a page may have others, e.g. language).
    found = [form for form in parser.forms if "password" in form[2]]
    if not found:
        raise RuntimeError("no login form with a password field at /dashboard/login")
    action, fields, _ = found[0]
    user_field = next((k for k in fields if re.search("user|login|name", k)), "username")
    pass_field = next((k for k in fields if "pass" in k), "password")
    fields[user_field] = username
    fields[pass_field] = password
    if not action.startswith("/"):
        action = "/dashboard/login"
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, page = request(
        base + action,
        "POST",
        urlencode(fields).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": base,
            "Referer": base + "/dashboard/login",
        },
    )
    _cookies(headers, jar)
    if status not in (200, 302, 303) or not jar:
        raise RuntimeError(f"login answered {status} without a session cookie")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    path = _header(headers, "location") or "/dashboard"
    for _ in range(5):  # follow redirects to the page a logged-in author lands on
        path = urlsplit(path).path + (f"?{urlsplit(path).query}" if urlsplit(path).query else "")
        status, headers, page = request(base + path, headers={"Cookie": cookie})
        location = _header(headers, "location")
        if status in (301, 302, 303, 307) and location:
            if "login" in location:
                raise RuntimeError("the session cookie was not accepted")
            path = location
            continue
        if status != 200:
            raise RuntimeError(f"{path} answered {status} after login")
        return cookie, path
    raise RuntimeError("too many redirects after login")
