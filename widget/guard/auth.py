"""Password hashing (argon2id), session cookies and ids, CSRF tokens and login throttling.

Nothing here touches HTTP or SQL: the dashboard reads cookies and forms and passes the values
in, so every rule below is unit-testable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # argon2 accepts anything; a megabyte "password" only burns our CPU

SESSION_COOKIE = "rw_session"
SESSION_IDLE_SECONDS = 3 * 24 * 3600  # an unused session dies after three days
# The record's last-seen time (and the cookie's signature) are renewed at most hourly: every
# dashboard request reads the record, but only one an hour per session writes.
SESSION_TOUCH_SECONDS = 3600
SESSION_ABSOLUTE_SECONDS = 30 * 24 * 3600  # and everyone logs in again at least monthly
SETUP_SECONDS = 3600


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the username is unknown makes both failures cost the same time,
# so response times do not tell which usernames exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def check_login(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(password_hash, password)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"The password needs at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"The password may have at most {MAX_PASSWORD} characters."
    return None


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """What the signed cookie carries. `nonce` keys the CSRF token; `sid`, set at login, is the
    random id whose keyed hash names the session's record on the server (store/sessions.py).

    The record, not the cookie, says who is logged in and until when: logout, a password
    change or "sign out everywhere" delete it, and a copied cookie then names nothing.
    """

    nonce: str
    sid: str = ""
    signed_at: float = 0.0


def new_session(logged_in: bool = False) -> Session:
    """A fresh nonce, and with `logged_in` a fresh session id: both change at every login, so
    a cookie planted before it cannot be ridden afterwards."""
    return Session(secrets.token_urlsafe(18), secrets.token_urlsafe(32) if logged_in else "")


def session_key(secret: str, sid: str) -> str:
    """What the sessions table keeps instead of the id: someone reading the database (a
    backup, a stolen disk) cannot turn a row back into a cookie."""
    return hmac.new(secret.encode(), b"session:" + sid.encode(), hashlib.sha256).hexdigest()


def session_alive(created_at: float, seen_at: float, now: float | None = None) -> bool:
    """The server's own lifetimes: idle since the last recorded use, and absolute since login.

    `seen_at` moves at most every SESSION_TOUCH_SECONDS, so an idle session may end up to that
    much before SESSION_IDLE_SECONDS; never after.
    """
    now = time.time() if now is None else now
    return now - seen_at < SESSION_IDLE_SECONDS and now - created_at < SESSION_ABSOLUTE_SECONDS


def session_needs_touch(seen_at: float, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    return now - seen_at > SESSION_TOUCH_SECONDS


class SessionSigner:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="dashboard-session")
        self._secret = secret.encode()

    def dumps(self, session: Session) -> str:
        payload: dict[str, Any] = {"n": session.nonce}
        if session.sid:
            payload["i"] = session.sid
        return str(self._serializer.dumps(payload))

    def loads(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when absent, forged, malformed or expired.

        A cookie from before server-side sessions (it named the author itself) has no id and
        so counts as not logged in.
        """
        if not cookie:
            return None
        try:
            data, signed = self._serializer.loads(
                cookie, max_age=SESSION_IDLE_SECONDS, return_timestamp=True
            )
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            return None
        sid = data.get("i")
        return Session(data["n"], sid if isinstance(sid, str) else "", signed.timestamp())

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self._secret, b"csrf:" + session.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, session: Session | None, token: Any) -> bool:
        if session is None or not isinstance(token, str) or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)


# Coarse names for the account page's list of sessions ("Firefox, Linux"): first match wins,
# so Edge and Opera (which also say Chrome) and Chrome (which also says Safari) come first.
# Only these names are stored, never the User-Agent itself.
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> tuple[str, str]:
    """(browser family, operating system) from a User-Agent; "" where we cannot tell."""
    agent = user_agent[:512]
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    return browser, system


# --- login throttling ---------------------------------------------------------------------------


class LoginThrottle:
    """Failed logins counted per address and per account in a sliding window, in memory.

    Small on purpose: one process, a bounded number of keys (the oldest are dropped first), and
    a success clears the account's failures. Several instances each keep their own counts, which
    still bounds guessing to a few tries per window per instance.

    An attempt is counted when it starts (`reserve`), not when its password proved wrong: the
    check takes tens of milliseconds in a thread, and counting afterwards let 101 logins sent at
    once all pass the limit before the first failure was written down (100 passwords checked
    against a limit of 5). A success gives its reservation back (`release`).
    """

    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window: float = 900.0,
        max_keys: int = 10_000,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> list[float]:
        stamps = [t for t in self._failures.get(key, []) if now - t < self.window]
        if stamps:
            self._failures[key] = stamps
        else:
            self._failures.pop(key, None)
        return stamps

    def retry_after(self, address: str, account: str, now: float | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        now = time.time() if now is None else now
        waits = []
        for key, limit in (
            (f"ip:{address}", self.per_address),
            (f"user:{account}", self.per_account),
        ):
            stamps = self._recent(key, now)
            if len(stamps) >= limit:
                waits.append(stamps[-limit] + self.window - now)
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, address: str, account: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for key in (f"ip:{address}", f"user:{account}"):
            stamps = self._recent(key, now)
            stamps.append(now)
            self._failures[key] = stamps
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def reserve(self, address: str, account: str, now: float | None = None) -> int:
        """Count this attempt as failed before its password is checked; 0 when it may go on,
        else the seconds to wait (and nothing is counted).

        No await between the look and the count: within one event loop, of any number of
        simultaneous attempts at most the limit get a reservation.
        """
        now = time.time() if now is None else now
        wait = self.retry_after(address, account, now)
        if not wait:
            self.failed(address, account, now)
        return wait

    def release(self, address: str, account: str) -> None:
        """A reserved attempt succeeded: the account's failures are forgiven, and the address
        gets its reservation back (any one of its stamps: they all count the same, and the
        newest is the one that would have lasted longest)."""
        self.succeeded(account)
        stamps = self._failures.get(f"ip:{address}")
        if stamps:
            stamps.pop()
            if not stamps:
                del self._failures[f"ip:{address}"]

    def succeeded(self, account: str) -> None:
        self._failures.pop(f"user:{account}", None)


# --- first-run setup link -----------------------------------------------------------------------


@dataclass
class SetupToken:
    """The one-time link printed on first start; it dies on use or after SETUP_SECONDS."""

    token: str
    expires: float
    used: bool = False

    @classmethod
    def fresh(cls) -> SetupToken:
        return cls(secrets.token_urlsafe(24), time.time() + SETUP_SECONDS)

    def accepts(self, token: Any) -> bool:
        if self.used or time.time() > self.expires or not isinstance(token, str):
            return False
        return hmac.compare_digest(self.token, token)
