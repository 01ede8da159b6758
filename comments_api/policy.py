"""Pure rules of the comments API: moderation, edit window, reply depth, identities.

No I/O here: the service asks, these functions answer from values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DEPTH = 32
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,255}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who makes a request: an SSO email (trusted-header mode) or nobody in particular (open)."""

    address: str
    email: str | None = None
    person_id: str | None = None
    name: str | None = None


def initial_status(moderation: str, *, has_approved: bool) -> str:
    """A new comment's status under the site's moderation mode."""
    if moderation == "all" or (moderation == "first-time" and not has_approved):
        return "pending"
    return "approved"


def within_window(created: datetime, now: datetime, window: timedelta) -> bool:
    """May the author still edit or delete a comment created at ``created``?"""
    return now - created <= window


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def clean_text(value: str) -> str:
    """Strip control characters (except newlines and tabs) and surrounding space."""
    return _CONTROL.sub("", value).strip()


def new_token() -> tuple[str, str]:
    """A fresh edit token and the hash we keep of it (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # 256 random bits need no slow hash: SHA-256 is enough to make a leaked table useless.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(hash_token(token), stored_hash)


def actor_key(identity: Identity, author_name: str | None) -> str:
    """One reaction per person per kind: whom a reaction belongs to."""
    if identity.email:
        return "email:" + identity.email
    if author_name:
        return "name:" + clean_text(author_name).casefold()[:200]
    digest = hashlib.sha256(identity.address.encode()).hexdigest()[:32]
    return "addr:" + digest


def is_admin(identity: Identity | None, admins: frozenset[str]) -> bool:
    if identity is None or identity.email is None:
        return False
    return identity.email in admins or (identity.person_id or "").lower() in admins
