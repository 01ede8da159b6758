"""Notifications, render stage: one ``Digest`` → a ``multipart/alternative`` email.

Pure: the digest, the site's config and its theme environment in; an ``EmailMessage``
out, in the site's language, with one-click ``List-Unsubscribe`` (RFC 8058).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import quote, urljoin

from jinja2 import Environment
from markupsafe import Markup

from generator.config import SiteConfig
from generator.model import Digest, Notice
from generator.sanitize import EMAIL, sanitize_html
from generator.text import plain_paragraphs

EMAIL_HTML = "notifications/email.html"
EMAIL_TEXT = "notifications/email.txt"
_POLICY = SMTP.clone(max_line_length=998)


def api_url(config: SiteConfig, path: str) -> str:
    """An absolute URL of the comments API (``comments.api_url`` may be site-relative)."""
    api = config.comments.api_url
    api = api if api.startswith(("http://", "https://")) else urljoin(config.base_url, api)
    return f"{api.rstrip('/')}/{path.lstrip('/')}"


def unsubscribe_url(config: SiteConfig, token: str) -> str:
    """The one-click link that turns this person's notifications off."""
    return api_url(config, f"notifications/unsubscribe?token={quote(token, safe='')}")


def comment_url(config: SiteConfig, notice: Notice) -> str:
    """The comment's anchor on the wall: ``<base_url><thread>#comment-<id>``."""
    return urljoin(config.base_url, notice.thread.lstrip("/")) + f"#comment-{notice.comment_id}"


def message_id(config: SiteConfig, digest: Digest) -> str:
    """Stable for one person and one set of comments: a resent email is recognisable."""
    seed = digest.email.lower() + ":" + ",".join(str(n.comment_id) for n in digest.notices)
    return f"<notify.{hashlib.sha256(seed.encode()).hexdigest()[:24]}@{config.newsletter.list_id}>"


def _context(digest: Digest, config: SiteConfig, token: str) -> dict[str, Any]:
    notices = []
    for notice in digest.notices:
        # Comments were sanitised at write time; the email profile also makes links absolute.
        html = sanitize_html(notice.html, config.base_url, EMAIL)
        notices.append(
            {
                "reason": notice.reason,
                "author": notice.author_name,
                "created": notice.created,
                "url": comment_url(config, notice),
                "html": Markup(html),  # noqa: S704 - sanitised just above
                "text": plain_paragraphs(html),
            }
        )
    return {
        "site_title": config.title,
        "site_url": config.base_url,
        "name": digest.name,
        "notices": notices,
        "unsubscribe_url": unsubscribe_url(config, token),
    }


def build_message(
    digest: Digest,
    config: SiteConfig,
    env: Environment,
    *,
    token: str,
    msg_id: str,
    date: datetime,
) -> EmailMessage:
    """The email for one digest, HTML and text, with its Message-ID and unsubscribe headers."""
    context = _context(digest, config, token)
    html = env.get_template(EMAIL_HTML).render(context)
    text = env.get_template(EMAIL_TEXT).render(context)
    subject = env.get_template("notifications/subject.txt").render(context).strip()
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = config.notification_sender
    msg["To"] = formataddr((digest.name, digest.email))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msg_id
    msg["List-Id"] = formataddr((config.title, "notifications." + config.newsletter.list_id))
    msg["List-Unsubscribe"] = f"<{unsubscribe_url(config, token)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg.set_boundary("veille-" + hashlib.sha256(msg_id.encode()).hexdigest()[:32])
    return msg


def envelope_sender(config: SiteConfig) -> str:
    """The bare address of the configured sender (the SMTP ``MAIL FROM``)."""
    return parseaddr(config.notification_sender)[1]
