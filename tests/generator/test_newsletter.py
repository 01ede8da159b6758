"""Edition selection: periods, what an edition contains, intros."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.errors import ContentError, UsageError
from generator.model import Curation, Site
from generator.newsletter.edition import (
    EXCERPT_WORDS,
    build_edition,
    current_week,
    edition_from_json,
    edition_to_json,
    load_intro,
    parse_intro,
    parse_period,
)
from generator.wall import item_from_feed
from tests.generator.newsletter_fixtures import NOW, WEEK, make_config, make_link, make_site


def test_week_boundaries_follow_the_site_timezone(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    period = parse_period(WEEK, None, config, NOW)
    # Monday 23 Nov 2026 00:00 in Paris is 22 Nov 23:00 UTC.
    assert period.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert period.end - period.start == timedelta(days=7)
    assert current_week(config, NOW) == WEEK


def test_since_runs_to_now_with_a_readable_id(tmp_path: Path) -> None:
    period = parse_period(None, "2026-11-20", make_config(tmp_path), NOW)
    assert period.id == "since-2026-11-20"
    assert period.end == NOW


@pytest.mark.parametrize(
    ("edition", "since", "message"),
    [
        ("2026-48", None, "expected an ISO week like 2026-W48"),
        ("2026-W54", None, "no such ISO week"),
        (None, "20/11/2026", "expected a date like 2026-11-20"),
        (None, "2027-01-01", "is not in the past"),
        ("2026-W48", "2026-11-20", "exactly one of"),
    ],
)
def test_bad_edition_ids_are_usage_errors(
    tmp_path: Path, edition: str | None, since: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        parse_period(edition, since, make_config(tmp_path), NOW)


def test_edition_gathers_the_week(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    edition = build_edition(make_site(), config, parse_period(WEEK, None, config, NOW), NOW)
    assert [p.title for p in edition.posts] == ["Post p1", "Post p0"]
    assert [g.name for g in edition.groups] == ["Platform", "Security"]
    links = [e for g in edition.groups for e in g.entries]
    assert len(links) == 4  # the link from 40 days ago is not new again
    note = next(e for e in links if e.external_url == "https://news.example.com/sec/0")
    assert 'href="https://veille.example.org/posts/2026/p0/"' in note.note_html
    assert "<script" not in note.note_html and "<img" not in note.note_html
    assert all(len(e.excerpt.split()) <= 41 and "alert" not in e.excerpt for e in links)
    assert [m.title for m in edition.meetups] == ["Kubernetes meetup"]
    assert [(d.title, d.comments) for d in edition.discussed] == [("Post p0", 3), ("Post old", 2)]
    assert edition.discussed[0].url == "https://veille.example.org/posts/2026/p0/"
    assert edition.subject == "Veille weekly — 2026-W48"
    assert "2 new posts" in edition.preheader


def test_group_by_tag_and_hidden_links(tmp_path: Path) -> None:
    config = make_config(tmp_path, "  group_by: tag\n")
    site = make_site()
    hidden = Curation(link="https://news.example.com/cloud/1", hide=True)
    site = Site(site.posts, site.people, site.communities, site.feed_items, (hidden,))
    edition = build_edition(site, config, parse_period(WEEK, None, config, NOW), NOW)
    assert [g.key for g in edition.groups] == ["cloud", "security"]
    titles = [e.title for g in edition.groups for e in g.entries]
    assert "Link 1 from cloud" not in titles


def test_cap_counts_what_is_left_for_the_wall(tmp_path: Path) -> None:
    config = make_config(tmp_path, "  max_items: 5\n")
    edition = build_edition(make_site(links=10), config, parse_period(WEEK, None, config, NOW), NOW)
    assert len(edition.posts) + edition.link_count == 5
    assert edition.omitted == 7


def test_an_empty_week_is_empty(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    site = Site((), (), (), (make_link(1, NOW - timedelta(days=60)),))
    edition = build_edition(site, config, parse_period("2026-W40", None, config, NOW), NOW)
    assert edition.is_empty


def test_intro_front_matter_and_round_trip(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    folder = tmp_path / "content" / "newsletter"
    folder.mkdir(parents=True)
    (folder / f"{WEEK}.md").write_text(
        "---\nsubject: Galettes and gateways\npreheader: Two posts\n---\n"
        "Hello *all*, see [the post](/posts/2026/p0/).\n",
        encoding="utf-8",
    )
    intro = load_intro(config, WEEK)
    assert intro is not None
    edition = build_edition(make_site(), config, parse_period(WEEK, None, config, NOW), NOW, intro)
    assert edition.subject == "Galettes and gateways"
    assert edition.preheader == "Two posts"
    assert 'href="https://veille.example.org/posts/2026/p0/"' in edition.intro_html
    assert edition_from_json(edition_to_json(edition)) == edition


def test_intro_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    folder = tmp_path / "content" / "newsletter"
    folder.mkdir(parents=True)
    (folder / f"{WEEK}.md").write_text("---\nsubject: x\ntitel: y\n---\nHi\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_intro(config, WEEK)
    assert f"{WEEK}.md:3: unknown key" in str(caught.value)
    assert load_intro(config, "2026-W01") is None


def test_a_hard_wrapped_intro_reads_as_whole_paragraphs(tmp_path: Path) -> None:
    text = "First line of the intro\ncontinues here.\n\nSecond paragraph\nalso wrapped.\n"
    intro = parse_intro(text, tmp_path / "2026-W48.md", "https://wall.example/")
    assert intro.text == (
        "First line of the intro continues here.\n\nSecond paragraph also wrapped."
    )


def test_a_link_has_the_same_excerpt_on_the_wall_and_in_the_email(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    words = " ".join(f"mot{i}," for i in range(60))  # a comma ends the 40th word too
    link = make_link(9, NOW - timedelta(days=1), summary_html=f"<p>L&rsquo;été : {words}</p>")
    site = replace(make_site(links=0), feed_items=(link,))
    edition = build_edition(site, config, parse_period(WEEK, None, config, NOW), NOW)
    emailed = edition.groups[0].entries[0].excerpt
    on_wall = item_from_feed(link, None, EXCERPT_WORDS).summary_html
    assert emailed.endswith("mot37…")
    assert on_wall == f"<p>{emailed}</p>"
