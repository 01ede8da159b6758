"""``make bench``: build the corpus, time Veille beside Hugo and Pelican, print one table.

For each size and tool: clean build, no-change rebuild, one-post edit (each
``--runs`` times, medians), then the dev server's edit-to-page latency. A tool
that fails gets its error in the table; the run goes on. Everything is bounded
by a per-command timeout and a total ``--budget``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import corpus, measure, report, tools
from bench.measure import Sample, Server, Summary
from bench.report import Key, Suite

ORDER = ("hugo", "veille", "pelican")  # Hugo first: cheap, and the yardstick
SUITES = ("feeds", "comments", "newsletter")
ROOT = corpus.BENCH.parent
LARGE = 10_000
SUITE_TIMEOUT = 600  # seconds for one colleague's suite


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Budget:
    """The time left for the whole bench; every command's timeout is cut to fit."""

    def __init__(self, minutes: float) -> None:
        self.deadline = time.monotonic() + minutes * 60

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, cap: float) -> float:
        return max(1.0, min(cap, self.left()))

    def spent(self) -> bool:
        return self.left() < 5


def _check_page(path: Path, token: str | None) -> str:
    """'' if the edited post's page exists (and shows ``token``), else what is wrong."""
    if not path.exists():
        return f"no page at {path.relative_to(ROOT)}"
    if token is not None and token not in path.read_text(encoding="utf-8", errors="replace"):
        return "the edited post's page was not updated"
    return ""


def _with_error(sample: Sample, error: str) -> Sample:
    return dataclasses.replace(sample, error=sample.error or error) if error else sample


def edit_post(path: Path, original: str, token: str) -> None:
    """One editor's change: a new sentence at the end of the body."""
    path.write_text(original.rstrip("\n") + f"\n\nEdited for the benchmark: {token}.\n", "utf-8")


def bench_builds(
    tool: tools.Tool, post: corpus.Post, runs: int, cap: float, budget: Budget, logs: Path
) -> dict[str, Summary]:
    """Clean build, no-change rebuild and one-post edit, ``runs`` times each."""
    samples: dict[str, list[Sample]] = {"clean": [], "nochange": [], "edit": []}
    source = tool.source(post)
    original = source.read_text(encoding="utf-8")
    skipped = ""
    try:
        for r in range(runs):
            if budget.spent():
                skipped = f"{r} of {runs} runs: the time budget ran out"
                break
            source.write_text(original, encoding="utf-8")  # every run starts from the corpus
            tool.clean()
            steps = (("clean", None), ("nochange", None), ("edit", f"benchedit{time.time_ns()}"))
            for scenario, token in steps:
                if token is not None:
                    edit_post(source, original, token)
                log = logs / f"{tool.name}-{scenario}-{r + 1}.log"
                sample = measure.run(tool.build, tool.site, budget.timeout(cap), log)
                if sample.ok:
                    sample = _with_error(sample, _check_page(tool.output(post), token))
                samples[scenario].append(sample)
                _log(
                    f"  {tool.label} {scenario} {r + 1}/{runs}: {report.seconds(sample.seconds)}"
                    f" · {sample.peak_mb:.0f} MB · cpu {sample.cpu_seconds or 0:.1f} s"
                    f"{' · ' + sample.error if sample.error else ''}"
                )
                if not sample.ok:
                    break
            if any(not s[-1].ok for s in samples.values() if s):
                break  # a failing tool fails the same way next time: save the budget
    finally:
        source.write_text(original, encoding="utf-8")
    out = {}
    for scenario, got in samples.items():
        if got:
            out[scenario] = Summary.of(got, skipped if len(got) < runs else "")
        else:
            out[scenario] = Summary(None, None, 0, "", skipped or "not run: an earlier step failed")
    return out


def bench_watch(
    tool: tools.Tool, post: corpus.Post, runs: int, cap: float, budget: Budget, logs: Path
) -> Summary:
    """Start the dev server, edit the post, time until the served page shows the edit."""
    if tool.serve is None:
        return Summary(None, None, 0, "", "the tool has no watch mode")
    if budget.spent():
        return Summary(None, None, 0, "", "skipped: the time budget ran out")
    port = measure.free_port()
    url = f"http://127.0.0.1:{port}{post.path}"
    source = tool.source(post)
    original = source.read_text(encoding="utf-8")
    tool.clean()
    server = Server(tool.serve(port), tool.site, logs / f"{tool.name}-serve.log")
    times: list[float] = []
    error = ""
    try:
        server.start()
        if server.wait_for(url, None, budget.timeout(cap)) is None:
            error = f"serve: {post.path} never answered: {server.error()}"
        elif not server.settle(timeout=budget.timeout(cap)):
            error = f"serve: the first build did not finish: {server.error()}"
        for r in range(runs if not error else 0):
            if budget.spent():
                break
            token = f"benchedit{time.time_ns()}"
            edit_post(source, original, token)
            took = server.wait_for(url, token, budget.timeout(min(cap, 300)))
            if took is None:
                error = f"serve: the edit never showed: {server.error()}"
                break
            times.append(took)
            _log(f"  {tool.label} watch {r + 1}/{runs}: {report.seconds(took)}")
            server.settle(timeout=budget.timeout(cap))  # let the rebuild finish before the next
    except OSError as exc:
        error = f"serve: {exc}"
    finally:
        peak = server.stop() if server.proc is not None else 0.0
        source.write_text(original, encoding="utf-8")
    if not times:
        return Summary(None, None, 0, error or "skipped: the time budget ran out")
    samples = [Sample(t, peak, 0) for t in times]
    note = "" if len(times) == runs else f"{len(times)} of {runs} runs"
    return dataclasses.replace(Summary.of(samples, note), error=error)


def run_suite(name: str, quick: bool, budget: Budget, logs: Path) -> Suite | None:
    """A colleague's benchmark (``python -m bench.NAME --json``), if it exists."""
    module = f"bench.{name}"
    spec = importlib.util.find_spec(module)
    if spec is None:
        return None
    if (
        spec.submodule_search_locations is not None
        and not (Path(spec.submodule_search_locations[0]) / "__main__.py").exists()
    ):
        return Suite(name, f"python -m {module}", "", "not runnable yet: no __main__.py")
    variants = [["--json", "--quick"], ["--json"], []] if quick else [["--json"], []]
    last = Suite(name, module, "", "did not run")
    for extra in variants:
        cmd = [sys.executable, "-m", module, *extra]
        log = logs / f"suite-{name}.err"
        with open(log, "wb") as err:
            try:
                done = subprocess.run(
                    cmd,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    timeout=budget.timeout(SUITE_TIMEOUT),
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                output = (exc.stdout or b"").decode("utf-8", "replace")
                return Suite(name, "python " + " ".join(cmd[1:]), output, "timed out")
        output = done.stdout.decode("utf-8", "replace")
        last = Suite(name, "python " + " ".join(cmd[1:]), output)
        if done.returncode == 0:
            return last
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        last = dataclasses.replace(last, error=f"exit {done.returncode}: {' / '.join(tail)}")
        if done.returncode != 2:  # 2 is argparse's "unknown option": try fewer options
            return last
    return last


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM, {system}"


def versions(selected: Sequence[str]) -> str:
    found = [f"Python {platform.python_version()}"]
    commit = tools.version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
    if "veille" in selected:
        found.append(f"Veille {commit or '?'}")
    if "hugo" in selected and (hugo := tools.hugo_binary()):
        found.append(tools.version([str(hugo), "version"]).split("+")[0] or "Hugo ?")
    if "pelican" in selected:
        pelican = tools.pelican(corpus.WORK).build[0]
        found.append(f"Pelican {tools.version([pelican, '--version']) or '?'}")
    return ", ".join(found)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes (posts)")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario")
    parser.add_argument(
        "--large-runs", type=int, default=1, help=f"runs per scenario at N >= {LARGE:,}"
    )
    parser.add_argument("--only", default=",".join(ORDER), help="tools: veille,hugo,pelican")
    parser.add_argument("--quick", action="store_true", help="smoke test: N=200, one run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--budget", type=float, default=28, help="minutes for everything")
    parser.add_argument("--no-watch", action="store_true", help="skip the dev-server scenario")
    parser.add_argument("--no-suites", action="store_true", help="skip feeds/comments/newsletter")
    parser.add_argument("--out", type=Path, default=corpus.WORK, help="where the report goes")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.large_runs = "200", 1, 1
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    args.tools = [t for t in ORDER if t in args.only.split(",")]
    unknown = set(args.only.split(",")) - set(ORDER)
    if unknown or not args.tools:
        parser.error(f"--only takes some of {','.join(ORDER)}")
    return args


def bench_size(
    n: int, runs: int, args: argparse.Namespace, budget: Budget, results: dict[Key, Summary]
) -> None:
    """Every scenario for every tool at one corpus size, into ``results``."""
    t0 = time.perf_counter()
    sites = corpus.write_corpus(n, args.seed, corpus.WORK, tuple(args.tools))
    _log(f"N={n:,}: corpus ready in {time.perf_counter() - t0:.1f} s")
    post = corpus.make_corpus(n, args.seed).post(0)
    cap = 120 + 0.12 * n  # seconds for one command: generous, the budget is the real bound
    for name in args.tools:
        tool = tools.FACTORIES[name](sites[name])
        logs = corpus.WORK / "logs" / f"{name}-{n}"
        _log(f"N={n:,} {tool.label}:")
        if tool.missing:
            for key, _ in report.SCENARIOS:
                results[(n, name, key)] = Summary(None, None, 0, tool.missing)
            continue
        for key, summary in bench_builds(tool, post, runs, cap, budget, logs).items():
            results[(n, name, key)] = summary
        if args.no_watch:
            results[(n, name, "watch")] = Summary(None, None, 0, "", "not run (--no-watch)")
        elif results[(n, name, "clean")].seconds is None:
            results[(n, name, "watch")] = Summary(None, None, 0, "", "not run: build failed")
        else:
            results[(n, name, "watch")] = bench_watch(tool, post, runs, cap, budget, logs)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that every ``finally`` stops its child and restores its post


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    budget = Budget(args.budget)
    started = datetime.now(UTC)
    load_start = os.getloadavg()[0]
    if load_start > 0.5:
        _log(f"warning: load average {load_start:.2f}: other work will skew wall times")
    results: dict[Key, Summary] = {}
    runs_used: dict[int, int] = {}
    suites: list[Suite] = []
    interrupted = ""
    try:
        # The suites first: they are short and must be there; what the budget cuts is the
        # last tool at the largest size.
        if not args.no_suites:
            for name in SUITES:
                _log(f"suite {name}:")
                suite = run_suite(name, args.quick, budget, corpus.WORK / "logs")
                if suite is not None:
                    suites.append(suite)
        for n in args.size_list:
            runs_used[n] = args.large_runs if n >= LARGE else args.runs
            bench_size(n, runs_used[n], args, budget, results)
    except KeyboardInterrupt:
        interrupted = " — interrupted: the table is partial"
        _log("interrupted: writing what was measured")
    runs_text = ", ".join(f"{runs} at N = {n:,}" for n, runs in runs_used.items())
    shown = list(sys.argv[1:] if argv is None else argv)
    command = " ".join([".venv/bin/python -m bench", *shown])
    meta = {
        "command": f"`{command}`",
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(args.tools),
        "corpus": f"seed {args.seed}; 300–1,500 words a post, 50 authors, 80 tags, 3 communities",
        "runs": runs_text + " (medians)",
        "took": f"{(datetime.now(UTC) - started).total_seconds() / 60:.1f} min{interrupted}",
        "load average (1 min) at start, end": f"{load_start:.2f}, {os.getloadavg()[0]:.2f}"
        + (" — the machine was busy: wall times are inflated" if load_start > 0.5 else ""),
    }
    text = report.render(results, args.size_list, args.tools, meta, suites, runs_used)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(text, encoding="utf-8")
    raw = {f"{n}/{tool}/{key}": dataclasses.asdict(s) for (n, tool, key), s in results.items()}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "results": raw}, indent=1))
    print(text)
    _log(f"report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
