"""The directory search with 50,000 contacts, on SQLite and on PostgreSQL.

Target (issue 3): p95 of a search under 50 ms on SQLite and on PostgreSQL. The issue names no
peer to measure against: the UN, FIRST, Trusted Introducer and INTERPOL directories it mentions
publish no search timings and cannot be run here.

Each database runs in its own worker process (:mod:`bench.directory.worker`); this module starts
them one after the other (never side by side: they would share the two cores and slow each
other down), then prints and records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import machine, report

NAME = "directory"
TARGET_MS = 50.0
ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("directory")
    group.add_argument("--contacts", type=int, default=50_000, help="contacts to load (50,000)")
    group.add_argument("--repeat", type=int, default=200, help="timed runs of each search (200)")
    group.add_argument("--warmup", type=int, default=20, help="untimed runs first (20)")
    group.add_argument("--only", nargs="*", default=None, help="keys of the searches to run")
    group.add_argument(
        "--explain", action="store_true", help="print each search's SQL and query plan"
    )


def _worker(
    database_url: str | None, args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cicte-bench-directory.") as tmp:
        out = Path(tmp) / "figures.json"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "CICTE_VAR_DIR": str(Path(tmp) / "var"),  # the throwaway SQLite file lives here
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        command = [
            sys.executable,
            "-m",
            "bench.directory.worker",
            "--contacts",
            str(args.contacts),
            "--repeat",
            str(args.repeat),
            "--warmup",
            str(args.warmup),
            "--out",
            str(out),
        ]
        if args.only:
            command += ["--only", *args.only]
        if args.explain:
            command.append("--explain")
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def _ms(value: float) -> str:
    return f"{value:.1f}"


def run(
    args: argparse.Namespace, postgres_url: str | None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {}
    log("\n== directory: SQLite")
    runs["SQLite"] = _worker(None, args, log)
    if postgres_url:
        log("\n== directory: PostgreSQL")
        runs["PostgreSQL"] = _worker(postgres_url, args, log)

    databases = list(runs)
    header = ["Search", "User", "Rows"]
    for db in databases:
        header += [f"{db} p50", f"{db} p95", f"{db} p99"]
    rows: list[list[str]] = []
    first = runs[databases[0]]["results"]
    misses = []
    for index, item in enumerate(first):
        row = [item["search"], item["user"], f"{item['matched']:,}"]
        for db in databases:
            figures = runs[db]["results"][index]
            row += [_ms(figures["p50"]), _ms(figures["p95"]), _ms(figures["p99"])]
            if figures["p95"] >= TARGET_MS:
                misses.append(f"{item['search']} / {item['user']} on {db}")
        rows.append(row)
    log("\nDirectory search, first page of 50 rows, times in ms (target: p95 under 50 ms)\n")
    log(report.text_table(header, rows))
    log(
        "\nAll searches meet the target."
        if not misses
        else "\nOver the target: " + "; ".join(misses)
    )
    return {"runs": runs, "header": header, "rows": rows, "misses": misses}


def document(args: argparse.Namespace, outcome: dict[str, Any], command: str) -> str:
    """The directory's section of docs/benchmarks.md."""
    runs = outcome["runs"]
    postgres = runs.get("PostgreSQL", {}).get("version", "").removeprefix("PostgreSQL ") or None
    described = machine.describe(postgresql=postgres)
    counts = next(iter(runs.values()))["counts"]
    sql_queries = sorted({r["sql_queries"] for run in runs.values() for r in run["results"]})
    verdict = (
        "Every search meets the target on both databases."
        if not outcome["misses"]
        else "Over the target: " + "; ".join(outcome["misses"]) + "."
    )
    lines = [
        "## Directory search (issue 3)",
        "",
        f"Command: `{command}` (`python -m bench directory`).",
        "",
        f"**Target** (issue 3): p95 of a search under {TARGET_MS:.0f} ms with 50,000 contacts, "
        "on SQLite and on PostgreSQL. **Peers**: none is named by the issue for this benchmark "
        "(the UN, FIRST, Trusted Introducer and INTERPOL directories it mentions publish no "
        "search timings and cannot be run here), so the figures stand against the target alone.",
        "",
        f"**Result**: {verdict}",
        "",
        "### Machine",
        "",
        report.markdown_table(["", ""], [[k, v] for k, v in described.items()]),
        "",
        "### Data set",
        "",
        "Bulk-loaded (seeded, the same every run) into a throwaway SQLite file (the platform's "
        "own settings: WAL, `synchronous=NORMAL`) and a throwaway PostgreSQL cluster "
        "(`ANALYZE` after the load, as autovacuum would): "
        + ", ".join(f"{value:,} {key}" for key, value in counts.items())
        + ". About 15% of the designations are history (replaced or withdrawn), a few await "
        "confirmation or were rejected, and about one active designation in seven is overdue "
        "for verification.",
        "",
        "### Method",
        "",
        "Each search is what one request of the search page does, through the real code path: "
        "load the user and their grants, `ContactDesignationFilterSet(data, "
        "queryset=ContactDesignation.objects.visible_to(user))`, a paginator's count and first "
        "page of 50 rows with the related records the page shows (`select_related` contact, "
        "organisation, member state, network and its policy; `prefetch_related` phones, emails, "
        "languages), every row materialised with its stale flag. It runs for two users: a member "
        "of two networks (CSIRTAmericas and the Inter-American Network against Terrorism, at "
        "Colombia's national CSIRT) and a Secretariat administrator (who sees every network). "
        f"{args.warmup} untimed runs, then {args.repeat} timed runs of each search and user; "
        f"percentiles by linear interpolation. SQL statements per search: "
        f"{', '.join(str(n) for n in sql_queries)}. The two databases run one after the other, "
        "each in its own process, never side by side.",
        "",
        "### Figures (ms)",
        "",
        report.markdown_table(outcome["header"], outcome["rows"]),
        "",
        "Rows: designations matched for that user (the paginator's count).",
    ]
    return "\n".join(lines)
