"""Quality and speed of the screening engine against its peers, on the frozen evaluation set.

``python -m bench.sanctions.evaluate [--sample N] [--peers logic-v2,logic-v1,token-sort]``
prints the figures (``make bench BENCH=sanctions`` records them in docs/benchmarks.md).

- The list side: UN + OFAC through the platform's parsers; for an ``alias`` query its alias is
  removed from the target entity first, so the query must find the entity by its other names.
- The candidate pre-filter is the engine's own (``Matcher.candidates``, with the floor at 0):
  every algorithm scores exactly the same (query, list entity) pairs.
- Recall per variant kind at the threshold where at most 0.5% of the innocents alert (an
  innocent alerts when any candidate scores at or above the threshold; a variant is found when
  its target entity does), chosen per algorithm on this set; and, for ours, at its documented
  default threshold.
- Speed: ours end to end (analysis, pre-filter, scoring) in names/s and scored pairs/s, one
  process; the peers' warm pairs/s on the same pairs, and the names/s that follows from the
  mean number of candidates per name.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from bench.sanctions.generate import EVALUATION, HOLDOUT, KINDS, load_lists, read, withheld
from cicte.sanctions.matching import DEFAULT_THRESHOLD, Matcher, Query, analyse

ALERT_RATE = 0.005
PEERS = ("logic-v2", "logic-v1", "token-sort")
# An alias query is screened against the list as published (the alias is on the list, the query
# must reach the entity through it and not only through the primary name). With True, the alias
# is removed from the entity first: a harder test that no name matcher can pass where the alias
# shares nothing with the other names ("AVIA IMPORT" for "ANGLO-CARIBBEAN CO., LTD.").
WITHHOLD_ALIASES = False

# State shared with forked workers (set before the pool starts).
_STATE: dict[str, Any] = {}


def build(rows: Sequence[dict[str, Any]]) -> tuple[Matcher, dict[tuple[str, str], EntityProxy]]:
    lists = load_lists()
    by_key: dict[tuple[str, str], EntityProxy] = {}
    for list_id, (entities, source_id_of) in lists.items():
        for entity in entities:
            by_key[(list_id, source_id_of(entity))] = entity
    for row in rows:
        withheld_name = withheld(row["kind"], row["origin"]) if WITHHOLD_ALIASES else None
        if withheld_name:
            entity = by_key[(row["list"], row["source_id"])]
            for value in list(entity.get("alias")):
                if value == withheld_name:
                    entity.remove("alias", value)
    matcher = Matcher({list_id: entities for list_id, (entities, _) in lists.items()})
    return matcher, by_key


def to_query(row: dict[str, Any]) -> Query:
    return Query(name=row["name"], birth_date=row["birth_date"], kind=row["type"])


def query_entity(row: dict[str, Any]) -> EntityProxy:
    schema = "Person" if row["type"] == "person" else "Organization"
    entity = model.make_entity(schema)
    entity.id = "query-" + row["id"]
    entity.add("name", row["name"])
    if row["birth_date"] and schema == "Person":
        entity.add("birthDate", row["birth_date"])
    return entity


def _peer(name: str) -> Callable[[EntityProxy, EntityProxy], float]:
    if name == "token-sort":
        from rapidfuzz import fuzz, utils

        def token_sort(query: EntityProxy, listed: EntityProxy) -> float:
            q = query.first("name") or ""
            names = [*listed.get("name"), *listed.get("alias", quiet=True)]
            return max(
                (fuzz.token_sort_ratio(q, n, processor=utils.default_process) / 100 for n in names),
                default=0.0,
            )

        return token_sort
    from nomenklatura.matching import get_algorithm

    algorithm = get_algorithm(name)
    if algorithm is None:
        raise SystemExit(f"nomenklatura has no algorithm {name}")
    config = algorithm.default_config()

    def compare(query: EntityProxy, listed: EntityProxy) -> float:
        return float(algorithm.compare(query, listed, config).score)

    return compare


def _ours(index: int) -> tuple[float, float, int]:
    """(best innocent-side score, target score, pairs) for one query."""
    matcher: Matcher = _STATE["matcher"]
    row = _STATE["rows"][index]
    hits = matcher.score(to_query(row), floor=0.0)
    best = max((h.score for h in hits), default=0.0)
    target = (row["list"], row["source_id"])
    found = max((h.score for h in hits if _STATE["keys"][id(h.entity)] == target), default=0.0)
    return best, found, len(hits)


def _peer_scores(index: int) -> tuple[float, float, int]:
    matcher: Matcher = _STATE["matcher"]
    row = _STATE["rows"][index]
    compare = _STATE["compare"]
    candidates = _STATE["candidates"][index]
    query = query_entity(row)
    target = (row["list"], row["source_id"])
    best = found = 0.0
    for entity in candidates:
        score = compare(query, entity)
        best = max(best, score)
        if _STATE["keys"][id(entity)] == target:
            found = max(found, score)
    del matcher
    return best, found, len(candidates)


def _pool_map(func: Callable[[int], tuple[float, float, int]], n: int, workers: int) -> list[Any]:
    if workers <= 1:
        return [func(i) for i in range(n)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        return pool.map(func, range(n), chunksize=64)


def threshold_for(innocent_best: Sequence[float], rate: float = ALERT_RATE) -> float:
    """The lowest threshold at which at most ``rate`` of the innocents alert."""
    ordered = sorted(innocent_best, reverse=True)
    allowed = math.floor(rate * len(ordered))
    if allowed >= len(ordered):
        return 0.0
    # alerts at t: count of scores >= t; just above the (allowed+1)-th highest score
    cut = ordered[allowed]
    return min(1.0, math.nextafter(cut, 2.0))


def summarise(
    rows: Sequence[dict[str, Any]], results: Sequence[tuple[float, float, int]], fixed: float | None
) -> dict[str, Any]:
    innocents = [r[0] for row, r in zip(rows, results, strict=True) if row["kind"] == "innocent"]
    chosen = threshold_for(innocents)
    out: dict[str, Any] = {"threshold": chosen, "innocents": len(innocents)}
    for label, t in (("at_rate", chosen), ("at_default", fixed)):
        if t is None:
            continue
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row, (_, score, _) in zip(rows, results, strict=True):
            if row["kind"] == "innocent":
                continue
            found[row["kind"]][1] += 1
            found[row["kind"]][0] += score >= t
        alerts = sum(score >= t for score in innocents)
        out[label] = {
            "threshold": t,
            "innocent_alert_rate": alerts / max(1, len(innocents)),
            "recall": {k: v[0] / v[1] for k, v in found.items()},
        }
    return out


def evaluate(
    *,
    sample: int | None = None,
    peers: Sequence[str] = PEERS,
    workers: int = 2,
    holdout: bool = True,
    log=print,
    path: Path = EVALUATION,
    keep_results: bool = False,
    speed: bool = True,
) -> dict[str, Any]:
    """The figures; with ``keep_results``, also each algorithm's per-query results (for
    :func:`print_misses`); ``path`` another set (the held-out one, to inspect it alone)."""
    rows = read(path)
    if sample:
        rng = random.Random(1)
        variants = [r for r in rows if r["kind"] != "innocent"]
        innocents = [r for r in rows if r["kind"] == "innocent"]
        rows = rng.sample(variants, min(sample, len(variants))) + rng.sample(
            innocents, min(sample * 3, len(innocents))
        )
    started = time.perf_counter()
    matcher, by_key = build(rows)
    build_s = time.perf_counter() - started
    keys = {id(entity): key for key, entity in by_key.items()}
    log(f"lists indexed: {len(matcher)} entities, {len(matcher.names)} names in {build_s:.1f} s")
    _STATE.update(matcher=matcher, rows=rows, keys=keys)

    figures: dict[str, Any] = {
        "queries": len(rows),
        "entities": len(matcher),
        "names": len(matcher.names),
        "build_s": build_s,
        "kinds": {k: sum(r["kind"] == k for r in rows) for k in (*KINDS, "innocent")},
    }

    # Speed of ours, end to end, one process, twice (the first warms rigour's caches).
    queries = [to_query(r) for r in rows]
    if keep_results:
        figures["rows"] = rows
        figures["results"] = {}
    if not speed:
        queries_timed: list[Query] = []
    else:
        queries_timed = queries
    for query in queries_timed[:500]:
        matcher.screen(query)
    gc.collect()
    analyse.cache_clear()  # each name analysed afresh, as in a batch of new names
    t0 = time.perf_counter()
    pairs_before = matcher.pairs_scored
    latencies: list[float] = [0.0]
    for query in queries_timed:
        q0 = time.perf_counter()
        matcher.screen(query)
        latencies.append((time.perf_counter() - q0) * 1000)
    elapsed = max(1e-9, time.perf_counter() - t0)
    pairs = matcher.pairs_scored - pairs_before
    latencies.sort()
    timed_n = max(1, len(queries_timed))
    figures["ours_speed"] = {
        "names_per_s": len(queries_timed) / elapsed,
        "pairs_per_s": pairs / elapsed,
        "pairs_per_name": pairs / timed_n,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
    }
    if speed:
        log(
            f"ours: {len(queries) / elapsed:,.0f} names/s, "
            f"p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms"
        )
    if workers > 1 and speed:
        analyse.cache_clear()
        t0 = time.perf_counter()
        matcher.screen_many(queries, workers=workers)
        elapsed = time.perf_counter() - t0
        figures["ours_speed"]["batch_workers"] = workers
        figures["ours_speed"]["batch_names_per_s"] = len(queries) / elapsed
        log(f"ours, batch on {workers} processes: {len(queries) / elapsed:,.0f} names/s")

    t0 = time.perf_counter()
    ours = _pool_map(_ours, len(rows), workers)
    log(f"ours scored in {time.perf_counter() - t0:.1f} s")
    figures["quality"] = {"ours": summarise(rows, ours, DEFAULT_THRESHOLD)}
    if keep_results:
        figures["results"]["ours"] = ours
    if holdout and not sample and path == EVALUATION:
        # the held-out set: same lists, other names, never looked at while tuning
        held = read(HOLDOUT)
        _STATE["rows"] = held
        figures["holdout"] = summarise(
            held, _pool_map(_ours, len(held), workers), DEFAULT_THRESHOLD
        )
        _STATE["rows"] = rows
        log(f"held-out set: {len(held):,} queries scored")

    candidates = [matcher.candidates(q, floor=0.0) for q in queries]
    _STATE["candidates"] = candidates
    total_pairs = sum(len(c) for c in candidates)
    figures["candidate_pairs"] = total_pairs
    for peer in peers:
        compare = _peer(peer)
        _STATE["compare"] = compare
        # warm: one pass over a slice, then time a fixed slice single-process
        timed = list(range(0, len(rows), max(1, len(rows) // 1500)))
        for i in timed[:100]:
            _peer_scores(i)
        t0 = time.perf_counter()
        n_pairs = 0
        for i in timed:
            n_pairs += _peer_scores(i)[2]
        elapsed = time.perf_counter() - t0
        pps = n_pairs / elapsed if elapsed else 0.0
        t0 = time.perf_counter()
        results = _pool_map(_peer_scores, len(rows), workers)
        log(f"{peer}: {pps:,.0f} pairs/s; scored in {time.perf_counter() - t0:.1f} s")
        figures["quality"][peer] = summarise(rows, results, None)
        if keep_results:
            figures["results"][peer] = results
        figures.setdefault("peer_speed", {})[peer] = {
            "pairs_per_s": pps,
            "names_per_s": pps / max(1e-9, total_pairs / len(rows)),
        }
    return figures


def print_figures(figures: dict[str, Any], log=print) -> None:
    algos = list(figures["quality"])
    log("recall at <= 0.5% innocents alerted (threshold per algorithm):")
    header = ["kind", *algos]
    log("  ".join(f"{h:>11}" for h in header))
    for kind in KINDS:
        cells = [kind] + [
            f"{figures['quality'][a]['at_rate']['recall'].get(kind, float('nan')):.3f}"
            for a in algos
        ]
        log("  ".join(f"{c:>11}" for c in cells))
    log(
        "  ".join(
            f"{c:>11}"
            for c in ["threshold"]
            + [f"{figures['quality'][a]['at_rate']['threshold']:.3f}" for a in algos]
        )
    )
    log(
        "  ".join(
            f"{c:>11}"
            for c in ["innocents"]
            + [
                f"{figures['quality'][a]['at_rate']['innocent_alert_rate'] * 100:.2f}%"
                for a in algos
            ]
        )
    )
    default = figures["quality"]["ours"]["at_default"]
    log(
        f"ours at default {default['threshold']}: innocents alerted "
        f"{default['innocent_alert_rate']:.4f}; "
        + ", ".join(f"{k} {v:.3f}" for k, v in default["recall"].items())
    )


def print_holdout(held: dict[str, Any], log=print) -> None:
    """Ours on the held-out set, at its own <= 0.5% threshold and at the default one."""
    log("held-out set, ours:")
    log("  ".join(f"{h:>11}" for h in ("kind", "at_rate", "at_default")))
    for kind in KINDS:
        log(
            "  ".join(
                f"{c:>11}"
                for c in [kind]
                + [
                    f"{held[key]['recall'].get(kind, float('nan')):.3f}"
                    for key in ("at_rate", "at_default")
                ]
            )
        )
    log(
        "  ".join(
            f"{c:>11}"
            for c in ["innocents"]
            + [
                f"{held[key]['innocent_alert_rate'] * 100:.2f}%"
                for key in ("at_rate", "at_default")
            ]
        )
    )
    log(f"held-out threshold at <= 0.5% innocents: {held['at_rate']['threshold']:.3f}")


def print_misses(figures: dict[str, Any], kinds: Sequence[str], log=print) -> None:
    """The variants of ``kinds`` that ours misses at its threshold on this set (with the score of
    the target and of the best candidate), and those that a peer finds but ours misses."""
    rows = figures["rows"]
    results = figures["results"]
    quality = figures["quality"]
    cut = {algo: quality[algo]["at_rate"]["threshold"] for algo in results}
    for kind in kinds:
        log(f"-- {kind}: missed by ours (threshold {cut['ours']:.3f})")
        for i, row in enumerate(rows):
            if row["kind"] != kind:
                continue
            best, found, _ = results["ours"][i]
            if found >= cut["ours"]:
                continue
            peers = [
                f"{algo} {results[algo][i][1]:.3f}"
                for algo in results
                if algo != "ours" and results[algo][i][1] >= cut[algo]
            ]
            log(
                f"{row['id']}  {row['name']!r} for {row['origin']!r} ({row['list']} "
                f"{row['source_id']}, {row['type']}, born {row['birth_date']}): target "
                f"{found:.3f}, best {best:.3f}"
                + (f"; found by {', '.join(peers)}" if peers else "")
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sanctions.evaluate")
    parser.add_argument("--sample", type=int, default=None, help="variants to sample (all)")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, or empty")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--misses",
        default="",
        help="comma-separated variant kinds (or 'all'): print the queries of those kinds that "
        "ours misses at its threshold, and which peers find them",
    )
    parser.add_argument(
        "--set",
        choices=("evaluation", "holdout"),
        default="evaluation",
        help="the set to evaluate (holdout: the held-out set alone, as its own set)",
    )
    parser.add_argument(
        "--no-speed", action="store_true", help="skip the speed timings (quality only)"
    )
    parser.add_argument("--no-holdout", action="store_true", help="skip the held-out set's figures")
    args = parser.parse_args(argv)
    peers = [p for p in args.peers.split(",") if p]
    kinds = list(KINDS) if args.misses == "all" else [k for k in args.misses.split(",") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kind(s) {', '.join(unknown)}; kinds: {', '.join(KINDS)}")
    figures = evaluate(
        sample=args.sample,
        peers=peers,
        workers=args.workers,
        holdout=not args.no_holdout,
        path=HOLDOUT if args.set == "holdout" else EVALUATION,
        keep_results=bool(kinds),
        speed=not args.no_speed,
    )
    print_figures(figures)
    if "holdout" in figures:
        print_holdout(figures["holdout"])
    if kinds:
        print_misses(figures, kinds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
