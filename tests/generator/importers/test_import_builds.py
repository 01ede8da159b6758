"""Each imported fixture site builds, and on its built pages every local image and every
link to an imported post resolves; a second import changes nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import SiteFactory
from tests.generator.importers.helpers import DATA, run_import, snapshot
from tests.htmlcheck import parse_page

BASE = "http://127.0.0.1:8000/"
# kind → (source, extra options): the source is the fixture folder or file.
SOURCES = {
    "hugo": (DATA / "hugo", ()),
    "zola": (DATA / "zola", ()),
    "jekyll": (DATA / "jekyll", ()),
    "pelican": (DATA / "pelican", ()),
    "wordpress": (
        DATA / "wordpress" / "export.xml",
        ("--uploads", str(DATA / "wordpress" / "uploads")),
    ),
}

# kind → an image the fixture takes from the source's static folder by a site-absolute path:
# it must be copied beside its post, not left pointing at the old site.
STATIC_IMAGES = {
    "hugo": "images/diagram.png",
    "zola": "images/racks.png",
    "jekyll": "assets/img/palette.png",
}


def _import(site: Path, kind: str) -> int:
    source, extra = SOURCES[kind]
    result = run_import(site, kind, str(source), *extra)
    assert "Traceback" not in result.output, result.output
    return result.exit_code


def _file_of(out: Path, url: str) -> Path:
    """The built file a site URL is served from (``/a/`` → ``a/index.html``)."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return out / (path + "index.html" if path.endswith("/") or not path else path)


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_the_imported_site_builds_and_resolves(kind: str, make_site: SiteFactory) -> None:
    site = make_site(posts={}, base_url=BASE)
    _import(site, kind)
    content = site.parent / "content"
    before = snapshot(content)
    _import(site, kind)
    assert snapshot(content) == before, "a second import changed the content"
    out = site.parent / "public"
    built = CliRunner().invoke(main, ["build", "--site", str(site), "--out", str(out)])
    assert built.exit_code == 0, built.output
    pages = sorted((out / "posts").rglob("index.html"))
    posts = {"/" + str(p.parent.relative_to(out)) + "/" for p in pages}
    assert len(posts) >= 3, f"{kind}: only {sorted(posts)} built"
    images = post_links = 0
    broken = []
    local_images = set()
    for page in pages:
        url = "/" + str(page.parent.relative_to(out)) + "/"
        parsed = parse_page(page)
        for tag, attrs in parsed.tags:
            ref = attrs.get("src") if tag == "img" else attrs.get("href") if tag == "a" else None
            if not ref or ref.startswith("#"):
                continue
            absolute = urljoin(BASE + url.lstrip("/"), ref)
            if not absolute.startswith(BASE):
                continue  # remote: reported by the import, not ours to check
            target = "/" + absolute[len(BASE) :].split("#")[0].split("?")[0]
            if tag == "img":
                images += 1
                local_images.add(target)
            elif target.startswith("/posts/") and target.count("/") == 4 and target.endswith("/"):
                post_links += 1
            elif tag == "a" and not target.startswith("/posts/"):
                continue  # site navigation: not the import's links
            if not _file_of(out, target).is_file():
                broken.append(f"{url}: {tag} {ref}")
    assert broken == []
    if kind in STATIC_IMAGES:
        assert any(i.endswith("/" + STATIC_IMAGES[kind]) for i in local_images), local_images
    assert images >= 1, f"{kind}: no local image on any built post"
    assert post_links >= 1, f"{kind}: no link between imported posts"


def test_an_unresolved_dialect_link_stays_visible_as_text_not_a_broken_url(
    tmp_path: Path,
) -> None:
    from generator.importers.links import LinkMap, rewrite_links
    from generator.importers.records import Where

    links = LinkMap.build({"hugo:a.md": ("/posts/a/",)}, "https://blog.example.org/")
    body = 'See [missing one]({{< ref "nowhere.md" >}}) and [the other](/posts/a/).'
    new, _ = rewrite_links(body, links, ("/posts/single/",), frozenset(), Where("single.md", 3))
    assert "https://blog.example.org/posts/single/{{<" not in new
    assert 'missing one (broken link in the source: `{{< ref "nowhere.md" >}}`)' in new
