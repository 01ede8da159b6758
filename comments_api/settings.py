"""Server settings: the ``comments:`` section of site.yaml, plus secrets from the environment.

``settings_from_config`` is the one place where config, the people directory (read
and validated by ``generator.people``, as a build reads it) and environment variables
(``VEILLE_ADMIN_TOKEN``, ``VEILLE_NEWSLETTER_SECRET``) meet.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.errors import Problem
from generator.model import Community, Person
from generator.people import Directory, load_directory

log = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the comments server needs; immutable once the app is built."""

    database_url: str = "sqlite:///.veille/comments.db"
    base_url: str = "http://127.0.0.1:8000/"
    identity: str = "open"
    identity_header: str = "X-Forwarded-Email"
    name_header: str = "X-Forwarded-Name"
    moderation: str = "none"
    edit_window: timedelta = timedelta(minutes=15)
    reactions: tuple[str, ...] = ("like", "insightful", "question")
    max_length: int = 5000
    rate_limit_per_minute: int = 10
    redis_url: str | None = None
    trusted_proxies: tuple[IPNetwork, ...] = (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )
    admins: frozenset[str] = frozenset()
    people: Mapping[str, Person] = field(default_factory=lambda: MappingProxyType({}))
    person_ids: frozenset[str] = frozenset()  # every id of people.yaml: ``@id`` mentions link
    threads_file: Path | None = None
    items_file: Path | None = None  # the published items.json, read by the animator's desk
    communities: tuple[Community, ...] = ()
    admin_token: str | None = None
    newsletter_secret: str | None = None
    language: str = "en"  # the site's: pages shown to people (unsubscribe) use it
    max_in_flight: int = 512
    max_threads_per_count: int = 100

    @property
    def site_origin(self) -> str:
        """``scheme://host[:port]`` of the site: the only browser origin allowed to write."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def max_body_bytes(self) -> int:
        """A request body limit generous enough for a full comment JSON-escaped."""
        return self.max_length * 6 + 16_384


def parse_networks(values: tuple[str, ...] | list[str]) -> tuple[IPNetwork, ...]:
    """``127.0.0.1``, ``10.0.0.0/8`` or ``::1`` → networks; a bad entry is a ValueError."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


def load_people(config: SiteConfig) -> dict[str, Person]:
    """email (lower-case) → person, from the site's validated directory."""
    return _directory(config).by_email()


def load_everyone(config: SiteConfig) -> tuple[Person, ...]:
    """Every person of the site's validated directory."""
    return _directory(config).people


def _directory(config: SiteConfig) -> Directory:
    """The site's people and communities.

    A problem in ``people.yaml`` or ``communities.yaml`` is logged (file:line, as a
    build reports it) and the valid entries are kept: the server still starts, and
    ``veille build`` refuses the same problems.
    """
    problems: list[Problem] = []
    directory = load_directory(config, problems)
    for problem in problems:
        log.warning("people directory: %s", problem)
    return directory


def settings_from_config(config: SiteConfig, db_url: str | None = None) -> Settings:
    """Build server settings from a validated ``SiteConfig`` and the environment."""
    c = config.comments
    directory = _directory(config)
    return Settings(
        database_url=db_url or config.database_url(),
        base_url=config.base_url,
        identity=c.identity,
        identity_header=c.identity_header,
        name_header=c.name_header,
        moderation=c.moderation,
        edit_window=timedelta(minutes=c.edit_window_minutes),
        reactions=tuple(c.reactions),
        max_length=c.max_length,
        rate_limit_per_minute=c.rate_limit_per_minute,
        redis_url=c.redis_url,
        trusted_proxies=parse_networks(c.trusted_proxies),
        admins=frozenset(a.strip().lower() for a in c.admins),
        people=MappingProxyType(directory.by_email()),
        person_ids=frozenset(p.id for p in directory.people),
        threads_file=config.output_path / "threads.json",
        items_file=config.output_path / "items.json",
        communities=directory.communities,
        admin_token=os.environ.get("VEILLE_ADMIN_TOKEN") or None,
        newsletter_secret=os.environ.get("VEILLE_NEWSLETTER_SECRET") or None,
        language=config.language,
    )
