"""Unsubscribe tokens: the email, signed with HMAC-SHA256, URL-safe.

``make_token`` is used by the newsletter and by notification emails when they write
``List-Unsubscribe``; ``read_token`` by the API. A token names one address and one
purpose (``NEWSLETTER`` or ``NOTIFICATIONS``): it cannot be forged for another address,
and a newsletter link cannot turn notifications off, nor the reverse.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

NEWSLETTER = b"veille-unsubscribe-v1\x00"
NOTIFICATIONS = b"veille-notifications-v1\x00"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(email: bytes, secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), purpose + email, hashlib.sha256).digest()


def make_token(email: str, secret: str, purpose: bytes = NEWSLETTER) -> str:
    """A URL-safe token carrying ``email`` (lower-cased) and its signature."""
    if not secret:
        raise ValueError("the newsletter secret is empty")
    raw = email.strip().lower().encode("utf-8")
    return f"{_b64(raw)}.{_b64(_sign(raw, secret, purpose))}"


def read_token(token: str, secret: str, purpose: bytes = NEWSLETTER) -> str | None:
    """The email a token was made for, or None if it is malformed or not ours."""
    if not secret or not token or len(token) > 2048 or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    try:
        raw, sig = _unb64(payload), _unb64(signature)
        email = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(sig, _sign(raw, secret, purpose)):
        return None
    return email
