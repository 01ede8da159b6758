"""The secret that signs unsubscribe links: ``VEILLE_NEWSLETTER_SECRET``, or in development
a random one kept in ``.veille/newsletter-secret`` (0600) so that ``veille serve`` works
end to end. Production (``veille comments serve``) never reads the file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from generator.atomicfile import write_atomic
from generator.config import SiteConfig

SECRET_ENV = "VEILLE_NEWSLETTER_SECRET"  # noqa: S105 - the variable's name, not a secret
DEV_SECRET_FILE = "newsletter-secret"  # noqa: S105 - a file name
ADMIN_TOKEN_ENV = "VEILLE_ADMIN_TOKEN"  # noqa: S105 - the variable's name, not a secret
DEV_ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105 - a file name


def dev_secret_path(config: SiteConfig, name: str = DEV_SECRET_FILE) -> Path:
    return config.cache_path / name


def read_dev_secret(config: SiteConfig, name: str = DEV_SECRET_FILE) -> str | None:
    """The development secret ``name`` if ``veille serve`` made one, else None."""
    try:
        return dev_secret_path(config, name).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def ensure_dev_secret(config: SiteConfig, name: str = DEV_SECRET_FILE) -> tuple[str, bool]:
    """The development secret, made (random, mode 0600) on first use; and whether it was."""
    existing = read_dev_secret(config, name)
    if existing:
        return existing, False
    path = dev_secret_path(config, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    write_atomic(path, secret + "\n", mode=0o600)
    return secret, True


def env_secret(environ: Mapping[str, str] | None = None) -> str | None:
    """The configured secret, if any."""
    return (os.environ if environ is None else environ).get(SECRET_ENV) or None
