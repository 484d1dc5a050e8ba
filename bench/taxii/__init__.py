"""STIX ingest and TAXII Get Objects, on SQLite and on PostgreSQL, side by side with medallion.

Targets (issue 4, "Speed"):

- ingest: at least 2,000 objects/s validated and stored, on a realistic mix whose make-up is
  stated (:mod:`bench.taxii.mix`), through ``services.process``;
- Get Objects with ``limit=100`` and a token: p95 under 20 ms with 100,000 objects in the
  collection, and within 3x of a trivial view answering the same bytes through the same server;
- medallion's memory backend at 1,000 and 4,000 objects, taxii2-client driving both servers.

Each database runs in its own processes, one after the other (never side by side: they would
share the two cores): a worker (:mod:`bench.taxii.worker`) that migrates and loads, then
gunicorn serving the platform, timed from this process (:mod:`bench.taxii.client`).
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
from bench.taxii import mix

NAME = "taxii"
INGEST_TARGET = 2000
P95_TARGET_MS = 20.0
ECHO_FACTOR = 3.0
ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("taxii")
    group.add_argument(
        "--ingest-objects", type=int, default=20_000, help="objects posted per ingest run (20,000)"
    )
    group.add_argument("--envelope", type=int, default=1000, help="objects per envelope (1,000)")
    group.add_argument(
        "--collection-objects",
        type=int,
        default=100_000,
        help="objects in the collection that Get Objects reads (100,000)",
    )
    group.add_argument(
        "--get-repeat", type=int, default=300, help="timed requests per position (300)"
    )
    group.add_argument("--get-warmup", type=int, default=10, help="untimed requests first (10)")
    group.add_argument(
        "--medallion-budget",
        type=float,
        default=60.0,
        help="seconds of timing per medallion measurement at most (60)",
    )
    group.add_argument(
        "--skip-get", action="store_true", help="ingest only (no servers, no medallion)"
    )


def worker_env(
    database_url: str | None, tmp: Path, settings: str = "bench.settings"
) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "CICTE_VAR_DIR": str(tmp / "var"),  # the throwaway SQLite file lives here
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _worker(env: dict[str, str], mode: str, objects: int, args: argparse.Namespace) -> Any:
    out = Path(env["CICTE_VAR_DIR"]).parent / f"{mode}.json"
    command = [
        sys.executable,
        "-m",
        "bench.taxii.worker",
        mode,
        f"--objects={objects}",
        f"--envelope={args.envelope}",
        f"--out={out}",
    ]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _database(
    name: str, database_url: str | None, args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, Any]:
    from bench.taxii import client

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cicte-bench-taxii.") as tmp:
        env = worker_env(database_url, Path(tmp))
        log(f"\n== taxii: ingest, {name}")
        result["ingest"] = _worker(env, "ingest", args.ingest_objects, args)
        result["version"] = result["ingest"]["version"]
    if args.skip_get:
        return result
    with tempfile.TemporaryDirectory(prefix="cicte-bench-taxii.") as tmp:
        env = worker_env(database_url, Path(tmp), settings="bench.taxii.settings")
        if database_url:
            # A fresh schema for the collection (the ingest runs' objects are gone with it).
            _reset_postgres(env)
        log(f"\n== taxii: Get Objects, {name}: loading {args.collection_objects:,} objects")
        loaded = _worker(env, "load", args.collection_objects, args)
        echo_dir = Path(tmp) / "echo"
        echo_dir.mkdir()
        env["CICTE_BENCH_ECHO_DIR"] = str(echo_dir)
        count = loaded["stored"]
        wanted = sorted({0, count // 4, count // 2, 3 * count // 4, max(count - 100, 0)})
        with client.gunicorn("cicte.wsgi:application", env, ROOT, log, probe="/healthz") as base:
            before = _load_average()
            result["get"] = client.time_platform(
                base,
                loaded["network"],
                loaded["collection"],
                loaded["token"],
                echo_dir,
                wanted,
                args.get_repeat,
                args.get_warmup,
                budget=600.0,
            )
            result["get_load_average"] = [before, _load_average()]
        result["loaded"] = {k: loaded[k] for k in ("stored", "load_seconds")}
        for row in result["get"]:
            log(
                f"  position {row['position']:>7,}: p50 {row['http']['p50']:6.2f}  "
                f"p95 {row['http']['p95']:6.2f}  p99 {row['http']['p99']:6.2f} ms; same bytes "
                f"from a trivial view p95 {row['echo']['p95']:6.2f} ms; taxii2-client p95 "
                f"{row['taxii2_client']['p95']:6.2f} ms"
            )
    return result


def _peers_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("medallion", "taxii2client"))


def _reset_postgres(env: dict[str, str]) -> None:
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def run(
    args: argparse.Namespace, postgres_url: str | None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {"SQLite": _database("SQLite", None, args, log)}
    if postgres_url:
        runs["PostgreSQL"] = _database("PostgreSQL", postgres_url, args, log)
    outcome: dict[str, Any] = {"runs": runs, "medallion": []}
    if not args.skip_get and not _peers_installed():
        log("\n== taxii: medallion and taxii2-client are not installed (pip install -e '.[bench]')")
    elif not args.skip_get:
        from bench.taxii import client

        for size in (1000, 4000):
            log(f"\n== taxii: medallion, {size:,} objects (each timing capped)")
            before = _load_average()
            figures = client.time_medallion(
                mix.objects(size, seed=2026),
                ROOT,
                repeat=args.get_repeat,
                warmup=0,  # a request at 4,000 objects takes a minute or more
                budget=args.medallion_budget,
                log=log,
            )
            figures["load_average"] = [before, _load_average()]
            outcome["medallion"].append(figures)
            log(
                f"  first page: p50 {figures['http']['p50']:.1f} ms over "
                f"{figures['http']['samples']} requests; taxii2-client p50 "
                f"{figures['taxii2_client']['p50']:.1f} ms"
            )
    log("\n" + report.text_table(*_ingest_table(runs)))
    if not args.skip_get:
        log("\n" + report.text_table(*_get_table(runs)))
    return outcome


def _ingest_table(runs: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["Validator", "Database", "Objects", "Seconds", "Objects/s", "Validation alone/s"]
    rows = []
    for db, run in runs.items():
        for item in run["ingest"]["runs"]:
            label = "engine (fast)" if item["validator"] == "engine" else "stix2 library"
            rows.append(
                [
                    label,
                    db,
                    f"{item['objects']:,}",
                    f"{item['seconds']:.2f}",
                    f"{item['per_second']:,}",
                    f"{item['validate_per_second']:,}",
                ]
            )
    return header, rows


def _get_table(runs: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = [
        "Database",
        "Position",
        "p50",
        "p95",
        "p99",
        "Trivial view p50",
        "Trivial view p95",
        "p95 / trivial p95",
        "taxii2-client p50",
        "taxii2-client p95",
    ]
    rows = []
    for db, run in runs.items():
        for row in run.get("get", []):
            http, echo, tc = row["http"], row["echo"], row["taxii2_client"]
            rows.append(
                [
                    db,
                    f"{row['position']:,}",
                    f"{http['p50']:.1f}",
                    f"{http['p95']:.1f}",
                    f"{http['p99']:.1f}",
                    f"{echo['p50']:.1f}",
                    f"{echo['p95']:.1f}",
                    f"{http['p95'] / echo['p95']:.1f}x",
                    f"{tc['p50']:.1f}",
                    f"{tc['p95']:.1f}",
                ]
            )
    return header, rows


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def _verdict(outcome: dict[str, Any]) -> str:
    runs = outcome["runs"]
    engine = {
        db: next(i for i in run["ingest"]["runs"] if i["validator"] == "engine")["per_second"]
        for db, run in runs.items()
    }
    text = (
        "ingest "
        + ", ".join(f"{value:,} objects/s on {db}" for db, value in engine.items())
        + f" (target {_met(min(engine.values()) >= INGEST_TARGET)})."
    )
    timed = {db: run["get"] for db, run in runs.items() if run.get("get")}
    if timed:
        worst = {db: max(r["http"]["p95"] for r in rows) for db, rows in timed.items()}
        ratio = {
            db: max(r["http"]["p95"] / r["echo"]["p95"] for r in rows) for db, rows in timed.items()
        }
        text += (
            " Get Objects p95 at the worst position: "
            + ", ".join(f"{value:.1f} ms on {db}" for db, value in worst.items())
            + f" (target {P95_TARGET_MS:.0f} ms: {_met(max(worst.values()) < P95_TARGET_MS)}); "
            "p95 over the trivial view's p95: up to "
            + ", ".join(f"{value:.1f}x on {db}" for db, value in ratio.items())
            + f" (target {ECHO_FACTOR:.0f}x: {_met(max(ratio.values()) <= ECHO_FACTOR)})."
        )
    if outcome.get("medallion"):
        text += (
            " medallion's first page: "
            + ", ".join(
                f"{m['http']['p50']:,.0f} ms at {m['objects']:,} objects"
                for m in outcome["medallion"]
            )
            + "."
        )
    return text


def document(args: argparse.Namespace, outcome: dict[str, Any], command: str) -> str:
    """The TAXII section of docs/benchmarks.md."""
    runs = outcome["runs"]
    pg = runs.get("PostgreSQL", {}).get("version", "").removeprefix("PostgreSQL ") or None
    described = machine.describe(postgresql=pg)
    mix_text = ", ".join(f"{count} {kind}" for kind, count in mix.MIX.items())
    loads = "; ".join(
        f"{db} ingest ({item['validator']}): {item['load_average'][0]} at the start, "
        f"{item['load_average'][1]} at the end"
        for db, run in runs.items()
        for item in run["ingest"]["runs"]
    )
    lines = [
        "## STIX ingest and TAXII Get Objects (issue 4)",
        "",
        f"Command: `{command}`.",
        "",
        f"**Targets** (issue 4): ingest at least {INGEST_TARGET:,} objects/s validated and "
        f"stored; Get Objects with `limit=100` and a token, p95 under {P95_TARGET_MS:.0f} ms "
        f"with {args.collection_objects:,} objects in the collection and within "
        f"{ECHO_FACTOR:.0f}x of a trivial view answering the same bytes through the same "
        "server, on SQLite and on PostgreSQL. **Peers**: medallion (the OASIS TAXII 2.1 "
        "reference server, memory backend) at 1,000 and 4,000 objects, and stix2 (the OASIS "
        "Python library) as the validator the engine replaces; taxii2-client (the OASIS "
        "client) drives both servers.",
        "",
        "**Result**: " + _verdict(outcome),
        "",
        "### Machine",
        "",
        report.markdown_table(["", ""], [[k, v] for k, v in described.items()]),
        "",
        "One-minute load average (the benchmark itself accounts for about 1; more is other "
        f"work on the machine): {loads}.",
        "",
        "### Data set",
        "",
        "Seeded (`bench/taxii/mix.py`: the same objects every run), per 100 objects: "
        f"{mix_text}. Indicators carry STIX patterns of six shapes (an IPv4 address, a "
        "domain, a SHA-256, a URL, a two-observation pattern with a hash, a name and a "
        "network-traffic reference, and a CIDR `ISSUBSET` with `REPEATS ... WITHIN`); "
        "timestamps in seconds, milliseconds and microseconds; about 90% of the domain "
        "objects and half of the observables carry a TLP 2.0 marking (TLP:CLEAR among them), "
        "the rest take the collection's default; 15% carry a custom property "
        "(`x_cicte_source`), and `x-cicte-case-note` is a custom object type. Reports list 5 "
        "to 30 objects; relationships, sightings and notes point to earlier objects.",
        "",
        "### Ingest",
        "",
        f"{args.ingest_objects:,} objects posted in envelopes of {args.envelope:,}: the "
        "request's half (`services.submit`) untimed, the worker's half timed "
        "(`services.process`: every object validated, its TLP read, then `services.store`, "
        "which serialises the collection's writes and audits). Once with the engine's "
        "validator (`cicte.intel.stix.validate`) and once with the stix2 library's "
        "(`validate_with_stix2`, what the platform used before), each into a fresh "
        "collection of a freshly migrated database. *Validation alone*: the same objects "
        "through the validator only, without the database.",
        "",
        report.markdown_table(*_ingest_table(runs)),
    ]
    if not args.skip_get and any("get" in run for run in runs.values()):
        get_loads = "; ".join(
            f"{db}: {run['get_load_average'][0]} at the start, {run['get_load_average'][1]} at "
            "the end"
            for db, run in runs.items()
            if "get_load_average" in run
        )
        lines += [
            "",
            "### Get Objects",
            "",
            f"{args.collection_objects:,} objects of the mix posted into one collection of "
            "CSIRTAmericas' API root through the services, in envelopes of "
            f"{args.envelope:,} ("
            + ", ".join(
                f"{run['loaded']['stored']:,} versions in {run['loaded']['load_seconds']:.0f} s "
                f"on {db}"
                for db, run in runs.items()
                if "loaded" in run
            )
            + "), then the platform served by gunicorn (one synchronous worker) on loopback, "
            "with the benchmark's settings (the platform's, `DEBUG` off). The client walks "
            "the collection with `next` (100 at a time) to reach the positions below, then "
            f"times {args.get_repeat} requests of each page (`limit=100`, `Authorization: "
            "Token`, `Accept: application/taxii+json;version=2.1`) after "
            f"{args.get_warmup} untimed ones, each on a new connection; then the same bytes "
            "from a bench-only view (`bench/taxii/urls.py`, `/bench/echo/`, through the same "
            "server and middleware), and the page through taxii2-client's "
            "`Collection.get_objects`. Times in ms, measured by the client, percentiles by "
            f"linear interpolation. Load average: {get_loads}.",
            "",
            report.markdown_table(*_get_table(runs)),
        ]
    if outcome.get("medallion"):
        rows = []
        for item in outcome["medallion"]:
            rows.append(
                [
                    f"{item['objects']:,}",
                    f"{item['http']['samples']}",
                    f"{item['http']['p50']:,.1f}",
                    f"{item['http']['p95']:,.1f}",
                    f"{item['taxii2_client']['samples']}",
                    f"{item['taxii2_client']['p50']:,.1f}",
                ]
            )
        lines += [
            "",
            "### medallion, side by side",
            "",
            "medallion 3.0 (memory backend) under gunicorn on loopback, the same client, the "
            "first page (`limit=100`) of a collection holding the first 1,000 and 4,000 "
            "objects of the same mix, HTTP Basic. Each measurement stops after "
            f"{args.medallion_budget:.0f} s of timing (medallion's memory backend copies and "
            "filters the whole collection on every request, so the requests counted are "
            "fewer).",
            "",
            report.markdown_table(
                [
                    "Objects",
                    "Requests",
                    "HTTP p50 (ms)",
                    "HTTP p95 (ms)",
                    "taxii2-client requests",
                    "taxii2-client p50 (ms)",
                ],
                rows,
            ),
        ]
    return "\n".join(lines)
