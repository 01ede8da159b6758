"""Metrics, the charts: figures → static, accessible, reproducible SVG (pygal, no script).

pygal names each chart with a random UUID, stamps the date in a comment and
embeds a script; all three are removed so that the same figures give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pygal
from pygal.style import Style

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="currentColor",
    foreground_strong="currentColor",
    foreground_subtle="#767676",
    opacity="0.85",
    opacity_hover="0.95",
    transition="0ms",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    # Okabe-Ito: distinguishable with the common colour-vision deficiencies.
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"),
)
_OPTIONS: dict[str, object] = {
    "style": _STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": False,
    "width": 720,
    "height": 320,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 3,
    "print_zeroes": True,
    "show_x_guides": False,
    "margin": 8,
    "pretty_print": False,
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SERIE_ID = re.compile(r'id="activate-serie-(\d+)"')
_ROOT = re.compile(r"<svg\b([^>]*)>")


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: a stable id, its title and description, and the SVG markup."""

    id: str
    title: str
    description: str
    svg: str


def finish_svg(svg: str, chart_id: str, title: str, description: str) -> str:
    """Make pygal's output deterministic, script-free and labelled for assistive technology."""
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = _UUID.sub(chart_id, svg)
    svg = _SERIE_ID.sub(lambda found: f'id="{chart_id}-serie-{found.group(1)}"', svg)
    labels = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    aria = f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
    return _ROOT.sub(lambda root: f"<svg{root.group(1)}{aria}>{labels}", svg, count=1)


def _render(graph: pygal.graph.graph.Graph, chart_id: str, title: str, description: str) -> Chart:
    svg = graph.render(is_unicode=True)
    return Chart(chart_id, title, description, finish_svg(svg, chart_id, title, description))


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    percent: bool = False,
) -> Chart:
    """Grouped bars: one group per label, one bar per series."""
    graph = pygal.Bar(title=title, **_OPTIONS)
    graph.x_labels = list(labels)
    if percent:
        graph.value_formatter = lambda v: f"{v:.0%}"
    for name, values in series.items():
        graph.add(name, list(values))
    return _render(graph, chart_id, title, description)


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
) -> Chart:
    """Lines over time: one point per label, one line per series."""
    graph = pygal.Line(
        title=title,
        x_label_rotation=45,
        show_minor_x_labels=False,
        x_labels_major_every=4,
        **_OPTIONS,
    )
    graph.x_labels = list(labels)
    for name, values in series.items():
        graph.add(name, list(values))
    return _render(graph, chart_id, title, description)
