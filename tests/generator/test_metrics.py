"""Indicators on the hand-made network of ``metrics_fixtures``; expected values worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from generator.metrics import indicators as m
from generator.metrics.groups import group_rows, meetup_rows, site_groups, weekly_series
from generator.metrics.report import build_report, report_to_dict, report_to_json
from generator.model import CommentsData, Site
from tests.generator.metrics_fixtures import NOW, P1, at, comment, meetup_site, network, person

WINDOW = m.Window.ending(NOW, 28)


@pytest.fixture
def facts() -> m.Facts:
    return m.build_facts(network())


def test_window_is_open_at_start_and_closed_at_now() -> None:
    assert WINDOW.start == datetime(2026, 2, 1, tzinfo=UTC)
    assert WINDOW.days == 28
    assert not WINDOW.contains(WINDOW.start)
    assert WINDOW.contains(NOW)
    assert WINDOW.previous() == m.Window(datetime(2026, 1, 4, tzinfo=UTC), WINDOW.start)


def test_activation_counts_api_seen_accounts_commenters_reactors_and_authors(
    facts: m.Facts,
) -> None:
    # ann, bob (account by e-mail, any case), cat, dan (posts), eve (deleted comment),
    # fay, gus (rejected comment), hal, ivy (reactions); jon's account is after now;
    # zed is not in the directory.
    assert m.activated_people(facts, NOW) == frozenset(
        {"ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy"}
    )
    assert m.activation_rate(facts, NOW) == pytest.approx(9 / 10)


def test_activation_through_posts_only() -> None:
    site = network(comments=CommentsData())
    facts = m.build_facts(site)
    # cat (p1), dan (p2), ann (p3, p4) wrote posts; nobody else was seen.
    assert m.activation_rate(facts, NOW) == pytest.approx(3 / 10)


def test_contribution_rates_at_the_window_edges(facts: m.Facts) -> None:
    # p3 (exactly at the start) is out, p4 (exactly at now) is in; the deleted and
    # rejected comments and the stranger's comment do not count.
    assert m.contributions(facts, WINDOW) == {"cat": 2, "ann": 1, "bob": 2, "fay": 1}
    assert m.contribution_rate(facts, WINDOW) == pytest.approx(4 / 10)
    assert m.contribution_rate_of_activated(facts, WINDOW) == pytest.approx(4 / 9)


def test_engaged_people_include_reactions_in_the_window(facts: m.Facts) -> None:
    # contributors + hal (reaction on 15 Feb); ivy reacted in January.
    assert m.engaged(facts, WINDOW) == frozenset({"ann", "bob", "cat", "fay", "hal"})
    assert m.engaged_people(facts, WINDOW) == 5


def test_engaged_people_per_day() -> None:
    site = network(comments=CommentsData(), posts=())
    facts = m.build_facts(site)
    assert m.engaged_people_daily_mean(facts, WINDOW) == 0
    two_days = m.Window.ending(at(11), 2)
    facts = m.build_facts(network())
    # Day (9 Feb, 10 Feb 00:00]: cat (p1 at 00:00). Day (10 Feb, 11 Feb 00:00]: cat, bob,
    # and fay (comment at 11 Feb 00:00 exactly) → (1 + 3) / 2.
    assert m.engaged_people_daily_mean(facts, two_days) == pytest.approx((1 + 3) / 2)


def test_items_discussed_and_comments_per_item(facts: m.Facts) -> None:
    # Items of the window: p1 (4 approved comments), l1 (1, by a stranger), p4 (only
    # a rejected one). p3, at the start, is out.
    assert [i.path for i in m.window_items(facts, WINDOW)] == [
        P1,
        "/links/2026/l1/",
        "/posts/2026/p4/",
    ]
    assert m.items_discussed(facts, WINDOW) == pytest.approx(2 / 3)
    assert m.comments_per_item_median(facts, WINDOW) == 1


def test_reply_depth_follows_replies_through_deleted_comments(facts: m.Facts) -> None:
    # p1: c5 answers c4, which answers the deleted c3 → depth 3; l1: depth 1.
    assert m.reply_depth_median(facts, WINDOW) == 2


def test_time_to_first_reply_ignores_the_author_and_deleted_comments(facts: m.Facts) -> None:
    # p1: cat's own comment (01:00) and eve's deleted one (02:00) skipped → bob at 03:00;
    # l1: zed at 10:00; p4: none.
    assert m.first_reply_hours(facts, WINDOW) == [3.0, 10.0, None]
    assert m.time_to_first_reply_median_hours(facts, WINDOW) == 6.5
    assert m.first_reply_distribution(facts, WINDOW) == {
        "under_1h": 0,
        "1h_to_6h": 1,
        "6h_to_24h": 1,
        "1d_to_3d": 0,
        "3d_to_7d": 0,
        "over_7d": 0,
        "no_reply": 1,
    }


def test_concentration_and_tiers(facts: m.Facts) -> None:
    # Contributions 2, 2, 1, 1: the top 10% of 4 contributors is 1 person → 2 of 6.
    assert m.top10_share(facts, WINDOW) == pytest.approx(2 / 6)
    tiers = m.tiers(facts, WINDOW)
    assert {k: v["people"] for k, v in tiers.items()} == {"silent": 6, "occasional": 4, "heavy": 0}
    assert tiers["silent"]["share"] == pytest.approx(0.6)
    assert tiers["heavy"]["expected_share"] == 0.01


def test_heavy_tier_starts_at_five_contributions() -> None:
    comments = tuple(comment(i, P1, at(10 + i), person_id="bob") for i in range(1, 5))
    facts = m.build_facts(network(comments=CommentsData(comments=comments)))
    # bob: 4 comments → occasional; with a fifth he is heavy.
    assert m.tiers(facts, WINDOW)["heavy"]["people"] == 0
    comments += (comment(9, P1, at(20), person_id="bob"),)
    facts = m.build_facts(network(comments=CommentsData(comments=comments)))
    assert m.tiers(facts, WINDOW)["heavy"]["people"] == 1


def test_people_missing_from_the_directory_count_nowhere_in_rates(facts: m.Facts) -> None:
    assert m.unmatched_activity(facts, WINDOW) == 1  # zed's comment on l1
    assert "zed" not in m.activated_people(facts, NOW)
    assert len(facts.people) == 10


def test_unknown_person_id_falls_back_on_the_email() -> None:
    ids = frozenset({"ann"})
    assert m.resolve_person("ghost", " ANN@example.org ", ids, {"ann@example.org": "ann"}) == "ann"
    assert m.resolve_person(None, None, ids, {}) is None


def test_sites_merge_small_groups_into_other(facts: m.Facts) -> None:
    site = network()
    no_site = [p.id for p in site.people if not p.site]
    rows = group_rows(facts, WINDOW, site_groups(site), 5, ungrouped=no_site)
    assert [r.key for r in rows] == ["lyon", "other"]
    lyon, other = rows
    # lyon: ann bob cat dan eve, all activated; ann bob cat contributed (p1, p4, c1 c2 c5).
    assert (lyon.people, lyon.activation_rate, lyon.contribution_rate) == (5, 1.0, 0.6)
    assert (lyon.engaged_people, lyon.posts, lyon.comments) == (3, 2, 3)
    # other: nantes (fay gus hal) + paris (ivy) + jon (no site).
    assert (other.people, other.activation_rate, other.contribution_rate) == (5, 0.8, 0.2)
    assert (other.engaged_people, other.posts, other.comments) == (2, 0, 1)


def test_an_other_group_still_too_small_shows_nothing(facts: m.Facts) -> None:
    rows = group_rows(facts, WINDOW, site_groups(network()), 11)
    assert len(rows) == 1
    assert rows[0].suppressed
    assert rows[0].people is None and rows[0].contribution_rate is None


def test_weekly_series_has_26_iso_weeks_ending_with_now(facts: m.Facts) -> None:
    weeks = weekly_series(facts, NOW, ZoneInfo("Europe/Paris"))
    assert len(weeks) == 26
    assert (weeks[0].week, weeks[0].start) == ("2025-W36", "2025-09-01")
    assert weeks[-1].week == "2026-W09"
    by_week = {w.week: w for w in weeks}
    w07 = by_week["2026-W07"]  # 9–15 Feb: p1, c1 c2 c4 c5, hal's reaction
    assert (w07.posts, w07.links, w07.comments, w07.reactions, w07.engaged_people) == (
        1,
        0,
        4,
        1,
        4,
    )
    w08 = by_week["2026-W08"]  # l1 and zed's comment; zed is not counted as engaged
    assert (w08.posts, w08.links, w08.comments, w08.engaged_people) == (0, 1, 1, 0)
    assert by_week["2026-W09"].posts == 1  # p4, at now


def test_meetups_before_during_after() -> None:
    site = meetup_site()
    rows = meetup_rows(site, m.build_facts(site), WINDOW)
    assert [r.title for r in rows] == ["Meetup"]  # the January one ended before the window
    assert rows[0].posts == {"before": 2, "during": 0, "after": 1}
    assert rows[0].comments == {"before": 1, "during": 1, "after": 1}


def test_report_compares_with_the_previous_window() -> None:
    report = build_report(network(), NOW)
    # Previous window (4 Jan, 1 Feb]: activated ann (account 10 Jan), dan (p2), ivy
    # (reaction); contributors dan (p2), ann (p3 at 1 Feb 00:00); engaged + ivy.
    assert report.previous == {
        "activation_rate": pytest.approx(0.3),
        "contribution_rate": pytest.approx(0.2),
        "engaged_people": 3,
        "items_discussed": 0.0,
    }
    assert report.change("activation_rate") == pytest.approx(0.6)
    assert report.change("engaged_people") == 2


def test_json_carries_every_figure_as_rounded_numbers() -> None:
    data = report_to_dict(build_report(network(), NOW))
    assert data["activation_rate"] == 0.9
    assert data["contribution_rate_of_activated"] == 0.4444
    assert data["items_discussed"] == 0.6667
    assert data["top10_share"] == 0.3333
    assert data["time_to_first_reply_median_hours"] == 6.5
    assert data["window"] == {
        "start": "2026-02-01T00:00:00+00:00",
        "end": "2026-03-01T00:00:00+00:00",
        "days": 28,
    }
    assert data["now"] == "2026-03-01T00:00:00+00:00"
    assert len(data["weekly"]) == 26
    assert "activation_rate" in data["definitions"]
    assert "top_contributors" not in data


def test_top_contributors_only_when_enabled() -> None:
    report = build_report(network(), NOW, show_top_contributors=True)
    # bob 2, cat 2 (ties by name), then ann 1, fay 1.
    assert report.top_contributors == (("Bob", 2), ("Cat", 2), ("Ann", 1), ("Fay", 1))


def test_empty_network_gives_nulls_not_errors() -> None:
    report = build_report(Site(posts=(), people=(), communities=()), NOW)
    data = report_to_dict(report)
    assert not report.has_data
    for name in (
        "activation_rate",
        "contribution_rate",
        "contribution_rate_of_activated",
        "items_discussed",
        "comments_per_item_median",
        "reply_depth_median",
        "time_to_first_reply_median_hours",
        "top10_share",
        "engaged_people_daily_mean",
    ):
        assert data[name] is None, name
    assert data["engaged_people"] == 0
    assert data["changes"]["activation_rate"] is None
    assert data["communities"] == [] and data["sites"] == []


def test_json_is_byte_identical_for_the_same_inputs() -> None:
    assert report_to_json(build_report(network(), NOW)) == report_to_json(
        build_report(network(), NOW)
    )


def test_people_without_email_and_comment_cycles_do_not_break() -> None:
    site = network(
        people=(*network().people, person("kim")),
        comments=CommentsData(
            comments=(comment(1, P1, at(10, 5), parent=2), comment(2, P1, at(10, 6), parent=1))
        ),
    )
    facts = m.build_facts(site)
    assert sorted(facts.depths.values()) == [1, 2]
