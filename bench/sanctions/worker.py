"""The database side of the screening benchmarks (run by :mod:`bench.sanctions.api` with
``DJANGO_SETTINGS_MODULE=bench.settings`` and a throwaway database): migrate, import the UN and
OFAC lists from the copies in cicte/sanctions/data through the platform's services, and give a
reporting entity (a bank) an officer. Then:

- ``python -m bench.sanctions.worker api --out FILE``: write the officer's API token (scope
  ``sanctions:read``) for the timed HTTP client;
- ``python -m bench.sanctions.worker job --rows N --out FILE``: write a customer file of N rows
  (names of the evaluation set, cycled, with their dates of birth), accept it as a batch
  screening job through the screening service, run it through the worker's runner in this
  process, and write the time, rows/s, hits and peak memory.
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


def job(rows: int) -> dict[str, Any]:
    import csv
    import io
    import resource
    import time

    from django.core.files.base import ContentFile

    from bench.sanctions.generate import read
    from cicte.sanctions.matching import DEFAULT_THRESHOLD
    from cicte.screening import runner, services
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
    return {
        "rows": rows,
        "bytes": len(data),
        "entities": entities,
        "status": done.status,
        "seconds": elapsed,
        "rows_per_s": rows / elapsed,
        "hits": done.hit_rows.count(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sanctions.worker")
    parser.add_argument("mode", choices=["api", "job"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    result = api() if args.mode == "api" else job(args.rows)
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
