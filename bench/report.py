"""One markdown table of every measurement, with ratios, targets and footnotes.

The peers' suites (feeds, comments, newsletter) follow under their own
headings: their JSON as a table when it has a table's shape, else as text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.measure import Summary

SCENARIOS = (
    ("clean", "clean build"),
    ("nochange", "no-change rebuild"),
    ("edit", "one-post edit"),
    ("watch", "serve: edit → page"),
)
PEERS = ("hugo", "pelican")
LABELS = {"veille": "Veille", "hugo": "Hugo + Pagefind", "pelican": "Pelican"}
TARGET_N = 10_000
TARGETS = {
    "clean": "≤ Hugo",
    "nochange": "< 2 s",
    "edit": "< 3 s",
    "watch": "< 0.3 s",
    "memory": "< 300 MB",
}
LIMITS = {"nochange": 2.0, "edit": 3.0, "watch": 0.3}
MEMORY_LIMIT_MB = 300.0

Key = tuple[int, str, str]  # (N, tool, scenario)


@dataclass(frozen=True, slots=True)
class Suite:
    """What a peer benchmark (``python -m bench.feeds --json``) printed."""

    name: str
    command: str
    output: str
    error: str = ""


class _Notes:
    def __init__(self) -> None:
        self.items: list[str] = []

    def ref(self, text: str) -> str:
        if text not in self.items:
            self.items.append(text)
        return f"[{self.items.index(text) + 1}]"


def seconds(value: float) -> str:
    if value < 1:
        return f"{value:.3f} s"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def _cell(summary: Summary | None, notes: _Notes) -> str:
    if summary is None:
        return "—"
    parts = []
    if summary.seconds is not None:
        cpu = f" (cpu {seconds(summary.cpu_seconds)})" if summary.cpu_seconds is not None else ""
        parts.append(seconds(summary.seconds) + cpu)
        if summary.peak_mb is not None:
            parts.append(f"{summary.peak_mb:.0f} MB")
    text = " · ".join(parts) if parts else "n/a"
    for extra in (summary.error, summary.note):
        if extra:
            text += f" {notes.ref(extra)}"
    return text


def _ratio(mine: Summary | None, theirs: Summary | None, memory: bool = False) -> str:
    if mine is None or theirs is None:
        return "—"
    a, b = (mine.peak_mb, theirs.peak_mb) if memory else (mine.seconds, theirs.seconds)
    if a is None or b is None or b <= 0:
        return "—"
    return f"{a / b:.2f}×"


def _verdict(n: int, scenario: str, results: Mapping[Key, Summary]) -> str:
    target = TARGETS.get(scenario, "")
    if n != TARGET_N:
        return "—"
    mine = results.get((n, "veille", scenario))
    if scenario == "memory":
        value = mine.peak_mb if mine else None
        ok = None if value is None else value < MEMORY_LIMIT_MB
    elif scenario == "clean":
        hugo = results.get((n, "hugo", "clean"))
        if mine is None or hugo is None or mine.seconds is None or hugo.seconds is None:
            ok = None
        else:
            ok = mine.seconds <= hugo.seconds
    else:
        value = mine.seconds if mine else None
        ok = None if value is None else value < LIMITS[scenario]
    word = "n/a" if ok is None else ("pass" if ok else "FAIL")
    return f"{target}: {word}"


def memory_summary(n: int, tool: str, results: Mapping[Key, Summary]) -> Summary | None:
    """The largest peak of a tool over the scenarios of one size."""
    peaks = [
        s.peak_mb
        for (size, name, _), s in results.items()
        if size == n and name == tool and s.peak_mb is not None
    ]
    if not peaks:
        return None
    return Summary(None, max(peaks), 1)


def render_table(
    results: Mapping[Key, Summary],
    sizes: Sequence[int],
    tools: Sequence[str],
    notes: _Notes,
    runs: Mapping[int, int] | None = None,
) -> list[str]:
    shown = [t for t in ("veille", *PEERS) if t in tools]
    peers = [p for p in PEERS if p in tools and "veille" in tools]
    header = ["N", "scenario", *(LABELS[t] for t in shown)]
    header += [f"Veille ÷ {LABELS[p]}" for p in peers]
    header.append(f"target at N = {TARGET_N:,}")
    lines = ["| " + " | ".join(header) + " |"]
    lines.append(
        "|"
        + "|".join("---:" if 2 <= i < len(header) - 1 else "---" for i in range(len(header)))
        + "|"
    )
    for n in sizes:
        count = (runs or {}).get(n)
        size = f"{n:,}" if count is None else f"{n:,} ({count} run{'s' if count > 1 else ''})"
        for key, name in SCENARIOS:
            row = [size, name]
            row += [_cell(results.get((n, t, key)), notes) for t in shown]
            row += [
                _ratio(results.get((n, "veille", key)), results.get((n, p, key))) for p in peers
            ]
            row.append(_verdict(n, key, results) if "veille" in tools else "—")
            lines.append("| " + " | ".join(row) + " |")
        mem = {t: memory_summary(n, t, results) for t in shown}
        row = [size, "peak memory (max of the above)"]
        row += [f"{m.peak_mb:.0f} MB" if m and m.peak_mb else "—" for m in mem.values()]
        row += [_ratio(mem.get("veille"), mem.get(p), memory=True) for p in peers]
        veille = mem.get("veille")
        merged = {(n, "veille", "memory"): veille} if veille is not None else {}
        row.append(_verdict(n, "memory", merged) if "veille" in tools else "—")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def render_suite(suite: Suite) -> list[str]:
    lines = [f"### {suite.name}", "", f"`{suite.command}`", ""]
    if suite.error:
        lines += [f"Failed: {suite.error}", ""]
    if not suite.output.strip():
        return [*lines, "(no output)", ""]
    try:
        data = json.loads(suite.output)
    except ValueError:
        return [*lines, "```", suite.output.strip(), "```", ""]
    rows = _rows(data)
    if rows is None:
        return [*lines, "```json", json.dumps(data, indent=2, ensure_ascii=False), "```", ""]
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        lines.append("| " + " | ".join(_plain(row.get(c, "")) for c in columns) + " |")
    return [*lines, ""]


def _rows(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, dict):
        for key in ("rows", "results", "benchmarks"):
            if isinstance(data.get(key), list):
                return _rows(data[key])
        if all(not isinstance(v, dict | list) for v in data.values()):
            return [{"name": k, "value": v} for k, v in data.items()]
        if all(isinstance(v, dict) for v in data.values()):
            return [{"name": k, **v} for k, v in data.items()]
        return None
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return list(data)
    return None


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(
    results: Mapping[Key, Summary],
    sizes: Sequence[int],
    tools: Sequence[str],
    meta: Mapping[str, str],
    suites: Sequence[Suite] = (),
    runs: Mapping[int, int] | None = None,
) -> str:
    """The whole report: context, the table, footnotes, then the peers' suites."""
    notes = _Notes()
    table = render_table(results, sizes, tools, notes, runs)
    lines = ["## Benchmark", ""]
    lines += [f"- {key}: {value}" for key, value in meta.items()]
    lines += ["", *table, ""]
    lines += [
        "Wall time, median of the runs, with the CPU time (user + system) of the process",
        "tree: CPU time is steadier when the machine is busy, and above the wall time when a",
        "tool uses both cores. Peak memory is the process tree's highest resident set (the",
        "larger of a process's high-water mark and the sum over processes running together;",
        "median over runs; for `serve`, over the server's whole life). Ratios compare wall",
        "times; above 1, Veille is slower or larger.",
        "",
    ]
    if notes.items:
        lines += [f"{i}. {text}" for i, text in enumerate(notes.items, 1)]
        lines.append("")
    for suite in suites:
        lines += render_suite(suite)
    return "\n".join(lines).rstrip() + "\n"
