"""Single-name screening through the REST API under HTTP: ``POST /api/sanctions/screen/``
served by gunicorn (one synchronous worker, as in the TAXII benchmark) on loopback, with the UN
and OFAC lists imported into a throwaway SQLite database, timed from this process one request
at a time (``Authorization: Token``, JSON in and out), with names drawn from the frozen
evaluation set (variants and innocents alike, with their dates of birth).

The first requests are a warm-up: the worker builds its matcher over the lists once (the
screening module keeps it per process until a list gains a version).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench.taxii import worker_env
from bench.taxii.client import TokenAuth, gunicorn, timed

ROOT = Path(__file__).resolve().parents[2]


def run(*, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    from bench.sanctions.generate import read

    rows = read()
    rng = random.Random(7)
    queries: list[dict[str, Any]] = [
        {"name": r["name"], **({"birth_date": r["birth_date"]} if r["birth_date"] else {})}
        for r in rng.sample(rows, min(len(rows), repeat + 50))
    ]
    with tempfile.TemporaryDirectory(prefix="cicte-bench-sanctions.") as tmp:
        env = worker_env(None, Path(tmp))
        out = Path(tmp) / "api.json"
        log("\n== sanctions: API, importing UN + OFAC into SQLite")
        subprocess.run(
            [sys.executable, "-m", "bench.sanctions.worker", "api", f"--out={out}"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        prepared = json.loads(out.read_text(encoding="utf-8"))
        with gunicorn("cicte.wsgi:application", env, ROOT, log, probe="/healthz") as base:
            session = requests.Session()
            session.auth = TokenAuth(prepared["token"])
            url = base + "/api/sanctions/screen/"
            pending = iter(queries)
            hits = 0

            def call() -> None:
                nonlocal hits
                response = session.post(url, json=next(pending), timeout=600)
                response.raise_for_status()
                hits += len(response.json()["hits"])

            figures = timed(call, repeat=repeat, warmup=50, budget=300.0)
    figures["entities"] = prepared["entities"]
    figures["hits"] = hits
    log(
        f"API: {figures['samples']} requests, p50 {figures['p50']} ms, "
        f"p95 {figures['p95']} ms, p99 {figures['p99']} ms"
    )
    return figures


def run_job(*, rows: int, log: Callable[[str], None], processes: int = 2) -> dict[str, Any]:
    """Batch screening jobs of ``rows`` customer rows through the platform's own path: the
    screening service accepts the file, the worker's runner checks every row, then screens and
    stores the hits (SQLite). In a fresh process per configuration, two jobs each (the first
    builds the lists' index): screened in the runner's thread (``SCREENING_PROCESSES=1``), then
    shared out to ``processes`` processes of the screening pool."""
    configurations = []
    for count in (1, processes):
        with tempfile.TemporaryDirectory(prefix="cicte-bench-sanctions.") as tmp:
            env = worker_env(None, Path(tmp))
            env["SCREENING_PROCESSES"] = str(count)
            env["SCREENING_PARALLEL_ROWS"] = "1"
            out = Path(tmp) / "job.json"
            log(
                f"\n== sanctions: batch jobs of {rows:,} rows through the platform, {count} process(es)"
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.sanctions.worker",
                    "job",
                    f"--rows={rows}",
                    "--repeat=2",
                    f"--out={out}",
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        result["processes"] = count
        for number, run in enumerate(result["runs"], start=1):
            log(
                f"job {number}: {run['status']}, {rows:,} rows in {run['seconds']:.1f} s "
                f"({run['rows_per_s']:,.0f} rows/s), {run['hits']:,} hits"
            )
        log(
            f"peak {result['peak_rss_mb']:.0f} MB, largest other process "
            f"{result['children_peak_rss_mb']:.0f} MB; fork server started in "
            f"{result['server_s']:.1f} s"
        )
        configurations.append(result)
    return {"rows": rows, "bytes": configurations[0]["bytes"], "configurations": configurations}
