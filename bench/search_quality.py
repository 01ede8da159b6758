"""Search quality of the sharded index against one Pagefind index of the same pages.

``python -m bench.search_quality --n 10000`` (``--n 2000`` for a quick run)
writes the bench corpus (one post in ten gets a French paragraph, so French
queries mean something), builds it with ``veille build`` (sharded search),
indexes the same pages once more as a single Pagefind bundle, and runs a fixed
list of queries through both in headless Chromium with the site's own loader
(``window.veilleSearch``). Reported: median top-10 overlap (target ≥ 9/10),
share of queries with the same first result (≥ 80%), share with result counts
within 10% (all of them).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import corpus as bench_corpus
from bench import text

FRENCH = (
    "Nous avons migré la plateforme vers un nouvel ordonnanceur, avec une "
    "astreinte allégée et des tableaux de bord partagés. La supervision des "
    "grappes reste difficile; les déploiements progressifs ont réduit les "
    "incidents. Prochaine étape: chiffrement des sauvegardes et revue de sécurité."
)
COMMON = ("cluster", "pipeline", "latency", "deploy", "dashboard", "release", "incident", "cost")
EXPERTISE = ("kubernetes", "observability", "postgres", "accessibility", "supply-chain", "rag")
FRENCH_QUERIES = ("ordonnanceur", "astreinte", "supervision", "chiffrement", "sauvegardes")
TARGET_OVERLAP, TARGET_FIRST, TARGET_COUNT = 9, 0.8, 0.10


def queries(corpus: bench_corpus.Corpus, site: Path) -> list[tuple[str, str]]:
    """The fixed query list: (kind, query); deterministic for a given corpus."""
    names = [p.name for p in corpus.people[:6]]
    surnames = [p.name.split()[-1] for p in corpus.people[6:9]]
    rare = rare_words(site, 8)
    return (
        [("rare", w) for w in rare]
        + [("common", w) for w in COMMON]
        + [("name", n) for n in names + surnames]
        + [("expertise", e) for e in EXPERTISE]
        + [("french", f) for f in FRENCH_QUERIES]
    )


def rare_words(site: Path, count: int) -> list[str]:
    """The corpus's rarest searchable words: the one-word tags found in the fewest posts.

    The seeded vocabulary is small (every body word is in most posts), so a rare
    word is a tag used in few posts, counted over front matter and body.
    """
    candidates = {t for t in text.TAGS if t.isalpha()} - set(EXPERTISE)
    seen = dict.fromkeys(candidates, 0)
    for path in sorted((site / "content" / "posts").rglob("*.md")):
        words = {w.strip("\"':,.()[]#*`").lower() for w in path.read_text("utf-8").split()}
        for word in words & candidates:
            seen[word] += 1
    ranked = sorted((n, w) for w, n in seen.items() if n >= 2)
    return [w for _, w in ranked[:count]]


def add_french(site: Path) -> None:
    """One post in ten gets a French paragraph (idempotent)."""
    for index, path in enumerate(sorted((site / "content" / "posts").rglob("*.md"))):
        text = path.read_text(encoding="utf-8")
        if index % 10 == 3 and FRENCH not in text:
            path.write_text(text + "\n\n" + FRENCH + "\n", encoding="utf-8")


def single_index(public: Path) -> Path:
    """The same pages as one Pagefind bundle, laid out like one shard, with a search page."""
    from generator.search import pagefind_executable, stabilise_filters

    single = public / "single"
    shutil.rmtree(single, ignore_errors=True)
    shard = single / "shard-0"
    started = time.perf_counter()
    subprocess.run(
        [
            str(pagefind_executable()),
            "--site",
            str(public),
            "--output-path",
            str(shard),
            "--glob",
            "{posts,links,meetups,people}/**/*.html",
            "--silent",
        ],
        check=True,
    )
    stabilise_filters(shard)
    print(f"single index: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for name in ("pagefind.js", "wasm.en.pagefind", "wasm.unknown.pagefind"):
        if (shard / name).exists():
            shutil.copy(shard / name, single / name)
    manifest = json.loads((public / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    pages = sum(shard["pages"] for shard in manifest["shards"])
    shard_list = [{"path": "shard-0/", "pages": pages}]
    (single / "shards.json").write_text(json.dumps({"shards": shard_list}), encoding="utf-8")
    page = (public / "search" / "index.html").read_text(encoding="utf-8")
    target = public / "search-single" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(page.replace('data-bundle="/pagefind/"', 'data-bundle="/single/"'))
    return single


RUN = """async (q) => {
  const found = await window.veilleSearch.query(q, {});
  const top = await found.next(10);
  return {total: found.total, urls: top.map(d => d.url)};
}"""


def run_queries(url: str, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    args += ["--disable-component-update", "--no-first-run"]
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("window.veilleSearch !== undefined")
        started = time.perf_counter()
        page.evaluate("() => window.veilleSearch.ready.then(() => true)")
        setup = time.perf_counter() - started
        for kind, q in items:
            started = time.perf_counter()
            answer = page.evaluate(RUN, q)
            answer.update(kind=kind, q=q, seconds=time.perf_counter() - started)
            out.append(answer)
        browser.close()
    print(f"{url}: index setup {setup:.2f} s", file=sys.stderr)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def compare(single: list[dict[str, Any]], sharded: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for a, b in zip(single, sharded, strict=True):
        overlap = len(set(a["urls"]) & set(b["urls"]))
        expected = min(10, len(a["urls"]))
        first = (a["urls"][:1] == b["urls"][:1]) if a["urls"] else not b["urls"]
        close = abs(a["total"] - b["total"]) <= TARGET_COUNT * max(a["total"], 1)
        rows.append(
            dict(kind=a["kind"], q=a["q"], single=a["total"], sharded=b["total"],
                 overlap=overlap, of=expected, first=first, close=close,
                 ms_single=round(a["seconds"] * 1000), ms_sharded=round(b["seconds"] * 1000))
        )  # fmt: skip
    overlaps = [r["overlap"] + (10 - r["of"]) for r in rows]  # fewer than 10 results: same set
    return {
        "queries": len(rows),
        "median_overlap": statistics.median(overlaps),
        "same_first": sum(r["first"] for r in rows) / len(rows),
        "counts_within_10pct": sum(r["close"] for r in rows) / len(rows),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_quality", description=__doc__)
    parser.add_argument("--n", type=int, default=10000, help="posts (2000 for a quick run)")
    parser.add_argument("--work", type=Path, default=bench_corpus.WORK / "quality")
    parser.add_argument("--json", type=Path, help="write the full comparison here")
    parser.add_argument(
        "--reuse-build",
        action="store_true",
        help="keep the last build and single index; copy only the theme's search.js",
    )
    args = parser.parse_args(argv)
    site = bench_corpus.write_corpus(args.n, work=args.work, tools=("veille",))["veille"]
    add_french(site)
    public = site / "public"
    if args.reuse_build and (public / "single").is_dir():
        from generator.config import DEFAULT_THEME

        shutil.copy(DEFAULT_THEME / "static" / "search.js", public / "static" / "search.js")
    else:
        veille = Path(sys.executable).with_name("veille")
        started = time.perf_counter()
        subprocess.run([str(veille), "build"], cwd=site, check=True, capture_output=True)
        print(f"veille build (sharded): {time.perf_counter() - started:.1f} s", file=sys.stderr)
        single_index(public)
    items = queries(bench_corpus.make_corpus(args.n), site)
    handler = functools.partial(_Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        single = run_queries(base + "/search-single/", items)
        sharded = run_queries(base + "/search/", items)
    finally:
        server.shutdown()
    shards = len(json.loads((public / "pagefind" / "shards.json").read_text())["shards"])
    report = compare(single, sharded) | {"n": args.n, "shards": shards}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print("| query | kind | single | sharded | top-10 overlap | same first |")
    print("|---|---|---:|---:|---:|---|")
    for r in report["rows"]:
        print(f"| {r['q']} | {r['kind']} | {r['single']} | {r['sharded']} | "
              f"{r['overlap']}/{r['of']} | {'yes' if r['first'] else 'no'} |")  # fmt: skip
    ok = (
        report["median_overlap"] >= TARGET_OVERLAP
        and report["same_first"] >= TARGET_FIRST
        and report["counts_within_10pct"] == 1.0
    )
    print(
        f"\nN={args.n}, {shards} shards, {report['queries']} queries: median top-10 overlap "
        f"{report['median_overlap']}/10, same first result {report['same_first']:.0%}, "
        f"counts within 10% {report['counts_within_10pct']:.0%} — {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
