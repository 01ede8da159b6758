"""Admin page sessions: a signed, expiring cookie, its per-session CSRF token, the origin check.

The cookie holds who signed in, until when, and a random nonce, signed with HMAC-SHA256;
it is HttpOnly and SameSite=Strict. The CSRF token a form carries is derived from the
nonce, so it can neither be read from the cookie nor forged without the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

COOKIE = "veille_admin"
COOKIE_PATH = "/admin"
LIFETIME = 8 * 3600  # seconds: a working day
_PURPOSE = b"veille-admin-session-v1\x00"


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in admin: who (an email, or "token" in open mode), until when, the nonce."""

    by: str
    expires: int
    nonce: str


def session_key(admin_token: str | None, newsletter_secret: str | None) -> bytes:
    """The signing key: from the server's secrets, so that sessions survive a restart
    and work across workers; without any, a random key for this process only."""
    secret = admin_token or newsletter_secret
    if secret:
        return hashlib.sha256(_PURPOSE + secret.encode("utf-8")).digest()
    log.warning(
        "admin sessions: no VEILLE_ADMIN_TOKEN or VEILLE_NEWSLETTER_SECRET is set; "
        "sessions end when the server restarts and are not shared between workers"
    )
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def new_session(by: str, now: int) -> Session:
    return Session(by=by, expires=now + LIFETIME, nonce=secrets.token_urlsafe(18))


def encode(session: Session, key: bytes) -> str:
    """The cookie value: payload and signature, URL-safe."""
    payload = json.dumps(
        {"by": session.by, "exp": session.expires, "n": session.nonce}, separators=(",", ":")
    ).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_sign(key, payload))}"


def decode(value: str | None, key: bytes, now: int) -> Session | None:
    """The session a cookie carries, or None if absent, forged, malformed or expired."""
    if not value or len(value) > 1024 or value.count(".") != 1:
        return None
    payload_text, signature = value.split(".")
    try:
        payload, sig = _unb64(payload_text), _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(sig, _sign(key, payload)):
        return None
    try:
        data = json.loads(payload)
        session = Session(by=str(data["by"]), expires=int(data["exp"]), nonce=str(data["n"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > now else None


def csrf_token(session: Session, key: bytes) -> str:
    """The token every form of this session carries."""
    return _b64(_sign(key, b"csrf\x00" + session.nonce.encode("ascii")))


def csrf_matches(session: Session, key: bytes, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(
        (token or "").encode("ascii", "replace"), csrf_token(session, key).encode("ascii")
    )


def cookie_header(value: str, *, secure: bool, max_age: int = LIFETIME) -> str:
    """A ``Set-Cookie`` value: HttpOnly, SameSite=Strict, only for the admin pages."""
    parts = [
        f"{COOKIE}={value}",
        f"Path={COOKIE_PATH}",
        f"Max-Age={max_age}",
        "HttpOnly",
        "SameSite=Strict",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def same_origin(headers: Mapping[str, str], site_origin: str) -> bool:
    """Is a form post from our own pages? ``Sec-Fetch-Site`` must say same-origin when
    sent, and ``Origin``, when sent, must be the site's or this host's own."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() != "same-origin":
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.lower()
    if origin == site_origin:
        return True
    host = headers.get("host", "").lower()
    return bool(host) and origin.split("://", 1)[-1] == host
