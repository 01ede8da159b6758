"""Stage 0, configuration: ``site.yaml`` → a frozen ``SiteConfig``.

Every problem is reported at once, each with file, line and dotted key, and
unknown keys get a "did you mean". Paths inside the file are relative to it.
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from generator.errors import ConfigError, Problem
from generator.yamlfile import YamlSyntaxError, parse_yaml, validate

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
SITE_FILE = "site.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("expected an id of lowercase letters, digits, '-' or '_'")
    return value


Ident = Annotated[str, AfterValidator(_check_id)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class FeedConfig(_Section):
    """One tech-watch feed: ``url`` is http(s) or a local file path (relative to site.yaml)."""

    id: Ident
    url: str
    title: str | None = None
    community: str | None = None
    tags: tuple[str, ...] = ()
    max_items: int = Field(default=30, ge=1, le=1000)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" in value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL or a file path")
        if not value.strip():
            raise ValueError("expected an http(s) URL or a file path")
        return value

    @property
    def is_remote(self) -> bool:
        return self.url.startswith(("http://", "https://"))


class CommentsConfig(_Section):
    """The ``comments:`` section, shared by the API server and the build."""

    api_url: str = "/api"
    identity: Literal["open", "trusted-header"] = "open"
    identity_header: str = "X-Forwarded-Email"
    name_header: str = "X-Forwarded-Name"
    moderation: Literal["none", "first-time", "all"] = "none"
    edit_window_minutes: int = Field(default=15, ge=0)
    reactions: tuple[str, ...] = ("like", "insightful", "question")
    max_length: int = Field(default=5000, ge=1, le=100_000)
    rate_limit_per_minute: int = Field(default=10, ge=0)
    redis_url: str | None = None
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    admins: tuple[str, ...] = ()
    database: str = "sqlite:///.veille/comments.db"
    snapshot: str | None = None


class NewsletterConfig(_Section):
    """The ``newsletter:`` section."""

    title: str | None = None
    sender: str = "Veille <veille@example.com>"
    reply_to: str | None = None
    list_id: str = "veille.example.com"
    group_by: Literal["community", "tag"] = "community"
    max_items: int = Field(default=30, ge=1)
    max_html_bytes: int = Field(default=100_000, ge=10_000)
    batch_size: int = Field(default=50, ge=1)
    rate_per_second: float = Field(default=10.0, gt=0)


class NotificationsConfig(_Section):
    """The ``notifications:`` section; unset values follow ``comments`` and ``newsletter``."""

    enabled: bool | None = None  # default: on when comments.identity is trusted-header
    sender: str | None = None  # default: newsletter.sender


class MetricsConfig(_Section):
    """The ``metrics:`` section."""

    window_days: int = Field(default=28, ge=1, le=366)
    min_group_size: int = Field(default=5, ge=1)
    show_top_contributors: bool = False


class ImagesConfig(_Section):
    """The ``images:`` section: wider images get a resized copy; bigger files a warning."""

    max_width: int = Field(default=1600, ge=16, le=20_000)
    max_bytes: int = Field(default=10_000_000, ge=1)


class SiteConfig(_Section):
    """The whole validated ``site.yaml``; ``root`` is the folder that holds it."""

    title: str
    description: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    language: Literal["en", "fr"] = "en"
    timezone: str = "UTC"
    theme: str | None = None
    content_dir: str = "content"
    output_dir: str = "public"
    cache_dir: str = ".veille"
    per_page: int = Field(default=20, ge=1, le=500)
    summary_words: int = Field(default=50, ge=5, le=500)
    markdown_engine: Literal["python-markdown", "cmarkgfm"] = "python-markdown"
    feeds: tuple[FeedConfig, ...] = ()
    comments: CommentsConfig = CommentsConfig()
    newsletter: NewsletterConfig = NewsletterConfig()
    metrics: MetricsConfig = MetricsConfig()
    notifications: NotificationsConfig = NotificationsConfig()
    images: ImagesConfig = ImagesConfig()
    root: Path = Field(default=Path("."), exclude=True)
    source: Path = Field(default=Path(SITE_FILE), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (expected e.g. 'Europe/Paris')") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an absolute http(s) URL")
        return value if value.endswith("/") else value + "/"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    @property
    def theme_paths(self) -> tuple[Path, ...]:
        """The site theme (if any) first, then the default theme."""
        if self.theme is None:
            return (DEFAULT_THEME,)
        return (self.root / self.theme, DEFAULT_THEME)

    @property
    def notifications_enabled(self) -> bool:
        """Reply and mention emails: on by default only where readers have an identity."""
        enabled = self.notifications.enabled
        return self.comments.identity == "trusted-header" if enabled is None else enabled

    @property
    def notification_sender(self) -> str:
        return self.notifications.sender or self.newsletter.sender

    def resolve(self, path: str) -> Path:
        """A path from site.yaml, relative to the folder that holds it."""
        return self.root / path

    def database_url(self) -> str:
        """The comments database URL with a relative SQLite path made absolute."""
        url = self.comments.database
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/"):
            return prefix + str((self.root / url[len(prefix) :]).resolve())
        return url


def find_site_file(site: str | Path | None) -> Path:
    """``--site`` if given, else ``site.yaml`` in the current directory."""
    return Path(site) if site is not None else Path.cwd() / SITE_FILE


def load_config(site: str | Path | None = None) -> SiteConfig:
    """Read and validate ``site.yaml``; raise ConfigError listing every problem."""
    path = find_site_file(site)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(path, None, "no such file (use --site to name one)")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(path, None, f"cannot read: {exc}")]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> SiteConfig:
    """Validate the text of a ``site.yaml`` found at ``path``."""
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ConfigError([Problem(path, exc.line, exc.message)]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, "expected a mapping of settings")])
    problems: list[Problem] = []
    for key in ("root", "source"):
        if key in data:
            problems.append(Problem(path, lines.get((key,)), "unknown key", key))
    config, found = validate(SiteConfig, data, path, lines)
    problems.extend(found)
    if config is not None:
        problems.extend(_cross_checks(config, path, lines))
    if problems or config is None:
        raise ConfigError(problems)
    return config.model_copy(update={"root": path.resolve().parent, "source": path})


def _cross_checks(config: SiteConfig, path: Path, lines: dict[Any, int]) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, feed in enumerate(config.feeds):
        if feed.id in seen:
            problems.append(
                Problem(
                    path,
                    lines.get(("feeds", index, "id")),
                    f"duplicate feed id '{feed.id}' (first at feeds[{seen[feed.id]}])",
                    f"feeds[{index}].id",
                )
            )
        seen.setdefault(feed.id, index)
    return problems
