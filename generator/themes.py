"""Themes: the Jinja2 environment (site theme → default theme), filters and translations.

A site theme overrides the default file by file; ``{% extends "default:base.html" %}``
reaches the original. Templates are strict and autoescaped; UI strings go through
Babel catalogues read from ``translations/<lang>/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import io
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)

from generator.config import DEFAULT_THEME, SiteConfig
from generator.errors import TemplateError, display


def template_dirs(theme: Path) -> list[str]:
    """Where a theme keeps templates: ``templates/`` first, then the theme folder itself."""
    return [str(theme / "templates"), str(theme)]


def make_environment(config: SiteConfig) -> Environment:
    """A strict, autoescaped environment for the site's theme stack and language."""
    loaders: list[BaseLoader] = [FileSystemLoader(template_dirs(t)) for t in config.theme_paths]
    loaders.append(
        PrefixLoader({"default": FileSystemLoader(template_dirs(DEFAULT_THEME))}, delimiter=":")
    )
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        load_translations(config.theme_paths, config.language), newstyle=True
    )
    tz = config.tz
    locale = config.language
    env.filters["date"] = lambda value, fmt="medium": _format_date(value, fmt, tz, locale)
    env.filters["datetime"] = lambda value, fmt="medium": _format_datetime(value, fmt, tz, locale)
    env.filters["time"] = lambda value, fmt="short": _format_time(value, fmt, tz, locale)
    env.filters["isodate"] = lambda value: _local(value, tz).isoformat()
    env.globals["lang"] = config.language
    base_path = urlsplit(config.base_url).path.rstrip("/")
    env.globals["url"] = lambda path="/": base_path + ("/" + path.lstrip("/"))
    env.globals["abs_url"] = lambda path="/": urljoin(config.base_url, path.lstrip("/"))
    return env


# Babel's formatting costs ~0.1 ms a call, and listing pages format the same dates
# again and again: the results are memoised by (value, format, zone, locale).
@lru_cache(maxsize=65536)
def _format_date(value: datetime, fmt: str, tz: ZoneInfo, locale: str) -> str:
    return format_date(_local(value, tz), fmt, locale=locale)


@lru_cache(maxsize=65536)
def _format_time(value: datetime, fmt: str, tz: ZoneInfo, locale: str) -> str:
    return _plain_spaces(format_time(_local(value, tz), fmt, tzinfo=tz, locale=locale))


@lru_cache(maxsize=65536)
def _format_datetime(value: datetime, fmt: str, tz: ZoneInfo, locale: str) -> str:
    """A date and time for readers: the locale's date pattern, time to the minute, site zone."""
    loc = Locale.parse(locale)
    if fmt not in loc.datetime_formats:
        return _plain_spaces(format_datetime(_local(value, tz), fmt, tzinfo=tz, locale=locale))
    pattern = (
        str(loc.datetime_formats[fmt])
        .replace("{1}", loc.date_formats[fmt].pattern)
        .replace("{0}", loc.time_formats["short"].pattern)
    )
    return _plain_spaces(format_datetime(_local(value, tz), pattern, tzinfo=tz, locale=locale))


def _plain_spaces(text: str) -> str:
    """CLDR 42 puts a narrow no-break space before "PM"; browsers' Intl went back to a
    plain space, and the comments widget must print the very same string (comments.js)."""
    return text.replace("\u202f", " ")


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz)


def load_translations(themes: tuple[Path, ...], language: str) -> NullTranslations:
    """Merge the themes' catalogues (every ``*.po``) for ``language``, the first theme winning."""
    result: NullTranslations | None = None
    for theme in reversed(themes):  # default first, overrides merged on top
        folder = theme / "translations" / language / "LC_MESSAGES"
        for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            loaded = _compile_po(str(po), po.stat().st_mtime_ns)
            if isinstance(result, Translations):
                result.merge(loaded)
            else:
                result = loaded
    return result if result is not None else NullTranslations()


@lru_cache(maxsize=16)
def _compile_po(path: str, _mtime: int) -> Translations:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


_MISSING = re.compile(r"^'[^']+' has no attribute '(?P<name>[^']+)'$")


@contextmanager
def template_errors(config: SiteConfig) -> Iterator[None]:
    """Turn an exception raised by template code into a TemplateError naming file and line.

    Jinja2 rewrites tracebacks so that template code appears as frames of the
    template files; the innermost such frame is where the user has to look.
    """
    try:
        yield
    except TemplateError:
        raise
    except Exception as exc:
        error = as_template_error(exc, config)
        if error is None:
            raise
        raise error from exc


def as_template_error(exc: BaseException, config: SiteConfig) -> TemplateError | None:
    """The TemplateError for ``exc`` if it comes from a template, else None."""
    roots = [t.resolve() for t in (*config.theme_paths, DEFAULT_THEME)]
    site = config.source.resolve().parent
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return TemplateError(_where(Path(exc.filename), site), exc.lineno, exc.message or str(exc))
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if any(Path(f.filename).resolve().is_relative_to(r) for r in roots)
        and f.filename.endswith((".html", ".xml", ".txt", ".eml", ".svg", ".json"))
    ]
    if not frames:
        return None
    frame = frames[-1]
    return TemplateError(
        _where(Path(frame.filename), site), frame.lineno, _message(exc, frame.line or "")
    )


def _where(path: Path, site: Path) -> Path | str:
    """A template's path as the user knows it: relative to the site folder when inside it."""
    path = path.resolve()
    return str(path.relative_to(site)) if path.is_relative_to(site) else display(path)


def _message(exc: BaseException, source: str) -> str:
    """Jinja2's message, with the expression the template wrote in place of its value's type."""
    if isinstance(exc, TemplateNotFound):
        return f"template not found: {exc.name}"
    text = exc.message if isinstance(exc, UndefinedError) and exc.message else str(exc)
    missing = _MISSING.match(text)
    if missing:
        name = re.escape(missing["name"])
        written = re.search(
            rf"([A-Za-z_][\w.]*(?:\[[^\]]*\])*)\s*(?:\.{name}\b|\[\s*['\"]{name}['\"]\s*\])",
            source,
        )
        if written:
            return f"'{written[1]}' has no attribute '{missing['name']}'"
    if isinstance(exc, (UndefinedError, TemplateSyntaxError)):
        return text
    return f"{type(exc).__name__}: {text}"
