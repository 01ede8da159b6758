"""Newsletter, render stage: an ``Edition`` → inlined HTML, plain text, ``.eml``, archive pages.

Renders strings and ``OutputFile`` records, never writes. The email HTML is checked
before it leaves: under the size limit (Gmail clips past about 102 KB), no relative
link, no script, every image with an alt text and an absolute http(s) source.
"""

from __future__ import annotations

import hashlib
import logging
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urljoin

import css_inline
from jinja2 import Environment

from generator.config import SiteConfig
from generator.errors import ContentError, Problem
from generator.model import OutputFile
from generator.newsletter.edition import Edition, edition_from_json

log = logging.getLogger(__name__)

TOKEN_PLACEHOLDER = "VEILLE-UNSUBSCRIBE-TOKEN"  # noqa: S105 - replaced per recipient
EMAIL_HTML = "newsletter/email.html"
EMAIL_TEXT = "newsletter/email.txt"
# Long lines (up to RFC 5322's 998) keep List-Unsubscribe a plain URL, never an encoded word.
_POLICY = policy.SMTP.clone(max_line_length=998)
_ABSOLUTE = ("https://", "http://", "mailto:")


@dataclass(frozen=True, slots=True)
class RenderedEdition:
    """The two bodies of an edition, with the unsubscribe token still a placeholder."""

    edition: Edition
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


class _Refs:
    """Numbered link references for the plain-text body, listed at its end."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> str:
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"


def _wrap(text: str, prefix: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(
        textwrap.fill(p, 72, initial_indent=prefix, subsequent_indent=prefix) for p in paragraphs
    )


def unsubscribe_url(config: SiteConfig, token: str) -> str:
    """The comments API's one-click unsubscribe link for a signed token."""
    api = config.comments.api_url
    api = api if api.startswith(("http://", "https://")) else urljoin(config.base_url, api)
    return f"{api.rstrip('/')}/newsletter/unsubscribe?token={quote(token, safe='')}"


def period_label(edition: Edition, env: Environment) -> str:
    """'24 Nov 2026 – 30 Nov 2026' in the site's language and timezone."""
    fmt = env.filters["date"]
    last = max(edition.start, edition.end - timedelta(seconds=1))
    first, end = fmt(edition.start, "medium"), fmt(last, "medium")
    return first if first == end else f"{first} – {end}"


def _context(edition: Edition, config: SiteConfig, env: Environment) -> dict[str, Any]:
    return {
        "edition": edition,
        "period_label": period_label(edition, env),
        "unsubscribe_url": unsubscribe_url(config, TOKEN_PLACEHOLDER),
        "archive_index_url": urljoin(config.base_url, "newsletter/"),
    }


def render_email(edition: Edition, config: SiteConfig, env: Environment) -> RenderedEdition:
    """Render, inline and check the HTML, and render the plain-text alternative."""
    context = _context(edition, config, env)
    raw = env.get_template(EMAIL_HTML).render(**context)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    html = inliner.inline(raw)
    refs = _Refs()
    text = env.get_template(EMAIL_TEXT).render(**context, ref=refs, refs=refs, wrap=_wrap)
    text = "\n".join(line if line == "-- " else line.rstrip() for line in text.splitlines())
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    rendered = RenderedEdition(edition, html, text.strip() + "\n")
    check_email_html(rendered.html, config, edition.id)
    log.info("newsletter %s: %d bytes of inlined HTML", edition.id, rendered.html_bytes)
    return rendered


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "iframe", "object", "embed", "form"):
            self.problems.append(f"<{tag}> is not allowed in an email")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}> (event handler) is not allowed")
            if name in ("href", "src") and not (value or "").startswith(_ABSOLUTE):
                self.problems.append(f"<{tag} {name}={value!r}>: links must be absolute")
        if tag == "img":
            if not (values.get("src") or "").startswith(("https://", "http://")):
                self.problems.append(f"<img src={values.get('src')!r}>: needs an http(s) source")
            if not values.get("alt"):
                self.problems.append(f"<img src={values.get('src')!r}> has no alt text")


def check_email_html(html: str, config: SiteConfig, edition_id: str) -> None:
    """Raise ContentError when the email would be clipped or carries unsafe markup."""
    audit = _Audit()
    audit.feed(html)
    audit.close()
    problems = [Problem(EMAIL_HTML, None, f"edition {edition_id}: {p}") for p in audit.problems]
    size = len(html.encode("utf-8"))
    limit = config.newsletter.max_html_bytes
    if size > limit:
        problems.append(
            Problem(
                config.source,
                None,
                f"edition {edition_id}: the inlined HTML is {size} bytes, over the limit of "
                f"{limit} (Gmail clips messages past about 102 KB and hides the unsubscribe "
                f"link); lower newsletter.max_items (now {config.newsletter.max_items})",
                "newsletter.max_html_bytes",
            )
        )
    if problems:
        raise ContentError(problems)


def message_id(config: SiteConfig, edition_id: str, recipient: str | None = None) -> str:
    """Stable per (edition, recipient), so that a resent message is recognisable."""
    local = edition_id
    if recipient is not None:
        digest = hashlib.sha256(recipient.strip().lower().encode("utf-8")).hexdigest()[:24]
        local = f"{edition_id}.{digest}"
    return f"<{local}@{config.newsletter.list_id}>"


def build_message(
    rendered: RenderedEdition,
    config: SiteConfig,
    *,
    to: str | None = None,
    token: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """The ``multipart/alternative`` message; personalised when ``to`` and ``token`` are given."""
    edition = rendered.edition
    nl = config.newsletter
    value = token if token is not None else TOKEN_PLACEHOLDER
    encoded = quote(value, safe="")
    text = rendered.text.replace(TOKEN_PLACEHOLDER, encoded)
    html = rendered.html.replace(TOKEN_PLACEHOLDER, encoded)
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = nl.sender
    if to is not None:
        msg["To"] = to
    if nl.reply_to:
        msg["Reply-To"] = nl.reply_to
    msg["Subject"] = edition.subject
    msg["Date"] = format_datetime(date or edition.built)
    # Keyed by the address alone, so a resend (--retry-failed) carries the same ID.
    msg["Message-ID"] = message_id(config, edition.id, parseaddr(to)[1] if to else None)
    msg["List-Id"] = formataddr((edition.title, nl.list_id))
    msg["List-Unsubscribe"] = f"<{unsubscribe_url(config, value)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Archive"] = f"<{urljoin(config.base_url, 'newsletter/')}>"
    msg["Precedence"] = "bulk"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    seed = "\0".join((edition.id, to or "", text, html)).encode("utf-8")
    msg.set_boundary("veille-" + hashlib.sha256(seed).hexdigest()[:32])  # reproducible bytes
    return msg


def edition_dir(config: SiteConfig, edition_id: str) -> Path:
    """Where a built edition is kept (edition.json, bodies, ledger) between builds."""
    return config.cache_path / "newsletter" / edition_id


def load_editions(config: SiteConfig) -> list[Edition]:
    """Every edition built so far, newest first."""
    root = config.cache_path / "newsletter"
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("*/edition.json")):
        try:
            found.append(edition_from_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ContentError([Problem(path, None, f"unreadable edition record: {exc}")]) from None
    return sorted(found, key=lambda e: (e.start, e.id), reverse=True)


def load_rendered(config: SiteConfig, edition_id: str) -> RenderedEdition:
    """A built edition as ``send`` needs it; ContentError when it was never built."""
    folder = edition_dir(config, edition_id)
    try:
        edition = edition_from_json((folder / "edition.json").read_text(encoding="utf-8"))
        html = (folder / "email.html").read_text(encoding="utf-8")
        text = (folder / "email.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(
            [
                Problem(
                    folder,
                    None,
                    f"edition {edition_id} was not built "
                    f"(run: veille newsletter build --edition {edition_id})",
                )
            ]
        ) from None
    return RenderedEdition(edition, html, text)


def render_archive_page(edition: Edition, env: Environment, view: Mapping[str, Any]) -> str:
    """The web archive page of one edition, in the site's layout."""
    context = {**view, "page_path": f"/newsletter/{edition.id}/"}
    return env.get_template("newsletter_edition.html").render(
        **context, edition=edition, period_label=period_label(edition, env)
    )


def render_archive_index(
    editions: Sequence[Edition], env: Environment, view: Mapping[str, Any]
) -> str:
    """The index of past editions, newest first."""
    rows = [
        {
            "id": e.id,
            "subject": e.subject,
            "preheader": e.preheader,
            "start": e.start,
            "label": period_label(e, env),
        }
        for e in editions
    ]
    context = {**view, "page_path": "/newsletter/"}
    return env.get_template("newsletter_index.html").render(**context, editions=rows)


def edition_files(
    rendered: RenderedEdition, config: SiteConfig, env: Environment, view: Mapping[str, Any]
) -> list[OutputFile]:
    """``newsletter/ID/`` of the site: archive page, email.html, email.txt, message.eml."""
    prefix = f"newsletter/{rendered.edition.id}/"
    message = build_message(rendered, config)
    return [
        OutputFile(
            prefix + "index.html", render_archive_page(rendered.edition, env, view).encode()
        ),
        OutputFile(prefix + "email.html", rendered.html.encode("utf-8")),
        OutputFile(prefix + "email.txt", rendered.text.encode("utf-8")),
        OutputFile(prefix + "message.eml", message.as_bytes()),
    ]


class ArchiveContext(Protocol):
    """What the archive reads of a build's render context (``generator.context``).

    A protocol, so the newsletter package depends on the kernel only, not on site modules.
    Editions are frozen when built: the archive does not change with the site.
    """

    @property
    def config(self) -> SiteConfig: ...
    @property
    def env(self) -> Environment: ...
    def common(self, path: str) -> dict[str, Any]: ...


def render_newsletter_archive(ctx: ArchiveContext) -> list[OutputFile]:
    """Every built edition's folder and the index, for the full ``veille build``."""
    config, env, view = ctx.config, ctx.env, ctx.common("/newsletter/")
    editions = load_editions(config)
    files: list[OutputFile] = []
    for edition in editions:
        files.extend(edition_files(load_rendered(config, edition.id), config, env, view))
    files.append(
        OutputFile("newsletter/index.html", render_archive_index(editions, env, view).encode())
    )
    return files
