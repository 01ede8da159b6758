"""The benchmark corpus: deterministic for a seed, and valid input for each tool.

Veille's build is not run here (the bench does that); its config loader and a
YAML parse of every front matter stand in for it.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench import corpus, text  # noqa: E402
from generator.config import load_config  # noqa: E402

N = 40


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _front_matter(path: Path) -> dict[str, object]:
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("---\n"), path
    head, _, body = raw[4:].partition("\n---\n")
    assert body.strip(), path
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return corpus.write_corpus(N, seed=7, work=tmp_path_factory.mktemp("work"))


def test_same_seed_same_bytes(tmp_path: Path, sites: dict[str, Path]) -> None:
    again = corpus.write_corpus(N, seed=7, work=tmp_path)
    for tool in corpus.TOOLS:
        assert _digest(again[tool]) == _digest(sites[tool]), tool


def test_other_seed_other_corpus(tmp_path: Path, sites: dict[str, Path]) -> None:
    other = corpus.write_corpus(N, seed=8, work=tmp_path, tools=("veille",))
    assert _digest(other["veille"]) != _digest(sites["veille"])


def test_small_corpus_is_a_prefix_of_a_large_one() -> None:
    small = [p.slug for p in corpus.make_corpus(10, seed=3).posts()]
    large = [p.slug for p in corpus.make_corpus(30, seed=3).posts()]
    assert large[:10] == small


def test_veille_site_yaml_loads(sites: dict[str, Path]) -> None:
    config = load_config(sites["veille"] / "site.yaml")
    assert config.per_page == 10
    assert config.content_path == sites["veille"] / "content"


def test_veille_posts_front_matter(sites: dict[str, Path]) -> None:
    posts = sorted((sites["veille"] / "content" / "posts").rglob("*.md"))
    assert len(posts) == N
    assert len({p.stem for p in posts}) == N, "slugs are unique"
    people = yaml.safe_load((sites["veille"] / "content" / "people.yaml").read_text("utf-8"))
    communities = yaml.safe_load(
        (sites["veille"] / "content" / "communities.yaml").read_text("utf-8")
    )
    person_ids = {p["id"] for p in people}
    community_ids = {c["id"] for c in communities}
    allowed = {"title", "date", "author", "tags", "community", "summary"}
    for path in posts:
        meta = _front_matter(path)
        assert set(meta) <= allowed, path
        assert {"title", "date", "author", "tags", "community"} <= set(meta), path
        assert isinstance(meta["date"], datetime) and meta["date"].tzinfo is not None
        assert path.parent.name == str(meta["date"].year)
        assert meta["author"] in person_ids
        assert meta["community"] in community_ids
        assert isinstance(meta["tags"], list) and set(meta["tags"]) <= set(text.TAGS)
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", path.stem)


def test_veille_people_and_communities(sites: dict[str, Path]) -> None:
    content = sites["veille"] / "content"
    people = yaml.safe_load((content / "people.yaml").read_text("utf-8"))
    communities = yaml.safe_load((content / "communities.yaml").read_text("utf-8"))
    assert len(people) == 50 and len({p["id"] for p in people}) == 50
    keys = {"id", "name", "email", "title", "site", "communities", "expertise", "bio"}
    assert all(set(p) == keys for p in people)
    assert len(communities) == 3
    ids = {p["id"] for p in people}
    for community in communities:
        assert set(community) == {"id", "name", "description", "site", "leaders"}
        assert set(community["leaders"]) <= ids
    assert len(text.TAGS) == 80 and len(set(text.TAGS)) == 80


def test_bodies_have_every_kind_of_block() -> None:
    posts = list(corpus.make_corpus(N, seed=7).posts())
    words = [len(re.findall(r"[A-Za-z]+", p.body)) for p in posts]
    assert min(words) >= 300 and max(words) <= 2200  # code and tables add words to prose
    everything = "\n".join(p.body for p in posts)
    for pattern in (r"^## ", r"^- ", r"^1\. ", r"^```\w+$", r"^\| --- \|", r"\]\(https://"):
        assert re.search(pattern, everything, re.M), pattern
    assert all(re.search(r"^## ", p.body, re.M) for p in posts)


def test_hugo_input(sites: dict[str, Path]) -> None:
    site = sites["hugo"]
    config = tomllib.loads((site / "hugo.toml").read_text("utf-8"))
    assert config["pagination"]["pagerSize"] == 10
    assert (site / "layouts" / "home.html").exists()
    posts = sorted((site / "content" / "posts").rglob("*.md"))
    assert len(posts) == N
    for path in posts:
        meta = _front_matter(path)
        assert meta["slug"] == path.stem
        assert len(meta["authors"]) == 1
    for index in (site / "content" / "authors").rglob("_index.md"):
        assert _front_matter_head(index)["slug"] == index.parent.name


def _front_matter_head(path: Path) -> dict[str, object]:
    head = path.read_text("utf-8").split("---\n")[1]
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


def test_pelican_input(sites: dict[str, Path]) -> None:
    site = sites["pelican"]
    settings: dict[str, object] = {}
    exec((site / "pelicanconf.py").read_text("utf-8"), settings)  # as Pelican reads it
    assert settings["DEFAULT_PAGINATION"] == 10
    assert settings["LOAD_CONTENT_CACHE"] is True
    posts = sorted((site / "content").rglob("*.md"))
    assert len(posts) == N
    for path in posts:
        head = path.read_text("utf-8").split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        assert {"Title", "Date", "Author", "Tags", "Category", "Slug"} <= set(fields)
        assert fields["Slug"] == path.stem
        datetime.strptime(fields["Date"], "%Y-%m-%d %H:%M")
    assert (site / "theme" / "templates" / "article.html").exists()


def test_same_posts_for_every_tool(sites: dict[str, Path]) -> None:
    for post in corpus.make_corpus(N, seed=7).posts():
        for tool in corpus.TOOLS:
            source = corpus.source_path(tool, sites[tool], post)
            assert post.body in source.read_text("utf-8"), (tool, source)


def test_optional_feeds_and_comments(tmp_path: Path) -> None:
    sites = corpus.write_corpus(
        12, seed=1, work=tmp_path, tools=("veille",), feeds=2, feed_items=5, comments=30
    )
    site = sites["veille"]
    config = load_config(site / "site.yaml")
    assert [f.id for f in config.feeds] == ["feed-1", "feed-2"]
    assert all((site / f.url).exists() for f in config.feeds)
    assert config.comments.snapshot == "comments.jsonl"
    lines = (site / "comments.jsonl").read_text("utf-8").splitlines()
    kinds = {yaml.safe_load(line)["type"] for line in lines}
    assert "comment" in kinds
