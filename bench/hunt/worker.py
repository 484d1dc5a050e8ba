"""One timed retro-hunt, in its own process (so its peak memory is the hunt's own):
``python -m bench.hunt.worker --dir DIR --input logs.txt --out figures.json``."""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from pathlib import Path

from cicte.intel.hunt import Hunter, HuntStats, IndicatorSet, Warninglists, indicators_from_stix


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--input", default="logs.txt")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    objects = json.loads((args.dir / "indicators.json").read_text(encoding="utf-8"))
    found = indicators_from_stix(objects)
    indicators = IndicatorSet.build(found.entries)
    del objects
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    warninglists = Warninglists.shipped()
    warninglist_seconds = time.perf_counter() - started

    hunter = Hunter(indicators, warninglists)
    stats = HuntStats()
    by_match: Counter[str] = Counter()
    lines: set[int] = set()
    started, cpu = time.perf_counter(), time.process_time()
    for match in hunter.hunt(args.dir / args.input, stats=stats, every=100_000):
        by_match[f"{match.match} ({match.indicator_kind})"] += 1
        lines.add(match.line)
    hunt_seconds = time.perf_counter() - started
    hunt_cpu_seconds = time.process_time() - cpu
    figures = {
        "input": args.input,
        "indicators": indicators.size,
        "refused": indicators.refused,
        "skipped": found.skipped,
        "build_seconds": build_seconds,
        "warninglist_seconds": warninglist_seconds,
        "hunt_seconds": hunt_seconds,
        "hunt_cpu_seconds": hunt_cpu_seconds,
        "lines": stats.lines,
        "characters": stats.characters,
        "values": stats.values,
        "matches": stats.matches,
        "matched_lines": len(lines),
        "suppressed": stats.suppressed,
        "by_match": dict(sorted(by_match.items())),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    args.out.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
