"""The feed cache: round trips, determinism, in-place updates, slugs, load_feed_items."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.config import SiteConfig
from generator.errors import ContentError
from generator.feeds.cache import (
    CachedFeed,
    FeedState,
    SlugRegistry,
    cache_file,
    dump_cached_feed,
    load_all_cached,
    load_cached_feed,
    load_feed_items,
    merge_duplicates,
    merge_items,
    read_cached_feed,
    save_cached_feed,
)
from generator.model import FeedItem
from tests.generator.conftest import FeedSite

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def item(n: int, feed: str = "a", **kw: object) -> FeedItem:
    values: dict[str, object] = {
        "id": f"id-{n}",
        "feed_id": feed,
        "title": f"Item {n}",
        "published": T0 - timedelta(hours=n),
        "link": f"https://{feed}.example/{n}",
        "summary_html": f"<p>summary {n}</p>",
        "first_seen": T0,
        "slug": f"item-{n}-{feed}",
        "tags": ("x",),
    }
    values.update(kw)
    return FeedItem(**values)  # type: ignore[arg-type]


def state(url: str = "https://a.example/feed") -> FeedState:
    return FeedState(url=url, configured_url=url)


# -- files ---------------------------------------------------------------------------------


def test_round_trip_is_exact_and_deterministic(feed_site: FeedSite) -> None:
    config = feed_site({"id": "a", "url": "https://a.example/feed"})
    full = item(
        1,
        updated=T1,
        content_html="<p>é</p>",
        author="Ann",
        thumbnail="https://a.example/t.png",
        source_title="A",
        source_url="https://a.example/",
    )
    cached = CachedFeed(
        "a",
        replace(state(), etag='"v1"', failures=2, retry_after=T1, last_error="boom"),
        (item(2), full),
    )
    path = save_cached_feed(config, cached)
    assert path == cache_file(config, "a") == config.cache_path / "feeds" / "a.json"
    loaded = read_cached_feed(path)
    assert loaded.state == cached.state
    assert loaded.items == (full, item(2))  # stored newest first
    assert dump_cached_feed(loaded) == path.read_text("utf-8")
    doc = json.loads(path.read_text("utf-8"))
    assert doc["format"] == 1 and list(doc) == sorted(doc)
    assert "é" in path.read_text("utf-8")  # readable, not \\u-escaped
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"format": 99}',
        '{"format": 1, "feed_id": "a", "state": {}, "items": []}',
        '{"format": 1, "feed_id": "a", "state": {"url": "u", "configured_url": "u"},'
        ' "items": [{"id": "1"}]}',
        '{"format": 1, "feed_id": "a", "state": {"url": "u", "configured_url": "u",'
        ' "last_failed": "2026-01-01T00:00:00"}, "items": []}',
    ],
)
def test_corrupt_cache(feed_site: FeedSite, text: str) -> None:
    config = feed_site({"id": "a", "url": "https://a.example/feed"})
    path = cache_file(config, "a")
    path.parent.mkdir(parents=True)
    path.write_text(text, "utf-8")
    assert load_cached_feed(config, "a") is None  # the fetcher starts afresh
    with pytest.raises(ContentError) as caught:
        load_feed_items(config)  # the build says which file to delete
    assert str(caught.value).startswith(f"{path}: ")
    assert "run `veille fetch`" in str(caught.value)


def test_load_all_cached_reads_every_file(feed_site: FeedSite) -> None:
    config = feed_site({"id": "a", "url": "https://a.example/feed"})
    assert load_all_cached(config) == {}
    save_cached_feed(config, CachedFeed("a", state(), (item(1),)))
    save_cached_feed(config, CachedFeed("old", state(), (item(2, "old"),)))
    assert sorted(load_all_cached(config)) == ["a", "old"]


# -- merging a fetch -------------------------------------------------------------------------


def test_new_items_are_added_and_old_ones_kept() -> None:
    registry = SlugRegistry()
    first = merge_items((), [item(1), item(2)], registry, T0)
    assert (first.added, first.updated) == (2, 0)
    second = merge_items(first.items, [item(3)], registry, T1)
    assert [i.id for i in second.items] == ["id-1", "id-2", "id-3"]
    assert second.added == 1


def test_unchanged_items_are_not_touched() -> None:
    registry = SlugRegistry()
    first = merge_items((), [item(1)], registry, T0)
    again = merge_items(first.items, [replace(item(1), first_seen=T1, published=T1)], registry, T1)
    assert again.items == first.items
    assert (again.added, again.updated) == (0, 0)


def test_an_edited_item_is_updated_in_place() -> None:
    registry = SlugRegistry()
    original = merge_items((), [item(1)], registry, T0).items
    edited = replace(
        item(1),
        title="Item 1, corrected",
        slug="item-1-corrected",
        published=T1,  # the feed moved its date: the wall page must not move
        first_seen=T1,
        summary_html="<p>new</p>",
    )
    result = merge_items(original, [edited], registry, T1)
    (after,) = result.items
    assert result.updated == 1 and result.added == 0
    assert after.title == "Item 1, corrected" and after.summary_html == "<p>new</p>"
    assert after.slug == original[0].slug
    assert after.path == original[0].path
    assert after.published == original[0].published and after.first_seen == T0
    assert after.updated == T1


def test_update_uses_the_feeds_own_updated_date() -> None:
    registry = SlugRegistry()
    original = merge_items((), [item(1)], registry, T0).items
    stamp = T0 + timedelta(hours=3)
    result = merge_items(original, [replace(item(1), title="new", updated=stamp)], registry, T1)
    assert result.items[0].updated == stamp


def test_an_item_whose_guid_changed_is_matched_by_link() -> None:
    registry = SlugRegistry()
    original = merge_items((), [item(1)], registry, T0).items
    moved = replace(item(1), id="new-guid", title="Retitled")
    result = merge_items(original, [moved], registry, T1)
    assert [i.id for i in result.items] == ["new-guid"]
    assert result.items[0].slug == original[0].slug


def test_two_entries_sharing_a_link_do_not_take_turns() -> None:
    registry = SlugRegistry()
    pair = [item(1, link="https://a.example/home"), item(2, link="https://a.example/home")]
    first = merge_items((), pair, registry, T0)
    assert first.added == 2
    again = merge_items(first.items, pair, registry, T1)
    assert (again.added, again.updated) == (0, 0)
    assert again.items == first.items


def test_slugs_are_unique_across_the_cache() -> None:
    registry = SlugRegistry.of([CachedFeed("b", state(), (item(9, "b", slug="same-abcdef"),))])
    clash = item(1, slug="same-abcdef")
    (claimed,) = merge_items((), [clash], registry, T0).items
    assert claimed.slug != "same-abcdef"
    assert claimed.slug.startswith("item-1-") and len(claimed.slug.rsplit("-", 1)[1]) == 8


def test_the_same_article_in_two_feeds_shares_slug_and_dates() -> None:
    registry = SlugRegistry()
    in_a = merge_items((), [item(1, link="https://news.example/x")], registry, T0).items[0]
    later = replace(
        item(7, "b", link="https://news.example/x"), first_seen=T1, published=T1, slug="other"
    )
    in_b = merge_items((), [later], registry, T1).items[0]
    assert (in_b.slug, in_b.published, in_b.first_seen) == (
        in_a.slug,
        in_a.published,
        in_a.first_seen,
    )


def test_retain_bounds_the_cache() -> None:
    result = merge_items((), [item(n) for n in range(10)], SlugRegistry(), T0, retain=3)
    assert [i.id for i in result.items] == ["id-0", "id-1", "id-2"]


# -- what the build reads --------------------------------------------------------------------


def test_nothing_cached_gives_nothing(feed_site: FeedSite) -> None:
    config = feed_site({"id": "a", "url": "https://a.example/feed"})
    assert load_feed_items(config) == ()


def _cache(config: SiteConfig, feed: str, *items: FeedItem, title: str = "") -> None:
    save_cached_feed(config, CachedFeed(feed, replace(state(), title=title), items))


def test_load_applies_max_items_tags_and_titles(feed_site: FeedSite) -> None:
    config = feed_site(
        {"id": "a", "url": "https://a.example/feed", "max_items": 2, "tags": ["watch", "x"]},
        {"id": "b", "url": "https://b.example/feed", "title": "Bee"},
    )
    _cache(config, "a", *(item(n) for n in range(5)), title="Feed A")
    _cache(config, "b", item(1, "b", published=T1), title="ignored")
    _cache(config, "removed", item(1, "removed"))  # not in site.yaml any more
    items = load_feed_items(config)
    assert [(i.feed_id, i.id) for i in items] == [("b", "id-1"), ("a", "id-0"), ("a", "id-1")]
    assert items[0].source_title == "Bee"
    assert items[1].source_title == "Feed A"
    assert items[1].tags == ("watch", "x")


def test_duplicates_across_feeds_are_merged(feed_site: FeedSite) -> None:
    config = feed_site(
        {"id": "a", "url": "https://a.example/feed"},
        {"id": "b", "url": "https://b.example/feed"},
    )
    shared = "https://news.example/story"
    _cache(config, "a", item(1, link=shared, first_seen=T1, tags=("from-a",)))
    _cache(config, "b", item(2, "b", link=shared, first_seen=T0, tags=("from-b",)))
    (merged,) = load_feed_items(config)
    assert merged.feed_id == "b"  # seen first
    assert merged.tags == ("from-b", "from-a")


def test_merge_duplicates_tie_breaks_on_feed_order_and_keeps_paths_unique() -> None:
    a = item(1, "a", link="https://n.example/s")
    b = item(1, "b", link="https://n.example/s")
    assert merge_duplicates([b, a], {"a": 0, "b": 1})[0].feed_id == "a"
    assert merge_duplicates([b, a], {"a": 1, "b": 0})[0].feed_id == "b"
    twins = merge_duplicates([item(1, "a", slug="s"), item(2, "a", slug="s")])
    assert len({i.path for i in twins}) == 2
    no_link = [item(1, "a", link=None, id="7"), item(2, "b", link=None, id="7")]
    assert len(merge_duplicates(no_link)) == 2  # bare ids are per feed
    uri = [item(1, "a", link=None, id="urn:x"), item(2, "b", link=None, id="urn:x")]
    assert len(merge_duplicates(uri)) == 1


def test_load_never_touches_the_network(
    feed_site: FeedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build touched the network")

    monkeypatch.setattr(httpx.AsyncClient, "send", forbidden)
    monkeypatch.setattr(httpx.Client, "send", forbidden)
    config = feed_site({"id": "a", "url": "https://a.example/feed"})
    _cache(config, "a", item(1))
    assert len(load_feed_items(config)) == 1


def test_cache_path_follows_cache_dir(feed_site: FeedSite, tmp_path: Path) -> None:
    config = feed_site({"id": "a", "url": "https://a.example/feed"}, cache_dir="state")
    assert cache_file(config, "a") == tmp_path / "site" / "state" / "feeds" / "a.json"


def test_a_cache_written_by_another_version_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    doc = json.loads(dump_cached_feed(CachedFeed("a", state(), (item(1),))))
    doc["state"]["written_by_another_veille"] = 42
    path.write_text(json.dumps(doc))
    loaded = read_cached_feed(path)
    assert loaded.state == state()
    assert loaded.items == (item(1),)
