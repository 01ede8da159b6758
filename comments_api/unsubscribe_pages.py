"""The small HTML pages a person sees when following an unsubscribe link.

Browsers (``Accept: text/html``) get a page for every outcome — confirm, done, invalid
link, not configured — in the site's language; API clients keep the JSON errors.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "confirm.title": "Unsubscribe",
        "confirm.body": "Stop sending the newsletter to <strong>{email}</strong>?",
        "confirm.button": "Unsubscribe",
        "done.title": "Unsubscribed",
        "done.body": "{email} will receive no more newsletters.",
        "invalid.title": "Invalid link",
        "invalid.body": "This unsubscribe link is not valid. Copy the whole link from the "
        "email, or reply to the newsletter to be removed.",
        "unconfigured.title": "Unsubscribing is unavailable",
        "unconfigured.body": "This site cannot handle unsubscribe links yet. Reply to the "
        "newsletter to be removed.",
    },
    "fr": {
        "confirm.title": "Se désabonner",
        "confirm.body": "Ne plus envoyer la lettre d'information à <strong>{email}</strong> ?",
        "confirm.button": "Me désabonner",
        "done.title": "Désabonnement confirmé",
        "done.body": "{email} ne recevra plus la lettre d'information.",
        "invalid.title": "Lien non valide",
        "invalid.body": "Ce lien de désabonnement n'est pas valide. Copiez le lien entier "
        "depuis le courriel, ou répondez à la lettre pour être retiré de la liste.",
        "unconfigured.title": "Désabonnement indisponible",
        "unconfigured.body": "Ce site ne sait pas encore traiter les liens de désabonnement. "
        "Répondez à la lettre pour être retiré de la liste.",
    },
}

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<main><h1>{title}</h1>{content}</main></body></html>"""


def html_page(title: str, content: str, lang: str = "en") -> str:
    """A minimal page for outcomes shown to a browser (``content`` is trusted HTML)."""
    return _PAGE.format(lang=lang, title=html.escape(title), content=content)


def wants_html(accept: str | None) -> bool:
    """A browser navigating (``text/html`` accepted), not an API client or a mail system."""
    return "text/html" in (accept or "").lower()


def unsubscribe_page(kind: str, language: str, email: str | None = None) -> str:
    """The page for ``confirm``, ``done``, ``invalid`` or ``unconfigured``."""
    lang = language if language in _TEXTS else "en"
    texts = _TEXTS[lang]
    body = texts[f"{kind}.body"].format(email=html.escape(email or ""))
    content = f"<p>{body}</p>"
    if kind == "confirm":
        content += (
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{texts["confirm.button"]}</button></form>'
        )
    return html_page(texts[f"{kind}.title"], content, lang)
