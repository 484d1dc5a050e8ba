"""One database's half of the directory benchmark, in its own process (Django's settings, and so
its database, are fixed per process): migrate an empty database, bulk-load the data set, time
every search for both users, and write the figures as JSON.

Run by ``python -m bench directory``; its environment names the database (DATABASE_URL, or a
throwaway CICTE_VAR_DIR for SQLite) and ``DJANGO_SETTINGS_MODULE=bench.settings``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.directory.worker")
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--only", nargs="*", default=None, help="keys of the searches to run")
    parser.add_argument("--explain", action="store_true", help="print each search's query plan")
    parser.add_argument("--no-gc-freeze", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from bench.directory import fixture, searches
    from bench.report import percentiles
    from cicte.accounts.models import User
    from cicte.core import maintenance

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    _log(f"  migrated in {migrated - started:.1f} s; loading {args.contacts:,} contacts...")
    loaded = fixture.load(args.contacts, log=_log)
    # The planner's statistics, as the platform's nightly task gathers them (and autovacuum on
    # PostgreSQL).
    maintenance.refresh_statistics()
    load_seconds = time.perf_counter() - migrated
    _log(f"  loaded in {load_seconds:.1f} s")

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    connection.close()

    # What the loading left behind is garbage; what start-up loaded (Django, the apps) stays,
    # and is frozen out of the collector's full passes, as a web worker that preloads the
    # application and freezes it does (see docs/benchmarks.md).
    gc.collect()
    if not args.no_gc_freeze:
        gc.freeze()

    # Time spent in the database driver's execute, per search: the database's share (on SQLite,
    # rows after the first are computed while they are fetched, outside execute).
    sql_ns = [0]

    def sql_timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ns[0] += time.perf_counter_ns() - start

    users = {
        "member of 2 networks": loaded.member_pk,
        "Secretariat": loaded.secretariat_pk,
    }
    results: list[dict[str, Any]] = []
    load_before = _load_average()
    timing_started = time.perf_counter()
    for search in searches.searches(loaded):
        if args.only and search.key not in args.only:
            continue
        for who, user_pk in users.items():
            run = searches.runner(user_pk, search.data)
            statements: list[str] = []

            def count(execute: Any, sql: str, *rest: Any, _seen: list[str] = statements) -> Any:
                _seen.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                matched, shown = run()
            if args.explain:
                user = User.objects.get(pk=user_pk)
                queryset = searches.page_queryset(user, search.data)[: searches.PAGE_SIZE]
                _log(f"\n--- {search.label} / {who}: {matched} matched\n{queryset.query}\n")
                _log(queryset.explain())
            for _ in range(args.warmup):
                run()
            samples, in_sql = [], []
            with connection.execute_wrapper(sql_timer):
                for _ in range(args.repeat):
                    sql_ns[0] = 0
                    begin = time.perf_counter_ns()
                    run()
                    samples.append((time.perf_counter_ns() - begin) / 1e6)
                    in_sql.append(sql_ns[0] / 1e6)
            figures = percentiles(samples)
            figures["sql_p50"] = percentiles(in_sql)["p50"]
            results.append(
                {
                    "key": search.key,
                    "search": search.label,
                    "user": who,
                    "matched": matched,
                    "shown": shown,
                    "sql_queries": len(statements),
                    "samples": len(samples),
                    **{k: round(v, 2) for k, v in figures.items()},
                }
            )
            _log(
                f"  {search.label:<48} {who:<22} p50 {figures['p50']:7.2f}  "
                f"p95 {figures['p95']:7.2f}  p99 {figures['p99']:7.2f} ms, SQL p50 "
                f"{figures['sql_p50']:6.2f} ms  ({matched:,} rows)"
            )

    args.out.write_text(
        json.dumps(
            {
                "vendor": connection.vendor,
                "version": version,
                "load_seconds": round(load_seconds, 1),
                "timing_seconds": round(time.perf_counter() - timing_started, 1),
                "load_average": [load_before, _load_average()],
                "gc_frozen": not args.no_gc_freeze,
                "counts": loaded.counts,
                "results": results,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
