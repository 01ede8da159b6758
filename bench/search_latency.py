"""``veille serve`` after a save: when the page is published, when search is current.

``python -m bench.search_latency --n 1000`` runs the dev server's rebuilder (no
HTTP, no file watcher: what follows a save) on the bench corpus: one build to
warm it, then ``--runs`` edits of one post with a new word each. For each edit:
seconds until the page is published, seconds until the search shard holding
it is re-indexed and installed, and peak memory of the largest single process
(this Python process; Pagefind children). Medians are printed.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

from bench import corpus as bench_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_latency", description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from generator.commands.serve import Rebuilder

    site = bench_corpus.write_corpus(args.n, tools=("veille",))["veille"]
    chosen = bench_corpus.make_corpus(args.n).post(args.n // 2)
    post = bench_corpus.veille_source(site, chosen)
    output = site / "public" / chosen.path.strip("/") / "index.html"
    original = post.read_text(encoding="utf-8")
    rebuilder = Rebuilder(site / "site.yaml", drafts=False, report=lambda _: None)
    started = time.perf_counter()
    rebuilder.build_now()
    rebuilder.wait_for_search()
    print(f"warm-up build: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    page, search = [], []
    try:
        for run in range(args.runs):
            token = f"latencyword{time.time_ns()}"
            post.write_text(original + f"\n\nA new word: {token}.\n", encoding="utf-8")
            started = time.perf_counter()
            rebuilder.build_now()
            page.append(time.perf_counter() - started)
            rebuilder.wait_for_search()
            search.append(time.perf_counter() - started)
            found = token.encode() in output.read_bytes()
            print(f"edit {run + 1}: page {page[-1]:.2f} s, search {search[-1]:.2f} s, "
                  f"page has the word: {found}", file=sys.stderr)  # fmt: skip
    finally:
        post.write_text(original, encoding="utf-8")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"N={args.n}: save → page {statistics.median(page):.2f} s, "
        f"save → search current {statistics.median(search):.2f} s (medians of {args.runs}); "
        f"peak memory: Python {me:.0f} MB, largest Pagefind {children:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
