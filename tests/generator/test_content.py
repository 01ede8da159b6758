"""Content loading: valid posts become records; every kind of bad input names file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import load_site
from generator.config import load_config
from generator.errors import ContentError
from generator.sources.content import load_content, scaffold_post
from tests.conftest import REPO, SiteFactory, post_text

INVALID = sorted((REPO / "tests" / "data" / "invalid").iterdir())


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_invalid_site_reports_the_exact_problem(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case)
    expected = (case / "expected.txt").read_text().strip().splitlines()
    with pytest.raises(ContentError) as caught:
        load_site(load_config(case / "site.yaml"))  # posts, directory, then collections
    assert [str(p) for p in caught.value.problems] == expected


def test_all_problems_of_all_files_at_once(make_site: SiteFactory) -> None:
    site = make_site(
        posts={
            "2026/a.md": post_text({"title": "A", "date": "2026-11-02", "author": "nobody"}),
            "2026/b.md": post_text({"date": "2026-11-02"}),
            "2026/c.md": "---\ntitle: [\n---\n",
        }
    )
    with pytest.raises(ContentError) as caught:
        load_content(load_config(site))
    messages = sorted(f"{Path(p.path).name}:{p.line}: {p.message}" for p in caught.value.problems)
    assert len(messages) == 3
    assert messages[0].startswith("a.md:4: unknown person id 'nobody'")
    assert messages[1] == "b.md:2: required"
    assert messages[2].startswith("c.md:3: invalid YAML")


def test_post_fields_dates_and_summary(make_site: SiteFactory) -> None:
    body = "# Heading\n\n" + " ".join(f"word{i}" for i in range(80))
    site = make_site(
        posts={
            "2026/naive.md": post_text(
                {"title": "Naive", "date": "2026-07-01 09:00", "tags": ["AI", "ai", "Rust"]}, body
            ),
            "2026/dated.md": post_text(
                {"title": "Dated", "date": "2026-07-01T09:00:00+00:00", "summary": "Mine."}
            ),
        },
        summary_words=10,
    )
    _, posts = load_content(load_config(site))
    by_slug = {p.slug: p for p in posts}
    naive = by_slug["naive"]
    # Europe/Paris is UTC+2 in July: 09:00 local is 07:00 UTC.
    assert naive.date == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert naive.tags == ("ai", "rust")
    assert naive.summary == "Heading word0 word1 word2 word3 word4 word5 word6 word7 word8…"
    assert naive.path == "/posts/2026/naive/"
    # The body's top heading becomes <h2>: the page's title is the only <h1>.
    assert naive.body_html.startswith('<h2 id="heading">Heading</h2>')
    assert by_slug["dated"].summary == "Mine."


def test_drafts_are_excluded_unless_asked(make_site: SiteFactory) -> None:
    site = make_site(
        posts={
            "2026/live.md": post_text({"title": "Live", "date": "2026-11-01"}),
            "2026/wip.md": post_text({"title": "WIP", "date": "2026-11-01", "draft": True}),
        }
    )
    config = load_config(site)
    assert [p.slug for p in load_content(config)[1]] == ["live"]
    assert sorted(p.slug for p in load_content(config, drafts=True)[1]) == ["live", "wip"]


def test_event_must_end_after_it_starts(make_site: SiteFactory) -> None:
    site = make_site(
        posts={
            "2026/m.md": post_text(
                {
                    "title": "Meetup",
                    "date": "2026-11-01",
                    "event": {"start": "2026-11-10T18:00", "end": "2026-11-10T17:00"},
                }
            )
        }
    )
    with pytest.raises(ContentError, match=r"m.md:6: event.end: the event ends before it starts"):
        load_content(load_config(site))


def test_people_and_communities_reference_each_other(make_site: SiteFactory) -> None:
    site = make_site(
        people=[{"id": "ada", "name": "Ada", "communities": ["nope"]}, {"id": "ada", "name": "B"}],
        communities=[{"id": "data", "name": "Data", "leaders": ["ghost"]}],
        posts={},
    )
    with pytest.raises(ContentError) as caught:
        load_content(load_config(site))
    text = str(caught.value)
    # yaml.safe_dump sorts keys: people.yaml is "- communities:", "  - nope", "  id: ada", ...
    assert "people.yaml:2: [0].communities: unknown community id 'nope'" in text
    assert "people.yaml:5: id: duplicate id 'ada'" in text
    assert "communities.yaml:3: [0].leaders: unknown person id 'ghost'" in text


def test_scaffolded_post_is_valid(make_site: SiteFactory) -> None:
    site = make_site(posts={})
    text = scaffold_post("Hello, wörld", datetime(2026, 11, 3, 9, 30, tzinfo=UTC), "ada")
    path = site.parent / "content" / "posts" / "2026" / "hello.md"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    _, posts = load_content(load_config(site), drafts=True)
    assert [(p.title, p.author, p.draft) for p in posts] == [("Hello, wörld", "ada", True)]
