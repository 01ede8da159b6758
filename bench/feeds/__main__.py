"""Feed ingestion benchmark: 200 feeds of 50 items served on 127.0.0.1, cold and warm.

``python -m bench.feeds [--feeds 200] [--items 50] [--runs 3] [--quick] [--json]``

Cold: an empty cache, every feed downloaded (200), parsed, normalised, sanitised and
written. Warm: the same run again, every feed answering 304 Not Modified. Then the
build's side: ``load_feed_items`` reading the whole cache. Medians over ``--runs``.
The server runs in its own process, so it never competes with the fetcher for the GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from generator.config import load_config
from generator.feeds.cache import load_feed_items
from generator.feeds.ingest import FetchSettings, Outcome, fetch_feeds

WORDS = (
    "kubernetes",
    "cluster",
    "latency",
    "café",
    "sécurité",
    "déploiement",
    "observability",
    "rust",
    "python",
    "pipeline",
    "données",
    "modèle",
    "evaluation",
    "réseau",
    "cache",
    "index",
    "parquet",
    "tracing",
    "gateway",
    "policy",
    "token",
    "signature",
    "supply",
    "chain",
    "release",
    "candidate",
    "benchmark",
    "mémoire",
)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def make_feed(index: int, items: int, rng: random.Random) -> bytes:
    """One RSS 2.0 document of ``items`` items (~2.5 KB each) with thumbnails and tags."""
    start = datetime(2026, 11, 20, tzinfo=UTC)
    parts = []
    for n in range(items):
        when = start - timedelta(hours=index + n * 7)
        paragraphs = "".join(
            f"<p>{escape(_sentence(rng, 40))} <a href='/ref/{n}'>ref</a> <code>x = {n}</code></p>"
            for _ in range(5)
        )
        parts.append(
            "<item>"
            f"<title>{escape(_sentence(rng, 8))}</title>"
            f"<link>https://feed{index}.example/posts/{n}</link>"
            f'<guid isPermaLink="false">feed{index}-{n}</guid>'
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f"<description>{escape(_sentence(rng, 30))}</description>"
            f"<content:encoded><![CDATA[{paragraphs}<img src='/img/{n}.png' alt='x'>]]>"
            "</content:encoded>"
            f"<category>{rng.choice(WORDS)}</category><category>{rng.choice(WORDS)}</category>"
            f'<media:thumbnail url="https://feed{index}.example/t/{n}.jpg"/>'
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>Feed {index}</title><link>https://feed{index}.example/</link>"
        "<description>bench</description>" + "".join(parts) + "</channel></rss>"
    ).encode()


def _usage() -> tuple[float, int]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def _timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu0, _ = _usage()
    started = time.perf_counter()
    result = action()
    wall = time.perf_counter() - started
    cpu1, _ = _usage()
    return result, wall, cpu1 - cpu0


def run(feeds: int, items: int, runs: int, concurrency: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="veille-bench-feeds-"))
    server = None
    try:
        docs = work / "docs"
        docs.mkdir()
        rng = random.Random(42)
        total_bytes = 0
        for index in range(feeds):
            data = make_feed(index, items, rng)
            total_bytes += len(data)
            (docs / f"feed-{index}.xml").write_bytes(data)
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.feeds.server", str(docs)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        port = int(server.stdout.readline())
        site = work / "site"
        site.mkdir()
        lines = ["title: Feeds bench", "feeds:"]
        for index in range(feeds):
            lines += [
                f"  - id: feed-{index}",
                f"    url: http://127.0.0.1:{port}/feed-{index}.xml",
                f"    max_items: {items}",
            ]
        (site / "site.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        config = load_config(site / "site.yaml")
        settings = FetchSettings(concurrency=concurrency)
        rows: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "load": []}
        counts: dict[str, Any] = {}
        for _ in range(runs):
            shutil.rmtree(config.cache_path, ignore_errors=True)
            cold, wall, cpu = _timed(lambda: fetch_feeds(config, settings))
            assert all(f.outcome is Outcome.OK for f in cold.feeds), cold.failures[:3]
            rows["cold"].append((wall, cpu))
            warm, wall, cpu = _timed(lambda: fetch_feeds(config, settings))
            assert all(f.outcome is Outcome.NOT_MODIFIED for f in warm.feeds), warm.feeds[:3]
            rows["warm"].append((wall, cpu))
            loaded, wall, cpu = _timed(lambda: load_feed_items(config))
            rows["load"].append((wall, cpu))
            counts = {
                "items": sum(f.items for f in cold.feeds),
                "loaded": len(loaded),
                "cache_bytes": sum(
                    p.stat().st_size for p in (config.cache_path / "feeds").iterdir()
                ),
            }
        _, peak = _usage()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    labels = {
        "cold": f"cold fetch ({feeds} × 200)",
        "warm": f"warm fetch ({feeds} × 304)",
        "load": "build reads the cache (load_feed_items)",
    }
    table = []
    for key, samples in rows.items():
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        row = {"scenario": labels[key], "wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
        if key != "load":
            row["feeds_per_s"] = round(feeds / wall, 1)
        table.append(row)
    return {
        "rows": table,
        "feeds": feeds,
        "items_per_feed": items,
        "items_cached": counts.get("items"),
        "items_loaded": counts.get("loaded"),
        "feed_bytes_total": total_bytes,
        "cache_bytes_total": counts.get("cache_bytes"),
        "concurrency": concurrency,
        "runs": runs,
        "peak_rss_mib": peak,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=FetchSettings().concurrency)
    parser.add_argument("--quick", action="store_true", help="one run")
    parser.add_argument("--json", action="store_true", help="print JSON (for `make bench`)")
    args = parser.parse_args(argv)
    result = run(args.feeds, args.items, 1 if args.quick else args.runs, args.concurrency)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("| scenario | wall | CPU | feeds/s |\n|---|---|---|---|")
    for row in result["rows"]:
        rate = row.get("feeds_per_s", "")
        print(f"| {row['scenario']} | {row['wall_s']:.2f} s | {row['cpu_s']:.2f} s | {rate} |")
    extra = {k: v for k, v in result.items() if k != "rows"}
    print("\n" + ", ".join(f"{k}: {v}" for k, v in extra.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
