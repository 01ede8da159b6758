"""Bench of moving a journal in: ``veille import wordpress`` of a generated export, then a build.

``python -m bench.importing --n 5000`` writes a WordPress export (WXR) of N posts, each
with an uploaded image, comments (one a reply) and a link to the previous post; one
post in 100 has a 2,000-pixel photo (resized by the build). It times the import and
the first build of the imported site, then a no-change rebuild: wall time and peak
memory of each process tree (``bench.measure``), printed as one table.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image

from bench.measure import Sample, run

BASE = "https://blog.example.com/"
AUTHORS = ("jdoe", "alovelace", "bob", "carol", "dave")
CATEGORIES = ("DevOps", "Data", "Security", "Frontend")
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench journal</title><link>https://blog.example.com</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://blog.example.com</wp:base_site_url>
<wp:base_blog_url>https://blog.example.com</wp:base_blog_url>
"""


def _png(width: int, height: int, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (40, 110, 180))
    image.paste((240, 180, 30), (width // 4, height // 4, width // 2, height // 2))
    image.save(out, fmt)
    return out.getvalue()


def _comment(cid: int, parent: int, when: datetime, author: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
        f"<wp:comment_author_email><![CDATA[{author.lower()}@example.org]]></wp:comment_author_email>"
        f"<wp:comment_date_gmt><![CDATA[{stamp}]]></wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
        f"<wp:comment_approved><![CDATA[1]]></wp:comment_approved>"
        f"<wp:comment_type><![CDATA[comment]]></wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def write_export(folder: Path, count: int) -> tuple[Path, Path]:
    """A WXR file of ``count`` posts and its ``wp-content/uploads`` folder."""
    uploads = folder / "uploads"
    small, wide = _png(480, 270), _png(2000, 1125, "JPEG")
    parts = [HEAD]
    for index, login in enumerate(AUTHORS, 1):
        parts.append(
            f"<wp:author><wp:author_id>{index}</wp:author_id>"
            f"<wp:author_login><![CDATA[{login}]]></wp:author_login>"
            f"<wp:author_email><![CDATA[{login}@example.com]]></wp:author_email>"
            f"<wp:author_display_name><![CDATA[{login.title()}]]></wp:author_display_name>"
            "</wp:author>"
        )
    start = datetime(2016, 1, 4, 9, 0, tzinfo=UTC)
    previous = None
    for n in range(1, count + 1):
        when = start + timedelta(hours=13 * n)
        slug = f"note-{n}" if n % 7 else "recap"  # short slugs reused across years
        month = f"{when:%Y/%m}"
        name = f"photo-{n}.jpg" if n % 100 == 0 else f"figure-{n}.png"
        target = uploads / month / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wide if n % 100 == 0 else small)
        link = f"https://blog.example.com/{when:%Y/%m/%d}/{slug}/"
        body = (
            f"<p>Week {n}: what we read about {CATEGORIES[n % 4]} &amp; why it matters.</p>\n"
            f'<img src="{BASE}wp-content/uploads/{month}/{name}" alt="Figure {n}" />\n'
            "<p>" + "Some thoughts on the news of the week. " * 30 + "</p>\n"
        )
        if previous:
            body += f'<p>Follows <a href="{previous}">the previous note</a>.</p>\n'
        comments = _comment(n * 10, 0, when + timedelta(hours=2), "Carol", "Nice one.")
        comments += _comment(n * 10 + 1, n * 10, when + timedelta(hours=3), "Dave", "Agreed.")
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        parts.append(
            f"<item><title>{escape(f'Note {n}: {CATEGORIES[n % 4]} news')}</title>"
            f"<link>{link}</link><dc:creator><![CDATA[{AUTHORS[n % 5]}]]></dc:creator>"
            f'<guid isPermaLink="false">https://blog.example.com/?p={n}</guid>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
            f"<wp:post_id>{n}</wp:post_id><wp:post_date_gmt><![CDATA[{stamp}]]></wp:post_date_gmt>"
            f"<wp:post_name><![CDATA[{slug}]]></wp:post_name>"
            f"<wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>"
            f'<category domain="category" nicename="c"><![CDATA[{CATEGORIES[n % 4]}]]></category>'
            f'<category domain="post_tag" nicename="t"><![CDATA[tag-{n % 25}]]></category>'
            f"{comments}</item>\n"
        )
        previous = link
    parts.append("</channel></rss>\n")
    export = folder / "export.xml"
    export.write_text("".join(parts), encoding="utf-8")
    return export, uploads


def make_site(folder: Path) -> Path:
    """An empty site to import into."""
    (folder / "content" / "posts").mkdir(parents=True)
    (folder / "site.yaml").write_text("title: Imported journal\ntimezone: UTC\n", encoding="utf-8")
    (folder / "content" / "people.yaml").write_text("[]\n", encoding="utf-8")
    (folder / "content" / "communities.yaml").write_text("[]\n", encoding="utf-8")
    return folder / "site.yaml"


def _row(name: str, sample: Sample) -> str:
    status = "ok" if sample.ok else sample.error
    return f"| {name} | {sample.seconds:.1f} s | {sample.peak_mb:.0f} MB | {status} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.importing")
    parser.add_argument("--n", type=int, default=5000, help="posts in the generated export")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="veille-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    veille = str(Path(sys.executable).with_name("veille"))
    try:
        export, uploads = write_export(work / "source", args.n)
        site = make_site(work / "site")
        size_mb = export.stat().st_size / 1e6
        common = ["--site", str(site)]
        steps = [
            ("import", [veille, "import", "wordpress", str(export), "--uploads", str(uploads)]),
            ("build (first)", [veille, "build"]),
            ("build (no change)", [veille, "build"]),
        ]
        rows = []
        for name, cmd in steps:
            sample = run([*cmd, *common], site.parent, args.timeout, work / "logs" / f"{name}.log")
            rows.append(_row(name, sample))
        posts = sum(1 for _ in (site.parent / "content" / "posts").rglob("index.md"))
        posts += sum(
            1 for p in (site.parent / "content" / "posts").rglob("*.md") if p.name != "index.md"
        )
        lines = [
            f"WordPress export: {args.n} posts, {size_mb:.1f} MB; imported posts: {posts}",
            "| step | wall time | peak memory | status |",
            "|---|---|---|---|",
            *rows,
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        return 0 if all("| ok |" in r for r in rows) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
