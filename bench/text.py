"""Seeded text for the corpus: titles, Markdown bodies, feeds and comments.

Bodies mix what editors write: headings, paragraphs with links, emphasis and
inline code, bullet and numbered lists, fenced code blocks and pipe tables.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape


def words(text: str) -> tuple[str, ...]:
    """A word list kept as text: easier to read and edit than a literal."""
    return tuple(text.split())


WORDS = words("""
the a of to and in is for on with that as it this by from at are be we our
can will not more when how what which new one all their its into out about
team data service model system user code build test release deploy cluster
query index cache latency throughput memory storage network request response
pipeline schema table stream event queue worker job task metric alert log
trace dashboard incident review design pattern library framework language
runtime compiler package version upgrade migration feature flag rollout
review budget cost risk policy access token secret identity audit compliance
threat patch vulnerability scan baseline benchmark profile optimise measure
improve reduce increase keep avoid choose prefer start stop run write read
fast slow simple complex small large stable flaky reliable useful clear
first last next previous every each some many few most often rarely always
client server browser mobile desktop backend frontend database warehouse lake
notebook experiment training inference feature label dataset sample bias
drift evaluation prompt embedding vector search ranking retrieval agent
container image registry node pod volume ingress gateway proxy balancer
terraform ansible kubernetes docker python rust golang java typescript sql
week month quarter year meetup talk workshop paper article post thread note
""")

TAGS = words("""
python rust golang java typescript javascript kotlin scala sql graphql
kubernetes docker terraform ansible helm argo gitops observability prometheus
grafana opentelemetry logging tracing sre incident postmortem chaos resilience
cloud aws azure gcp serverless edge cdn networking dns tls
security appsec devsecops supply-chain sbom secrets iam zero-trust pentest
threat-modeling data-engineering spark kafka flink airflow dbt warehouse
lakehouse postgres redis elasticsearch machine-learning mlops llm rag
embeddings vector-search nlp computer-vision analytics visualisation
architecture microservices api-design testing ci-cd performance accessibility
frontend mobile open-source governance
""")

TITLE_FORMS = (
    "{Verb} {noun} with {tag}",
    "What we learned from {noun} {noun2}",
    "{Tag} in production: {noun} and {noun2}",
    "A field guide to {tag} {noun}",
    "Why our {noun} {verb}s {adj} {noun2}",
    "{Adj} {noun}: notes from the {tag} meetup",
    "How to {verb} {noun} without {noun2}",
    "{Tag} versus {tag2} for {noun}",
)
VERBS = words("scale test ship monitor secure profile migrate cache index review debug")
ADJS = words("fast simple reliable cheap small large stable quiet modern boring")
LANGUAGES = ("python", "yaml", "bash", "javascript", "go")


def title(rng: random.Random) -> str:
    form = rng.choice(TITLE_FORMS)
    tag, tag2 = rng.sample(TAGS, 2)
    values = {
        "verb": rng.choice(VERBS),
        "noun": rng.choice(WORDS[40:]),
        "noun2": rng.choice(WORDS[40:]),
        "adj": rng.choice(ADJS),
        "tag": tag,
        "tag2": tag2,
    }
    values.update({k.capitalize(): v.capitalize() for k, v in list(values.items())})
    return form.format(**values)


def pick_tags(rng: random.Random) -> tuple[str, ...]:
    """One to five tags, popular ones more often (a Zipf-like spread over 80 tags)."""
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
    chosen: list[str] = []
    wanted = rng.randint(1, 5)
    while len(chosen) < wanted:
        tag = rng.choices(TAGS, weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return tuple(chosen)


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def _prose(rng: random.Random, n: int) -> str:
    """A sentence with, sometimes, a link, emphasis or inline code."""
    words = rng.choices(WORDS, k=n)
    roll = rng.random()
    k = rng.randrange(0, max(1, n - 3))
    if roll < 0.15:
        words[k : k + 2] = [f"[{words[k]} {words[k + 1]}](https://example.com/{words[k]}/{k})"]
    elif roll < 0.25:
        words[k] = f"`{words[k]}()`"
    elif roll < 0.35:
        words[k] = f"**{words[k]}**"
    elif roll < 0.42:
        words[k] = f"*{words[k]}*"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> tuple[str, int]:
    sentences, count = [], 0
    target = rng.randint(40, 120)
    while count < target:
        n = rng.randint(8, 20)
        sentences.append(_prose(rng, n))
        count += n
    return " ".join(sentences), count


def _list(rng: random.Random) -> tuple[str, int]:
    ordered = rng.random() < 0.4
    items, count = [], 0
    for k in range(rng.randint(3, 6)):
        n = rng.randint(4, 12)
        mark = f"{k + 1}." if ordered else "-"
        items.append(f"{mark} {_prose(rng, n)}")
        count += n
    return "\n".join(items), count


def _code(rng: random.Random) -> str:
    lang = rng.choice(LANGUAGES)
    name, arg, other = rng.sample(WORDS[40:], 3)
    lines: list[str] = []
    for k in range(rng.randint(4, 18)):
        n = rng.randint(1, 999)
        if lang == "python":
            lines.append(
                f"def {name}_{k}({arg}):\n    return {arg}.get('{other}', {n})"
                if k % 3 == 0
                else f"{other}_{k} = {name}_{k // 3 * 3}({arg}={n})"
            )
        elif lang == "yaml":
            lines.append(f"{name}_{k}:\n  {arg}: {n}\n  {other}: [{arg}, {other}]")
        elif lang == "bash":
            lines.append(f"{name} --{arg} {n} | grep -c '{other}' > /tmp/{other}_{k}.log")
        elif lang == "javascript":
            lines.append(f"const {name}{k} = await fetch(`/{arg}/${{id}}`).then((r) => r.{other});")
        else:
            lines.append(f"func {name}{k}({arg} int) int {{ return {arg} * {n} }}")
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def _table(rng: random.Random) -> str:
    cols = rng.sample(WORDS[40:], rng.randint(3, 4))
    rows = ["| " + " | ".join(c.capitalize() for c in cols) + " |"]
    rows.append("|" + " --- |" * len(cols))
    for _ in range(rng.randint(3, 6)):
        cells = [rng.choice(WORDS[40:])] + [str(rng.randint(1, 5000)) for _ in cols[1:]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def body(rng: random.Random, words: int) -> str:
    """About ``words`` words of Markdown; every body has a heading, a list, a code block."""
    blocks: list[str] = []
    count = 0
    text, n = _paragraph(rng)
    blocks.append(text)
    count += n
    section = 0
    while count < words:
        level = "###" if section and rng.random() < 0.25 else "##"
        blocks.append(f"{level} {sentence(rng, rng.randint(2, 5))[:-1]}")
        for _ in range(rng.randint(1, 3)):
            text, n = _paragraph(rng)
            blocks.append(text)
            count += n
        if section == 0 or rng.random() < 0.5:
            text, n = _list(rng)
            blocks.append(text)
            count += n
        if section == 0 or rng.random() < 0.35:
            blocks.append(_code(rng))
        if (section == 1 and rng.random() < 0.5) or rng.random() < 0.1:
            blocks.append(_table(rng))
        section += 1
    return "\n\n".join(blocks) + "\n"


def write_feeds(folder: Path, feeds: int, items: int, seed: int) -> None:
    """Local Atom files ``feed-K.xml`` (Veille reads local feed paths like URLs)."""
    folder.mkdir(parents=True, exist_ok=True)
    newest = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
    for k in range(1, feeds + 1):
        rng = random.Random(f"{seed}:feed:{k}")
        entries = []
        for j in range(items):
            when = (newest - timedelta(hours=7 * j + k)).strftime("%Y-%m-%dT%H:%M:%SZ")
            link = f"https://news{k}.example.com/{j}/{rng.choice(WORDS[40:])}"
            entries.append(
                "  <entry>\n"
                f"    <title>{escape(title(rng))}</title>\n"
                f'    <link href="{link}"/>\n'
                f"    <id>{link}</id>\n"
                f"    <updated>{when}</updated>\n"
                f"    <summary>{escape(sentence(rng, rng.randint(20, 60)))}</summary>\n"
                "  </entry>"
            )
        (folder / f"feed-{k}.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>Feed {k}</title>\n"
            f"  <id>https://news{k}.example.com/</id>\n"
            f"  <updated>{newest:%Y-%m-%dT%H:%M:%SZ}</updated>\n"
            + "\n".join(entries)
            + "\n</feed>\n",
            encoding="utf-8",
        )


def write_comments(
    path: Path, threads: Sequence[str], people: Sequence[Any], count: int, seed: int
) -> None:
    """A comments export (JSON Lines, the format of ``veille comments export``)."""
    rng = random.Random(f"{seed}:comments")
    start = datetime(2025, 6, 30, 20, 0, tzinfo=UTC)
    lines: list[dict[str, object]] = []
    for person in people:
        if rng.random() < 0.7:
            lines.append(
                {
                    "type": "account",
                    "email": f"{person.id.replace('-', '.')}@example.com",
                    "person_id": person.id,
                    "first_seen": (start - timedelta(days=rng.randint(30, 400))).isoformat(),
                }
            )
    by_thread: dict[str, list[int]] = {}
    for cid in range(1, count + 1):
        # Recent posts get most of the discussion.
        thread = threads[min(len(threads) - 1, int(rng.expovariate(1 / 40)))]
        person = rng.choice(people)
        siblings = by_thread.setdefault(thread, [])
        parent = rng.choice(siblings) if siblings and rng.random() < 0.4 else None
        siblings.append(cid)
        lines.append(
            {
                "type": "comment",
                "id": cid,
                "thread": thread,
                "parent": parent,
                "author_name": person.name,
                "email": f"{person.id.replace('-', '.')}@example.com",
                "person_id": person.id,
                "body": sentence(rng, rng.randint(5, 60)),
                "status": "approved",
                "created": (start - timedelta(minutes=count - cid)).isoformat(),
                "edited": None,
            }
        )
        if rng.random() < 0.3:
            lines.append(
                {
                    "type": "reaction",
                    "comment_id": cid,
                    "kind": rng.choice(("like", "insightful", "question")),
                    "email": None,
                    "person_id": rng.choice(people).id,
                    "created": (start - timedelta(minutes=count - cid - 1)).isoformat(),
                }
            )
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
