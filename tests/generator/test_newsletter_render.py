"""Rendering an edition: the email HTML, its text alternative, the .eml, the archive."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.commands.newsletter import page_view
from generator.config import SiteConfig
from generator.errors import ContentError
from generator.newsletter.edition import Edition, build_edition, parse_period
from generator.newsletter.render import (
    TOKEN_PLACEHOLDER,
    build_message,
    render_archive_index,
    render_archive_page,
    render_email,
)
from tests.generator.newsletter_fixtures import (
    NOW,
    WEEK,
    make_config,
    make_env,
    make_site,
)

# pygal (imported by the site layout's views) installs a legacy import hook.
pytestmark = pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")


class Links(HTMLParser):
    """Every href/src, every img, every tag name of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tags: set[str] = set()
        self.tables: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        self.urls += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag == "img":
            self.images.append(values)
        if tag == "table":
            self.tables.append(values)


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def edition_for(tmp_path: Path, extra: str = "", links: int = 4) -> tuple[SiteConfig, Edition]:
    config = make_config(tmp_path, extra)
    period = parse_period(WEEK, None, config, NOW)
    return config, build_edition(make_site(links=links), config, period, NOW)


def test_email_html_is_table_based_inlined_and_absolute(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path)
    rendered = render_email(edition, config, make_env(config))
    doc = parse(rendered.html)
    assert doc.urls and all(u.startswith(("https://", "mailto:")) for u in doc.urls)
    assert "script" not in doc.tags and "alert(" not in rendered.html
    assert any(t.get("width") == "600" for t in doc.tables)
    assert 'class="preheader"' in rendered.html and "display:none" in rendered.html
    assert "2 new posts" in rendered.html
    assert 'style="' in rendered.html and "prefers-color-scheme: dark" in rendered.html
    assert "Editor's note" in rendered.html or "Editor&#39;s note" in rendered.html
    assert "https://veille.example.org/posts/2026/p0/#comments" in rendered.html
    assert "3 comments — join the discussion" in rendered.html
    assert rendered.html_bytes < 100_000
    assert "Whole article body" not in rendered.html


def test_thumbnails_keep_an_alt_text(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    site = make_site()
    from dataclasses import replace

    items = (replace(site.feed_items[0], thumbnail="https://cdn.example.com/a.png"),)
    items += (replace(site.feed_items[1], thumbnail="/relative.png"),)
    site = replace(site, feed_items=items + site.feed_items[2:])
    edition = build_edition(site, config, parse_period(WEEK, None, config, NOW), NOW)
    doc = parse(render_email(edition, config, make_env(config)).html)
    assert [i["src"] for i in doc.images] == ["https://cdn.example.com/a.png"]
    assert doc.images[0]["alt"] == "Link 0 from sec"


def test_plain_text_reads_on_its_own_with_links_listed(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path)
    text = render_email(edition, config, make_env(config)).text
    assert "New on the wall" in text and "From the tech watch" in text
    assert "<" not in text.replace("<https", "")
    body, links = text.split("\nLinks\n")
    assert "[1] https://veille.example.org/newsletter/2026-W48/" in links
    assert "https://veille.example.org/posts/2026/p0/" in links
    assert "Unsubscribe: https://veille.example.org/api/newsletter/unsubscribe?token=" in body
    assert "\n-- \n" in text


def test_too_large_an_edition_fails_with_the_fix(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path, "  max_items: 200\n  max_html_bytes: 10000\n", 60)
    with pytest.raises(ContentError) as caught:
        render_email(edition, config, make_env(config))
    message = str(caught.value)
    assert "newsletter.max_html_bytes" in message and "over the limit of 10000" in message
    assert "lower newsletter.max_items (now 200)" in message


def test_capped_edition_points_to_the_wall(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path, "  max_items: 3\n", 10)
    html = render_email(edition, config, make_env(config)).html
    assert "9 more items on the wall." in html


def test_message_is_multipart_alternative_with_list_headers(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path)
    rendered = render_email(edition, config, make_env(config))
    raw = build_message(rendered, config, to="Ann <ann@example.org>", token="tok.en").as_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Id"):
        assert msg[header], header
    url = "https://veille.example.org/api/newsletter/unsubscribe?token=tok.en"
    assert msg["List-Unsubscribe"] == f"<{url}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert url in html and TOKEN_PLACEHOLDER not in html
    again = build_message(rendered, config, to="Ann <ann@example.org>", token="tok.en")
    assert again.as_bytes() == raw  # reproducible, Message-ID stable per recipient


def test_archive_pages_use_the_site_layout(tmp_path: Path) -> None:
    config, edition = edition_for(tmp_path)
    env = make_env(config)
    view = page_view(make_site(), config, NOW)  # the site's own page context
    page = render_archive_page(edition, env, view)
    assert "<h1>Veille weekly — Nov 23, 2026 – Nov 29, 2026</h1>" in page
    assert "/newsletter/2026-W48/email.html" in page
    index = render_archive_index([edition], env, view)
    assert 'href="/newsletter/2026-W48/"' in index
    assert "No edition has been published yet." in render_archive_index([], env, view)
