"""``python -m bench.comments``: the comments API under load, beside Isso and a bare FastAPI app.

Scenarios: list a 50-comment thread, counts of 20 threads, post comments (on
fresh threads), each at concurrency 16 and 64, for a few seconds, in rounds
that alternate the servers (the machine is shared: medians of rounds).
Prints a Markdown table (``--json`` for the main bench's report).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.comments import targets
from bench.comments.load import Result, run_load
from bench.comments.targets import Target

SCENARIOS = ("list", "counts", "post")
WORK = targets.ROOT / "bench" / "work" / "comments"


@dataclass
class Row:
    scenario: str
    concurrency: int
    server: str
    results: list[Result]

    def median(self) -> Result:
        ordered = sorted(self.results, key=lambda r: r.rps)
        return ordered[len(ordered) // 2]

    def as_dict(self) -> dict[str, object]:
        best = self.median()
        statuses: dict[int, int] = {}
        for result in self.results:
            for status, n in result.statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        return {
            "scenario": self.scenario,
            "concurrency": self.concurrency,
            "server": self.server,
            "rps": round(best.rps, 1),
            "p50_ms": round(best.percentile(50) * 1000, 1),
            "p99_ms": round(best.percentile(99) * 1000, 1),
            "5xx": sum(r.server_errors for r in self.results),
            "errors": sum(r.errors for r in self.results),
            "statuses": " ".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
        }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _maker(target: Target, scenario: str, run_id: str) -> Callable[[int], bytes]:
    if scenario == "list":
        raw = target.list_request()
        return lambda _i: raw
    if scenario == "counts":
        raw = target.counts_request()
        return lambda _i: raw
    return target.post_request(run_id)


def build_targets(args: argparse.Namespace) -> list[Target]:
    made = [targets.veille(WORK / "sqlite", "sqlite")]
    if not args.quick:
        made.append(targets.veille(WORK / "sqlite-2w", "sqlite", workers=2))
    if "postgresql" in args.db:
        made.append(targets.veille(WORK / "pg", "postgresql"))
    if not args.no_isso:
        found = targets.isso(WORK)
        if found is None:
            log("isso is not installed (pip install isso): measuring without it")
        else:
            made.append(found)
    return made


def run(args: argparse.Namespace) -> list[Row]:
    WORK.mkdir(parents=True, exist_ok=True)
    servers = build_targets(args)
    started: list[Target] = []
    rows: dict[tuple[str, int, str], Row] = {}
    try:
        for target in servers:
            log(f"starting {target.name}")
            target.start(WORK / "logs" / f"{target.name}.log", _health(target))
            started.append(target)
            target.seed()
        first = servers[0]
        listing = httpx.get(first.url + "/api/comments", params={"thread": targets.LIST_THREAD})
        query = [("thread", t) for t in targets.COUNT_THREADS]
        counts = httpx.get(first.url + "/api/counts", params=query)
        bare = targets.baseline(WORK, listing.content, counts.content)
        log(f"starting {bare.name}")
        bare.start(WORK / "logs" / "baseline.log", "/api/comments?thread=/")
        started.append(bare)
        deadline = time.monotonic() + args.budget
        for round_no in range(args.rounds):
            for scenario in SCENARIOS:
                for concurrency in args.concurrency:
                    order = started if round_no % 2 == 0 else list(reversed(started))
                    for target in order:
                        if scenario == "post" and target.kind == "baseline":
                            continue
                        if time.monotonic() > deadline:
                            log("time budget spent: stopping early")
                            return list(rows.values())
                        make = _maker(target, scenario, f"{round_no}-{concurrency}")
                        result = asyncio.run(
                            run_load("127.0.0.1", target.port, make, concurrency, args.seconds)
                        )
                        key = (scenario, concurrency, target.name)
                        rows.setdefault(key, Row(scenario, concurrency, target.name, []))
                        rows[key].results.append(result)
                        log(
                            f"round {round_no + 1} {scenario:6} c={concurrency:<3} {target.name:18}"
                            f" {result.rps:8.0f}/s p99 {result.percentile(99) * 1000:7.1f} ms"
                            f" 5xx {result.server_errors}"
                        )
    finally:
        for target in started:
            target.stop()
        for target in servers:
            if target not in started:
                target.stop()
    return list(rows.values())


def _health(target: Target) -> str:
    return "/api/health" if target.kind == "veille" else "/info"


def verdicts(rows: list[Row]) -> list[str]:
    """The issue's targets, checked against this run."""
    found = {(r.scenario, r.concurrency, r.server): r.median() for r in rows}
    lines = []

    def get(scenario: str, concurrency: int, server: str) -> Result | None:
        return found.get((scenario, concurrency, server))

    ours = get("list", 16, "veille-sqlite")
    if ours is not None:
        p99 = ours.percentile(99) * 1000
        lines.append(f"list c=16: {ours.rps:.0f}/s (target ≥ 1000), p99 {p99:.1f} ms (target < 50)")
        pairs = {r.server: r.results for r in rows if (r.scenario, r.concurrency) == ("list", 16)}
        if "fastapi-bare" in pairs:
            # Each round measures both back to back: the median of the per-round ratios
            # is steadier on a shared machine than a ratio of medians.
            ratios = [
                a.rps / b.rps
                for a, b in zip(pairs["veille-sqlite"], pairs["fastapi-bare"], strict=False)
                if b.rps
            ]
            ratio = statistics.median(ratios)
            lines.append(f"list c=16 vs bare FastAPI, same rounds: {ratio:.0%} (target ≥ 60%)")
    counts = get("counts", 16, "veille-sqlite")
    if counts is not None:
        lines.append(f"counts c=16: {counts.rps:.0f}/s (target ≥ 1500)")
    posts = get("post", 16, "veille-sqlite")
    if posts is not None:
        lines.append(f"creates c=16 on SQLite: {posts.rps:.0f}/s (target ≥ 300)")
    errors = sum(
        r.server_errors for row in rows if row.server.startswith("veille") for r in row.results
    )
    lines.append(f"5xx from Veille in every scenario: {errors} (target 0)")
    return lines


def render(rows: list[Row], args: argparse.Namespace) -> str:
    header = "| scenario | conc. | server | req/s | p50 ms | p99 ms | 5xx | conn. errors |"
    lines = [header, "|---|---:|---|---:|---:|---:|---:|---:|"]
    for row in sorted(rows, key=lambda r: (SCENARIOS.index(r.scenario), r.concurrency, r.server)):
        d = row.as_dict()
        lines.append(
            f"| {d['scenario']} | {d['concurrency']} | {d['server']} | {d['rps']:.0f} |"
            f" {d['p50_ms']} | {d['p99_ms']} | {d['5xx']} | {d['errors']} |"
        )
    lines += ["", f"{args.rounds} round(s) of {args.seconds} s per cell; medians of rounds.", ""]
    lines += [f"- {line}" for line in verdicts(rows)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.comments", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--no-isso", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1 round of 1.5 s, no 2-worker run")
    parser.add_argument("--budget", type=float, default=900, help="seconds for all measurements")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of Markdown")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds = 1, 1.5
    rows = run(args)
    if args.json:
        print(json.dumps({"rows": [r.as_dict() for r in rows], "verdicts": verdicts(rows)}))
    else:
        print(render(rows, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
