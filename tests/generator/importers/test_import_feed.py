"""``veille import feed``: an Atom archive with full HTML content and images on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SiteFactory
from tests.generator.feeds_conftest import LocalServer, Route
from tests.generator.importers.helpers import front_matter, local_targets, post_files, run_import

PNG = Path(__file__).resolve().parents[2] / "data/import/wordpress/uploads/2023/06/board.png"


def _atom(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Team newsletter</title>
  <link href="{base}/" rel="alternate"/>
  <id>{base}/</id>
  <updated>2024-03-01T09:00:00Z</updated>
  <entry>
    <title>Edition 12: observability</title>
    <link href="{base}/editions/12.html" rel="alternate"/>
    <id>urn:newsletter:12</id>
    <published>2024-03-01T09:00:00+01:00</published>
    <author><name>Jane Doe</name></author>
    <category term="observability"/>
    <summary>Traces everywhere.</summary>
    <content type="html">&lt;p&gt;Traces everywhere.
&lt;img src="/img/board.png" alt="board"&gt;&lt;/p&gt;
&lt;p&gt;See &lt;a href="{base}/editions/11.html"&gt;last edition&lt;/a&gt;
and &lt;a href="/archive/"&gt;the archive&lt;/a&gt;.&lt;/p&gt;
&lt;script&gt;alert(1)&lt;/script&gt;</content>
  </entry>
  <entry>
    <title>Edition 11: platform</title>
    <link href="{base}/editions/11.html" rel="alternate"/>
    <id>urn:newsletter:11</id>
    <published>2024-02-01T09:00:00+01:00</published>
    <author><name>Jane Doe</name></author>
    <content type="html">&lt;p&gt;Platform news.&lt;/p&gt;</content>
  </entry>
</feed>
""".encode()


def _serve(http_server: LocalServer) -> str:
    http_server.route("/img/board.png", body=PNG.read_bytes(), content_type="image/png")
    return http_server.route(
        "/feed.atom", body=_atom(http_server.base_url), content_type="application/atom+xml"
    )


def test_feed_with_downloaded_images(make_site: SiteFactory, http_server: LocalServer) -> None:
    site = make_site(posts={})
    url = _serve(http_server)
    result = run_import(site, "feed", url, "--download-images")
    assert result.exit_code == 0, result.output
    content = site.parent / "content"
    names = [str(p.relative_to(content / "posts")) for p in post_files(content)]
    assert names == ["2024/edition-11-platform.md", "2024/edition-12-observability/index.md"]
    assert (
        content / "posts/2024/edition-12-observability/board.png"
    ).read_bytes() == PNG.read_bytes()
    front, body = front_matter(content / "posts/2024/edition-12-observability/index.md")
    assert front["title"] == "Edition 12: observability"
    assert front["date"] == "2024-03-01T08:00:00+00:00"
    assert front["author"] == "jane-doe"
    assert front["imported_from"] == "feed:urn:newsletter:12"
    assert front["summary"] == "Traces everywhere."
    assert 'src="board.png"' in body
    assert 'href="/posts/2024/edition-11-platform/"' in body  # a link to another imported edition
    assert f'href="{http_server.base_url}/archive/"' in body  # not imported: absolute
    assert "<script" not in body and "alert(1)" not in body  # foreign HTML, sanitised
    assert [(p.name, u) for p, u, ok in local_targets(content) if not ok] == []
    again = run_import(site, "feed", url, "--download-images")
    assert "(0 new, 0 updated, 2 unchanged, 0 kept)" in again.output


def test_feed_images_stay_remote_without_download(
    make_site: SiteFactory, http_server: LocalServer
) -> None:
    site = make_site(posts={})
    result = run_import(site, "feed", _serve(http_server))
    assert result.exit_code == 0, result.output
    body = front_matter(site.parent / "content/posts/2024/edition-12-observability.md")[1]
    assert f'src="{http_server.base_url}/img/board.png"' in body
    assert "/img/board.png: not copied" in result.output
    assert http_server.hits("/img/board.png") == []


def test_feed_file_and_unreachable_image(
    make_site: SiteFactory, http_server: LocalServer, tmp_path: Path
) -> None:
    site = make_site(posts={})
    feed = tmp_path / "archive.atom"
    feed.write_bytes(_atom(http_server.base_url))
    http_server.route("/img/board.png", Route(b"gone", 404, "text/plain"))
    result = run_import(site, "feed", str(feed), "--download-images")
    assert result.exit_code == 0, result.output
    assert "board.png: cannot download (HTTP 404): left as an absolute URL" in result.output


def test_not_a_feed_is_a_usage_error(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site(posts={})
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><body>hi</body></html>", encoding="utf-8")
    result = run_import(site, "feed", str(page))
    assert result.exit_code == 2
    assert "not an RSS, Atom or JSON feed" in result.output
