"""The database side of the screening benchmarks (run by :mod:`bench.sanctions.api` with
``DJANGO_SETTINGS_MODULE=bench.settings`` and a throwaway database): migrate, import the UN and
OFAC lists from the copies in cicte/sanctions/data through the platform's services, and give a
reporting entity (a bank) an officer. Then:

- ``python -m bench.sanctions.worker api --out FILE``: write the officer's API token (scope
  ``sanctions:read``) for the timed HTTP client;
- ``python -m bench.sanctions.worker job --rows N [--repeat K] --out FILE``: write a customer
  file of N rows (names of the evaluation set, cycled, with their dates of birth); start the
  screening pool's fork server as the task queue's worker does when it starts; then K times,
  accept the file as a batch screening job through the screening service and run it through
  the worker's runner in this process (the first job builds the lists' index, the next ones
  find it built, as in a running worker); write each job's time, rows/s and hits, and the peak
  memory of this process and of the largest process descending from it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def prepare() -> tuple[Any, int]:
    from django.core.management import call_command

    from cicte.accounts.choices import OrganizationKind
    from cicte.accounts.models import MemberState, Organization, User
    from cicte.sanctions import demo, loading, services

    call_command("migrate", verbosity=0, interactive=False)
    bank = Organization.objects.create(
        name="Banco de Referencia (bench)",
        slug="banco-bench",
        kind=OrganizationKind.PRIVATE,
        member_state=MemberState.objects.get(code="CO"),
    )
    officer = User.objects.create_user(
        username="compliance-bench", email="compliance@example.org", organization=bank
    )
    entities = 0
    for key, names in demo.FILES.items():
        files = {name: (demo.DATA / filename).read_bytes() for name, filename in names.items()}
        loaded = loading.load(key, files, names)
        result = services.import_list(
            actor=None,
            actor_label="bench",
            parsed=loaded.parsed,
            source_name=loaded.source_name,
            source_bytes_sha256=loaded.sha256,
        )
        entities += result.entity_count
    return officer, entities


def api() -> dict[str, Any]:
    from cicte.accounts import services as account_services

    officer, entities = prepare()
    _token, secret = account_services.create_api_token(
        actor=officer, name="bench", scopes=["sanctions:read"], expires_in_days=30
    )
    return {"token": secret, "entities": entities}


class _DescendantsPeak:
    """The largest resident memory of any process descending from this one (the screening
    pool's processes are the fork server's children, not ours: ``RUSAGE_CHILDREN`` misses
    them), sampled from /proc every 0.2 s on a thread."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import os

        me = os.getpid()
        while not self._stop.wait(0.2):
            parents: dict[int, int] = {}
            rss: dict[int, int] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                        fields = dict(line.split(":", 1) for line in f if ":" in line)
                except OSError:
                    continue
                parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
                rss[int(entry)] = int((fields.get("VmRSS", "0 kB").split() or ["0"])[0])
            for pid, kb in rss.items():
                ancestor = parents.get(pid, 0)
                while ancestor and ancestor != me:
                    ancestor = parents.get(ancestor, 0)
                if ancestor == me:
                    self.peak_kb = max(self.peak_kb, kb)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def job(rows: int, repeat: int) -> dict[str, Any]:
    import csv
    import io
    import resource
    import time

    from django.core.files.base import ContentFile

    from bench.sanctions.generate import read
    from cicte.sanctions.matching import DEFAULT_THRESHOLD
    from cicte.screening import runner, services, tasks
    from cicte.screening.models import ScreeningJob

    officer, entities = prepare()
    names = read()
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(["id", "name", "birth_date"])
    for i in range(rows):
        row = names[i % len(names)]
        out.writerow([f"C{i:07d}", row["name"], row["birth_date"] or ""])
    data = text.getvalue().encode()
    descendants = _DescendantsPeak()
    # As the task queue's worker does when it starts (before any job).
    started = time.perf_counter()
    tasks.start_screening_pool_server()
    server_s = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        created = services.create_job(
            actor=officer,
            upload=ContentFile(data, name="customers.csv"),
            name="customers.csv",
            lists=None,
            threshold=DEFAULT_THRESHOLD,
        )
        started = time.perf_counter()
        runner.run_job(created.pk)
        elapsed = time.perf_counter() - started
        done = ScreeningJob.objects.get(pk=created.pk)
        runs.append(
            {
                "status": done.status,
                "seconds": elapsed,
                "rows_per_s": rows / elapsed,
                "hits": done.hit_rows.count(),
            }
        )
    return {
        "rows": rows,
        "bytes": len(data),
        "entities": entities,
        "runs": runs,
        "server_s": server_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_rss_mb": descendants.stop(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sanctions.worker")
    parser.add_argument("mode", choices=["api", "job"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    result = api() if args.mode == "api" else job(args.rows, args.repeat)
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
