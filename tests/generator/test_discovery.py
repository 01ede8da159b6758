"""Discovery pages of a built site: events, calendars, experts, communities, people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from generator.build import build, load_site, make_wall
from generator.config import load_config
from generator.discovery import commented_items, tag_experts
from generator.model import CommentRecord, CommentsData
from tests.conftest import SiteFactory, post_text
from tests.htmlcheck import parse_page

EPOCH = "1796000000"  # 2026-11-29: after Platform Night #4, before the December evening
NIGHT = "/posts/2026/platform-night-4-kubernetes-upgrades/"
EVENING = "/posts/2026/data-ai-evening-llm-evaluation/"


@pytest.fixture
def built(sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "public"
    build(load_config(sample_site), out)
    return out


def section_text(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_events_page_splits_upcoming_and_past(built: Path) -> None:
    html = (built / "events/index.html").read_text()
    upcoming = section_text(html, 'id="upcoming-events"', 'id="past-events"')
    past = html[html.index('id="past-events"') :]
    assert "Data &amp; AI evening" in upcoming and "Platform Night #4" not in upcoming
    assert "Platform Night #4" in past
    page = parse_page(built / "events/index.html")
    assert "/events.ics" in page.links
    assert EVENING + "event.ics" in page.links
    # The night is over: no "Add to calendar" for it (its .ics file stays published).
    assert NIGHT + "event.ics" not in page.links
    assert (built / NIGHT.strip("/") / "event.ics").is_file()


def test_every_calendar_parses_back_in_the_site_time_zone(built: Path) -> None:
    files = [built / "events.ics", *built.glob("posts/**/event.ics")]
    assert len(files) == 3
    for path in files:
        cal = Calendar.from_ical(path.read_bytes())
        assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
        for event in cal.walk("VEVENT"):
            assert event["dtstart"].params["TZID"] == "Europe/Paris"
            assert str(event["uid"]).endswith("@127.0.0.1")
    night = Calendar.from_ical((built / NIGHT.strip("/") / "event.ics").read_bytes())
    (event,) = night.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.hour, start.minute, end.hour) == (18, 0, 20)
    assert start.astimezone(UTC) == datetime(2026, 11, 19, 17, tzinfo=UTC)
    assert str(event["uid"]) == NIGHT + "@127.0.0.1"


def test_meetup_page_groups_linked_posts_and_offers_a_calendar_until_it_is_over(
    built: Path,
) -> None:
    upcoming = parse_page(built / EVENING.strip("/") / "index.html")
    assert EVENING + "event.ics" in upcoming.links
    page = parse_page(built / NIGHT.strip("/") / "index.html")
    html = (built / NIGHT.strip("/") / "index.html").read_text()
    assert NIGHT + "event.ics" not in page.links
    phases = {"Before", "During", "After"}
    assert [text for level, text in page.headings if text in phases] == [
        "Before",
        "During",
        "After",
    ]
    before = section_text(html, 'id="phase-before"', 'id="phase-during"')
    during = section_text(html, 'id="phase-during"', 'id="phase-after"')
    after = html[html.index('id="phase-after"') :]
    assert "upgrade checklist" in before
    assert "Live from Platform Night #4" in during
    assert "recap" in after and "Live from" not in after


def test_tag_page_names_the_experts(built: Path) -> None:
    page = parse_page(built / "tags/kubernetes/index.html")
    assert "Experts on this topic" in page.text
    people_links = [link for link in page.links if link.startswith("/people/")]
    assert "/people/claire-dubois/" in people_links


def test_community_page_names_leaders_site_members_and_meetups(built: Path) -> None:
    page = parse_page(built / "communities/platform/index.html")
    assert "Led by" in page.text and "Members" in page.text
    assert "/sites/lyon/" in page.links
    assert NIGHT in page.links
    site_page = parse_page(built / "sites/lyon/index.html")
    assert "/communities/platform/" in site_page.links


def test_people_directory_lists_everyone_without_javascript(built: Path, sample_site: Path) -> None:
    page = parse_page(built / "people/index.html")
    config = load_config(sample_site)
    people = load_site(config).people
    for person in people:
        assert f"/people/{person.id}/" in page.links
    cards = [a for t, a in page.tags if t == "li" and "person-card" in (a.get("class") or "")]
    assert len(cards) == len(people)
    # the filter form is hidden until people.js shows it
    assert any(
        t == "form" and a.get("id") == "people-filters" and "hidden" in a for t, a in page.tags
    )
    assert "/static/people.js" in page.sources


def test_search_page_and_index_exist_and_item_pages_are_indexed(built: Path) -> None:
    page = parse_page(built / "search/index.html")
    assert "/static/search.js" in page.sources
    assert "Search needs JavaScript" in page.text
    assert (built / "pagefind/shard-0/pagefind-entry.json").is_file()
    assert (built / "pagefind/pagefind.js").is_file()
    assert not (built / "pagefind/shard-0/pagefind.js").exists()  # one copy of the JS
    # listings are not indexed: only item and person pages carry the body marker
    for listing in ("index.html", "tags/index.html", "people/index.html", "search/index.html"):
        assert "data-pagefind-body" not in (built / listing).read_text(encoding="utf-8")
    item = parse_page(built / NIGHT.strip("/") / "index.html")
    assert any(t == "article" and "data-pagefind-body" in a for t, a in item.tags)
    person = parse_page(built / "people/claire-dubois/index.html")
    assert any("data-pagefind-body" in a for _, a in person.tags)


def test_person_page_lists_items_they_commented_on(sample_site: Path) -> None:
    config = load_config(sample_site)
    wall = make_wall(load_site(config), config)
    when = datetime(2026, 11, 22, tzinfo=UTC)

    def comment(n: int, thread: str, person: str | None, status: str = "approved") -> CommentRecord:
        return CommentRecord(
            n, thread, None, "x", "hi", status, when.replace(hour=n), person_id=person
        )

    data = CommentsData(
        comments=(
            comment(1, NIGHT, "karim-benali"),
            comment(2, "/posts/2026/passkeys-rollout-notes/", "karim-benali"),
            comment(3, NIGHT, "karim-benali"),
            comment(4, "/posts/2026/duckdb-for-ad-hoc-analytics/", "karim-benali", "pending"),
            comment(5, "/not/published/", "karim-benali"),
            comment(6, NIGHT, None),
        )
    )
    found = commented_items(data, wall)
    assert [i.path for i in found["karim-benali"]] == [NIGHT, "/posts/2026/passkeys-rollout-notes/"]
    assert set(found) == {"karim-benali"}


def test_expertise_matches_tags_whatever_the_case(make_site: SiteFactory) -> None:
    config = load_config(make_site())
    site = load_site(config)
    assert tag_experts(site.people, ["Kubernetes", "rust"]) == {"Kubernetes": ["ada"]}


def test_french_site_translates_discovery_pages(
    make_site: SiteFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    posts = {
        "2026/meetup.md": post_text(
            {
                "title": "Soirée données",
                "date": "2026-11-02T10:00",
                "author": "ada",
                "community": "data",
                "event": {
                    "start": "2026-12-03T18:00",
                    "end": "2026-12-03T20:00",
                    "location": "Lyon",
                },
            }
        )
    }
    out = tmp_path / "out"
    build(load_config(make_site(posts=posts, language="fr")), out)
    events = parse_page(out / "events/index.html")
    assert events.lang == "fr"
    assert "Événements" in [text for level, text in events.headings if level == 1]
    assert "À venir" in events.text
    assert (out / "pagefind/shard-0/pagefind-entry.json").read_text().count('"fr"') >= 1
