"""Seeded corpus: N posts, 50 people, 80 tags, 3 communities, written for each tool.

The same seed gives the same bytes. Post ``i`` depends only on the seed and
``i``, so a corpus of 1,000 is the first 1,000 posts of a corpus of 10,000.
Post 0 is the newest. ``python -m bench.corpus --n 200`` writes one by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import text

VERSION = 4  # bump when the output changes, so that cached corpora are rewritten
TOOLS = ("veille", "hugo", "pelican")
BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
PEERS = BENCH / "peers"
STAMP = ".bench-corpus.json"
NEWEST = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
SPACING = timedelta(hours=6)  # 10,000 posts span about seven years

COMMUNITIES = (
    ("data", "Data & AI", "Data engineering, analytics and machine learning.", "Paris"),
    ("cloud", "Cloud & Platform", "Infrastructure, platforms and delivery.", "Lyon"),
    ("security", "Security", "Application and infrastructure security.", "Nantes"),
)
SITES = ("Paris", "Lyon", "Nantes", "Toulouse", "Lille")
FIRST = text.words(
    "Camille Léa Hugo Lucas Chloé Louis Manon Jules Inès Gabriel Élodie Noah Zoé Arthur "
    "Anaïs Théo Sarah Maël Julie Nathan Emma Raphaël Lina Adam Clara"
)
LAST = text.words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier"
)
JOBS = ("Engineer", "Data scientist", "Architect", "Product manager", "SRE", "Analyst")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    site: str
    communities: tuple[str, ...]
    expertise: tuple[str, ...]
    job: str


@dataclass(frozen=True, slots=True)
class Post:
    index: int
    slug: str
    title: str
    date: datetime
    author: str
    tags: tuple[str, ...]
    community: str
    summary: str | None
    body: str

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def path(self) -> str:
        """The permalink path, the same for every tool."""
        return f"/posts/{self.year}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Corpus:
    n: int
    seed: int
    people: tuple[Person, ...]

    def posts(self) -> Iterator[Post]:
        """Every post, newest first, bodies made on the fly (10,000 bodies are ~60 MB)."""
        seen: set[str] = set()
        names = {p.id: p for p in self.people}
        for i in range(self.n):
            yield _post(self.seed, i, self.people, names, seen)

    def post(self, index: int) -> Post:
        """One post, with the slug it has in the full corpus."""
        for post in self.posts():
            if post.index == index:
                return post
        raise IndexError(index)


def slugify(value: str) -> str:
    """ASCII slug, as Pelican's (unidecode) and Hugo's would make it for these names."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text.lower())
    return "-".join(part for part in out.split("-") if part)


def make_corpus(n: int, seed: int = 42) -> Corpus:
    """The corpus description: people now, posts lazily."""
    rng = random.Random(f"{seed}:people")
    pairs = [(f, la) for f in FIRST for la in LAST]
    chosen = rng.sample(pairs, 50)
    people = []
    for first, last in chosen:
        name = f"{first} {last}"
        communities = tuple(sorted(rng.sample([c[0] for c in COMMUNITIES], rng.randint(1, 2))))
        people.append(
            Person(
                id=slugify(name),
                name=name,
                site=rng.choice(SITES),
                communities=communities,
                expertise=tuple(rng.sample(text.TAGS, 3)),
                job=rng.choice(JOBS),
            )
        )
    return Corpus(n=n, seed=seed, people=tuple(people))


def _post(
    seed: int, i: int, people: tuple[Person, ...], names: dict[str, Person], seen: set[str]
) -> Post:
    rng = random.Random(f"{seed}:post:{i}")
    title = text.title(rng)
    slug = base = slugify(title)[:60].rstrip("-")
    k = 2
    while slug in seen:
        slug = f"{base}-{k}"
        k += 1
    seen.add(slug)
    author = rng.choice(people)
    date = NEWEST - i * SPACING - timedelta(minutes=rng.randrange(0, 5 * 60))
    tags = text.pick_tags(rng)
    summary = text.sentence(rng, rng.randint(12, 25)) if rng.random() < 0.3 else None
    body = text.body(rng, rng.randint(300, 1500))
    return Post(
        index=i,
        slug=slug,
        title=title,
        date=date.replace(second=0, microsecond=0),
        author=author.id,
        tags=tags,
        community=rng.choice(names[author.id].communities),
        summary=summary,
        body=body,
    )


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


# --- Veille ---------------------------------------------------------------


def veille_source(site: Path, post: Post) -> Path:
    return site / "content" / "posts" / str(post.year) / f"{post.slug}.md"


def veille_post(post: Post) -> str:
    lines = [
        "---",
        f"title: {_q(post.title)}",
        f"date: {post.date.isoformat()}",
        f"author: {post.author}",
        f"tags: [{', '.join(post.tags)}]",
        f"community: {post.community}",
    ]
    if post.summary is not None:
        lines.append(f"summary: {_q(post.summary)}")
    lines += ["---", "", post.body]
    return "\n".join(lines)


def _veille_people(corpus: Corpus) -> str:
    out = []
    for p in corpus.people:
        bio = f"{p.job} in {p.site}, works on {', '.join(p.expertise)}."
        out += [
            f"- id: {p.id}",
            f"  name: {_q(p.name)}",
            f"  email: {p.id.replace('-', '.')}@example.com",
            f"  title: {_q(p.job)}",
            f"  site: {p.site}",
            f"  communities: [{', '.join(p.communities)}]",
            f"  expertise: [{', '.join(p.expertise)}]",
            f"  bio: {_q(bio)}",
        ]
    return "\n".join(out) + "\n"


def _veille_communities(corpus: Corpus) -> str:
    out = []
    for cid, name, description, site in COMMUNITIES:
        members = [p.id for p in corpus.people if cid in p.communities]
        out += [
            f"- id: {cid}",
            f"  name: {_q(name)}",
            f"  description: {_q(description)}",
            f"  site: {site}",
            f"  leaders: [{', '.join(members[:2])}]",
        ]
    return "\n".join(out) + "\n"


def _veille_site(feeds: int, comments: int) -> str:
    lines = [
        'title: "Veille bench"',
        'description: "A generated corpus for benchmarks."',
        "base_url: http://127.0.0.1:8000/",
        "language: en",
        "timezone: UTC",
        "per_page: 10",
        "summary_words: 50",
    ]
    if feeds:
        lines.append("feeds:")
        for k in range(feeds):
            cid = COMMUNITIES[k % len(COMMUNITIES)][0]
            lines += [
                f"  - id: feed-{k + 1}",
                f"    url: content/feeds/feed-{k + 1}.xml",
                f'    title: "Feed {k + 1}"',
                f"    community: {cid}",
            ]
    if comments:
        lines += ["comments:", "  snapshot: comments.jsonl"]
    return "\n".join(lines) + "\n"


# --- Pelican --------------------------------------------------------------


def pelican_source(site: Path, post: Post) -> Path:
    return site / "content" / str(post.year) / f"{post.slug}.md"


def pelican_post(post: Post, people: dict[str, Person]) -> str:
    community = next(c[1] for c in COMMUNITIES if c[0] == post.community)
    lines = [
        f"Title: {post.title}",
        f"Date: {post.date:%Y-%m-%d %H:%M}",
        f"Author: {people[post.author].name}",
        f"Tags: {', '.join(post.tags)}",
        f"Category: {community}",
        f"Slug: {post.slug}",
    ]
    if post.summary is not None:
        lines.append(f"Summary: {post.summary}")
    return "\n".join(lines) + "\n\n" + post.body


# --- Hugo -----------------------------------------------------------------


def hugo_source(site: Path, post: Post) -> Path:
    return site / "content" / "posts" / str(post.year) / f"{post.slug}.md"


def hugo_post(post: Post) -> str:
    lines = [
        "---",
        f"title: {_q(post.title)}",
        f"date: {post.date:%Y-%m-%dT%H:%M:%SZ}",
        f"slug: {post.slug}",
        f"authors: [{post.author}]",
        f"tags: [{', '.join(post.tags)}]",
        f"community: {post.community}",
    ]
    if post.summary is not None:
        lines.append(f"summary: {_q(post.summary)}")
    lines += ["---", "", post.body]
    return "\n".join(lines)


def _write_hugo_authors(site: Path, corpus: Corpus, authors: set[str]) -> None:
    """Term pages carry the display names: ``content/authors/<id>/_index.md``."""
    for p in corpus.people:
        if p.id not in authors:  # an _index.md would make a page for someone with no post
            continue
        folder = site / "content" / "authors" / p.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text(
            f"---\ntitle: {_q(p.name)}\nslug: {p.id}\n---\n", encoding="utf-8"
        )


# --- writing --------------------------------------------------------------


def site_dir(tool: str, n: int, work: Path = WORK) -> Path:
    return work / f"{tool}-{n}"


def source_path(tool: str, site: Path, post: Post) -> Path:
    """The file that holds ``post`` in ``tool``'s input."""
    return {"veille": veille_source, "hugo": hugo_source, "pelican": pelican_source}[tool](
        site, post
    )


def render_post(tool: str, post: Post, people: dict[str, Person]) -> str:
    if tool == "veille":
        return veille_post(post)
    if tool == "hugo":
        return hugo_post(post)
    return pelican_post(post, people)


def write_corpus(
    n: int,
    seed: int = 42,
    work: Path = WORK,
    tools: tuple[str, ...] = TOOLS,
    feeds: int = 0,
    feed_items: int = 30,
    comments: int = 0,
    force: bool = False,
) -> dict[str, Path]:
    """Write each tool's site folder under ``work``; reuse one whose stamp matches."""
    corpus = make_corpus(n, seed)
    stamp = {
        "version": VERSION,
        "n": n,
        "seed": seed,
        "feeds": feeds,
        "feed_items": feed_items,
        "comments": comments,
    }
    people = {p.id: p for p in corpus.people}
    sites = {tool: site_dir(tool, n, work) for tool in tools}
    todo = [t for t in tools if force or not _stamp_matches(sites[t], stamp)]
    for tool in todo:
        if sites[tool].exists():
            shutil.rmtree(sites[tool])
        sites[tool].mkdir(parents=True)
    threads: list[str] = []
    authors: set[str] = set()
    if todo:
        for post in corpus.posts():
            threads.append(post.path)
            authors.add(post.author)
            for tool in todo:
                path = source_path(tool, sites[tool], post)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render_post(tool, post, people), encoding="utf-8")
    for tool in tools:
        site = sites[tool]
        if tool == "veille":
            content = site / "content"
            content.mkdir(parents=True, exist_ok=True)
            if tool in todo:
                (site / "site.yaml").write_text(_veille_site(feeds, comments), encoding="utf-8")
                (content / "people.yaml").write_text(_veille_people(corpus), encoding="utf-8")
                (content / "communities.yaml").write_text(
                    _veille_communities(corpus), encoding="utf-8"
                )
                if feeds:
                    text.write_feeds(content / "feeds", feeds, feed_items, seed)
                if comments:
                    text.write_comments(
                        site / "comments.jsonl", threads, corpus.people, comments, seed
                    )
        else:
            # The peers' config and theme are recopied every time: they are code, not corpus.
            for item in (PEERS / tool).iterdir():
                dest = site / item.name
                if item.is_dir():
                    shutil.copytree(item, dest, dirs_exist_ok=True)
                else:
                    shutil.copy2(item, dest)
            if tool == "hugo" and tool in todo:
                _write_hugo_authors(site, corpus, authors)
        if tool in todo:
            (site / STAMP).write_text(json.dumps(stamp, sort_keys=True), encoding="utf-8")
    return sites


def _stamp_matches(site: Path, stamp: dict[str, int]) -> bool:
    try:
        return bool(json.loads((site / STAMP).read_text(encoding="utf-8")) == stamp)
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="number of posts")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=WORK, help="work folder (bench/work)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--feeds", type=int, default=0, help="local Atom feeds for Veille")
    parser.add_argument("--feed-items", type=int, default=30, help="items per feed")
    parser.add_argument("--comments", type=int, default=0, help="comments in a snapshot")
    parser.add_argument("--force", action="store_true", help="rewrite even if up to date")
    args = parser.parse_args(argv)
    tools = tuple(t for t in args.tools.split(",") if t)
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    sites = write_corpus(
        args.n,
        args.seed,
        args.out,
        tools,
        feeds=args.feeds,
        feed_items=args.feed_items,
        comments=args.comments,
        force=args.force,
    )
    for tool, path in sites.items():
        print(f"{tool}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
