"""The metrics page, its JSON and the notice, as a reader (or an auditor) sees them."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build import make_wall, render_context
from generator.config import SiteConfig, parse_config
from generator.metrics.charts import PALETTE, finish_svg, ticks
from generator.metrics.page import render_metrics
from generator.model import Site
from tests.generator.metrics_fixtures import NOW, network

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def config(tmp_path: Path, language: str = "en", metrics: str = "") -> SiteConfig:
    text = f"title: Veille\nlanguage: {language}\n{metrics}"
    return parse_config(text, tmp_path / "site.yaml")


def render(site: Site, cfg: SiteConfig) -> dict[str, bytes]:
    files = render_metrics(render_context(site, make_wall(site, cfg), cfg, NOW))
    return {f.path: f.data for f in files}


class Outline(HTMLParser):
    """Tags, ids and text of a page, enough to check what a reader gets."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def outline(data: bytes) -> Outline:
    parser = Outline()
    parser.feed(data.decode("utf-8"))
    return parser


def test_build_writes_the_page_the_json_and_the_notice(tmp_path: Path) -> None:
    files = render(network(), config(tmp_path))
    assert sorted(files) == [
        "metrics/index.html",
        "metrics/metrics.json",
        "metrics/notice/index.html",
    ]
    page = outline(files["metrics/index.html"])
    assert any(a.get("href", "").endswith("/metrics/notice/") for a in page.all("a"))
    # Headline tiles with the hand-worked figures: 9 of 10 activated, 4 of 10 contributed.
    assert "Profile activation rate 90%" in page.words
    assert "Contribution rate 40%" in page.words
    assert "+60 pt against the previous window" in page.words
    assert "Engaged people 5 +2" in page.words
    assert "count in neither the numerator nor the denominator" in page.words


def test_each_chart_is_a_labelled_figure_with_a_data_table(tmp_path: Path) -> None:
    html = render(network(), config(tmp_path))["metrics/index.html"].decode()
    page = outline(html.encode())
    svgs = page.all("svg")
    assert len(svgs) == 6  # each chart drawn wide and narrow; the page's CSS shows one
    for svg in svgs:
        assert svg["role"] == "img"
        chart = svg["id"]
        assert chart is not None
        assert f'<title id="{chart.removeprefix("chart-")}-title">' in html
    assert len(page.all("figure")) == 3 == len(page.all("figcaption"))
    assert len(page.all("table")) >= 3
    ids = [a["id"] for _tag, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_page_is_reproducible_and_script_free(tmp_path: Path) -> None:
    first = render(network(), config(tmp_path))
    second = render(network(), config(tmp_path))
    assert first == second
    for data in first.values():
        text = data.decode()
        assert "<script" not in text.lower()
        assert not UUID.search(text)
        assert "<img" not in text  # no tracking pixel


def test_json_has_the_indicators_as_fractions(tmp_path: Path) -> None:
    data = json.loads(render(network(), config(tmp_path))["metrics/metrics.json"])
    assert data["activation_rate"] == 0.9
    assert data["contribution_rate"] == 0.4
    assert data["engaged_people"] == 5
    assert data["items_discussed"] == 0.6667
    assert data["tiers"]["silent"]["people"] == 6
    assert data["window"]["days"] == 28
    assert {"weekly", "communities", "sites", "meetups", "definitions", "now"} <= set(data)


def test_small_groups_are_never_shown_alone(tmp_path: Path) -> None:
    files = render(network(), config(tmp_path))
    page = outline(files["metrics/index.html"]).words
    data = json.loads(files["metrics/metrics.json"])
    # nantes (3 people) and paris (1) are merged into "other" with jon (no site).
    assert [s["key"] for s in data["sites"]] == ["lyon", "other"]
    assert "nantes" not in page and "paris" not in page
    # The "sec" community has 2 members; "data" has 5.
    assert [c["key"] for c in data["communities"]] == ["data", "other"]
    assert data["communities"][1]["suppressed"] is True
    assert "Security" not in page
    assert "Too few people to show" in page


def test_min_group_size_is_configurable(tmp_path: Path) -> None:
    cfg = config(tmp_path, metrics="metrics:\n  min_group_size: 2\n")
    data = json.loads(render(network(), cfg)["metrics/metrics.json"])
    assert [c["key"] for c in data["communities"]] == ["data", "sec"]
    assert [s["key"] for s in data["sites"]] == ["lyon", "nantes", "other"]


@pytest.mark.parametrize(("enabled", "shown"), [(False, False), (True, True)])
def test_people_are_ranked_only_when_the_site_enables_it(
    tmp_path: Path, enabled: bool, shown: bool
) -> None:
    cfg = config(tmp_path, metrics=f"metrics:\n  show_top_contributors: {str(enabled).lower()}\n")
    files = render(network(), cfg)
    page = outline(files["metrics/index.html"]).words
    assert ("Bob: 2" in page) is shown
    assert ("top_contributors" in json.loads(files["metrics/metrics.json"])) is shown


def test_empty_network_says_no_data_yet(tmp_path: Path) -> None:
    files = render(Site(posts=(), people=(), communities=()), config(tmp_path))
    assert "No data yet" in outline(files["metrics/index.html"]).words
    data = json.loads(files["metrics/metrics.json"])
    assert data["activation_rate"] is None
    assert data["has_data"] is False


def test_notice_is_in_english_and_french(tmp_path: Path) -> None:
    notice = outline(render(network(), config(tmp_path, "fr"))["metrics/notice/index.html"])
    sections = [a.get("lang") for a in notice.all("section")]
    assert sections == ["fr", "en"]
    assert "ni pixel espion" in notice.words
    assert "no tracking pixel" in notice.words
    assert "at least 5 people" in notice.words


def test_french_page_formats_figures_for_the_locale(tmp_path: Path) -> None:
    page = outline(render(network(), config(tmp_path, "fr"))["metrics/index.html"]).words
    assert "90 %" in page  # French percent, with a space
    assert "Taux d’activation des profils" in page or "Taux d'activation des profils" in page


def test_finish_svg_removes_scripts_comments_and_random_ids() -> None:
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" id="chart-0f0e0d0c-0b0a-4909-8807-060504030201">'
        "<!-- generated on 2026-01-01 --><script>alert(1)</script>"
        '<g id="activate-serie-0"/></svg>'
    )
    svg = finish_svg(raw, "c", "Title & more", "Desc")
    assert svg == (
        '<svg xmlns="http://www.w3.org/2000/svg" id="chart-c" role="img" '
        'aria-labelledby="c-title c-desc"><title id="c-title">Title &amp; more</title>'
        '<desc id="c-desc">Desc</desc><g id="c-serie-0"/></svg>'
    )


def test_every_metrics_setting_is_documented() -> None:
    from generator.config import MetricsConfig

    docs = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    for key in MetricsConfig.model_fields:
        assert f"| `{key}` |" in docs, key


def test_every_series_is_in_a_legend_inside_the_drawing(tmp_path: Path) -> None:
    html = render(network(), config(tmp_path))["metrics/index.html"].decode()
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL):
        height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))  # type: ignore[union-attr]  # pygal always writes one
        legend = re.search(
            r'<g transform="translate\(8, (\d+)\)"><g class="chart-legend">(.*?)</g></g>',
            svg,
            re.DOTALL,
        )
        assert legend is not None
        top = float(legend.group(1))
        for y in re.findall(r'<text x="[\d.]+" y="(\d+)"', legend.group(2)):
            assert top + float(y) < height, "a legend entry below the drawing's edge"
    assert html.count("chart-legend") == 6
    weekly = html[html.index('id="chart-metrics-weekly"') :]
    for name in ("Posts", "Links", "Comments", "Reactions", "Engaged people"):
        assert f">{name}</text>" in weekly.split("</svg>")[0]


def test_chart_colours_are_the_site_palette_and_distinct() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
    assert all(colour.startswith("var(--chart-") for colour in PALETTE)


def test_phone_ticks_are_few_and_round() -> None:
    assert ticks(25) == [0, 10, 20, 30]
    assert ticks(3) == [0, 1, 2, 3]
    assert ticks(0) == [0, 1]
