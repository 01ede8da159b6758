"""Metrics, the charts: figures → static, accessible, reproducible SVG (pygal, no script).

pygal names each chart with a random UUID, stamps the date in a comment and
embeds a script; all three are removed so that the same figures give the same bytes.

Every chart is drawn twice: a wide drawing, and a narrow one for phones (a
320-px screen would shrink the wide one's text to 5 px) with fewer ticks and
bars laid sideways so that long labels stay readable; the page's CSS shows one.
Colours are CSS variables with fallbacks: inline in the page, the charts follow
the site's palette in light and dark; opened alone, they keep the fallbacks.
pygal's own legend is left out (it is drawn below the SVG's bottom edge and
clipped); ours is laid out in rows inside the drawing, one entry per series.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pygal
from pygal.style import Style

# The site's chart palette (themes/default/static/metrics.css defines the variables for
# light and dark); the fallbacks are the light values, distinguishable with the
# common colour-vision deficiencies (after Okabe-Ito).
PALETTE = (
    "var(--chart-1, #0b5e8f)",
    "var(--chart-2, #c46a00)",
    "var(--chart-3, #17804a)",
    "var(--chart-4, #b8326e)",
    "var(--chart-5, #6a4bc4)",
    "var(--chart-6, #5f6b76)",
)
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True, slots=True)
class _Size:
    """One drawing's geometry: the canvas, its type sizes and how many x labels it shows."""

    width: int
    height: int
    font: int
    legend_font: int
    label_every: int


WIDE = _Size(width=720, height=300, font=13, legend_font=14, label_every=4)
# Bars sit beside their data table on wide screens: a smaller canvas keeps their text legible.
BARS = _Size(width=480, height=280, font=13, legend_font=14, label_every=1)
NARROW = _Size(width=360, height=300, font=14, legend_font=15, label_every=8)


def _style(size: _Size) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="currentColor",
        foreground_strong="currentColor",
        foreground_subtle="var(--chart-grid, #c9ced4)",
        opacity="0.9",
        opacity_hover="0.95",
        transition="0ms",
        font_family=_FONT,
        label_font_size=size.font,
        major_label_font_size=size.font,
        value_font_size=size.font,
        tooltip_font_size=size.font,
        colors=PALETTE,
    )


def _options(size: _Size) -> dict[str, object]:
    return {
        "style": _style(size),
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": size.width,
        "height": size.height,
        "show_legend": False,
        "print_zeroes": True,
        "show_x_guides": False,
        "margin": 8,
        "margin_bottom": 4,
        "pretty_print": False,
    }


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SERIE_ID = re.compile(r'id="activate-serie-(\d+)"')
_ROOT = re.compile(r"<svg\b([^>]*)>")
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: a stable id, its title and description, its wide and narrow SVG markup."""

    id: str
    title: str
    description: str
    svg: str
    svg_narrow: str = ""


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


def ticks(top: float, most: int = 4) -> list[int]:
    """At most ``most`` + 1 round whole-number ticks from 0 covering ``top`` (counts, on phones)."""
    steps = (base * 10**power for power in range(10) for base in (1, 2, 5))
    step = next(step for step in steps if top <= step * most)
    count = max(1, -int(-top // step))
    return [i * step for i in range(count + 1)]


def legend(names: Sequence[str], width: int, font: int) -> tuple[str, int]:
    """Our legend: a swatch and a name per series, in rows that fit ``width``; (markup, height).

    Text width is estimated (0.6 em a character, generous for DejaVu Sans and
    system fonts) so that the layout needs no font metrics and stays reproducible.
    """
    gap, swatch, line = font, round(font * 0.9), round(font * 1.6)
    rows: list[list[tuple[int, str]]] = [[]]
    x = 0
    for index, name in enumerate(names):
        entry = swatch + 6 + round(len(name) * font * 0.6)
        if rows[-1] and x + entry > width:
            rows.append([])
            x = 0
        rows[-1].append((index, name))
        x += entry + gap
    parts = ['<g class="chart-legend">']
    for row_number, row in enumerate(rows):
        y = row_number * line
        x = 0
        for index, name in row:
            color = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{y + (line - swatch) // 2}" width="{swatch}" height="{swatch}" '
                f'rx="2" style="fill:{color}"/>'
                f'<text x="{x + swatch + 6}" y="{y + line // 2}" dominant-baseline="central" '
                f'style="font-size:{font}px;fill:currentColor">{escape(name)}</text>'
            )
            x += swatch + 6 + round(len(name) * font * 0.6) + gap
    parts.append("</g>")
    return "".join(parts), len(rows) * line + font // 2


def _with_legend(svg: str, names: Sequence[str], size: _Size) -> str:
    """Grow the drawing's viewBox by the legend's height and draw the legend in the new strip."""
    markup, height = legend(names, size.width - 16, size.legend_font)
    found = _VIEWBOX.search(svg)
    if found is None:  # pragma: no cover - pygal always writes a viewBox when explicit_size is off
        return svg
    total = int(found.group(2)) + height + 4
    svg = _VIEWBOX.sub(f'viewBox="0 0 {found.group(1)} {total}"', svg, count=1)
    placed = f'<g transform="translate(8, {int(found.group(2)) + 4})">{markup}</g>'
    return svg[: svg.rindex("</svg>")] + placed + "</svg>"


def _render(
    graph: pygal.graph.graph.Graph,
    names: Sequence[str],
    size: _Size,
    chart_id: str,
    title: str,
    description: str,
) -> str:
    svg = _with_legend(graph.render(is_unicode=True), names, size)
    return finish_svg(svg, chart_id, title, description)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    percent: bool = False,
) -> Chart:
    """Grouped bars: one group per label, one bar per series; sideways bars on phones.

    Sideways, pygal draws the first label at the bottom: labels and values are
    reversed so that the narrow drawing reads top-down in the same order as the wide one.
    """
    drawings = []
    for size in (BARS, NARROW):
        wide = size is BARS
        graph = (pygal.Bar if wide else pygal.HorizontalBar)(truncate_label=-1, **_options(size))
        graph.x_labels = list(labels) if wide else list(reversed(labels))
        if percent:
            graph.value_formatter = lambda v: f"{v:.0%}"
            graph.range = (0, 1)
            graph.y_labels = [0, 0.25, 0.5, 0.75, 1] if wide else [0, 0.5, 1]
        elif not wide:
            graph.y_labels = ticks(max((v or 0 for vs in series.values() for v in vs), default=0))
        for name, values in series.items():
            graph.add(name, list(values) if wide else list(reversed(values)))
        suffix = "" if wide else "-narrow"
        drawings.append(_render(graph, list(series), size, chart_id + suffix, title, description))
    return Chart(chart_id, title, description, drawings[0], drawings[1])


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
) -> Chart:
    """Lines over time: one point per label, one line per series; fewer date ticks on phones."""
    drawings = []
    for size in (WIDE, NARROW):
        graph = pygal.Line(
            x_label_rotation=45 if size is WIDE else 35,
            truncate_label=-1,
            show_minor_x_labels=False,
            x_labels_major_every=size.label_every,
            y_labels_major_count=5,
            show_minor_y_labels=False,
            **_options(size),
        )
        graph.x_labels = list(labels)
        for name, values in series.items():
            graph.add(name, list(values))
        suffix = "" if size is WIDE else "-narrow"
        drawings.append(_render(graph, list(series), size, chart_id + suffix, title, description))
    return Chart(chart_id, title, description, drawings[0], drawings[1])
