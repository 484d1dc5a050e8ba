"""One database's half of the TAXII benchmark, in its own process (Django's settings, and so its
database, are fixed per process).

``ingest``: migrate an empty database, then post the seeded mix in envelopes and time the
worker's half of each POST (``services.process``: every object validated by the STIX engine and
stored), with the engine's validator and with the stix2 library's (``--validator``).

``load``: migrate, post ``--objects`` objects of the mix into one collection, write the
analyst's token and the collection's id (for ``bench.taxii.serve`` and the timed client).

Run by ``python -m bench taxii``; its environment names the database (DATABASE_URL, or a
throwaway CICTE_VAR_DIR for SQLite) and ``DJANGO_SETTINGS_MODULE``.
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


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def _post(world: Any, objects: list[dict[str, Any]]) -> Any:
    """The request's half of a POST (not timed): a pending ingest, as TAXII's view makes it."""
    from django.db import transaction

    from cicte.intel import services

    # The worker's job is enqueued on commit; the benchmark runs it itself, timed.
    with transaction.atomic():
        ingest = services.submit(actor=world.analyst, collection=world.collection, objects=objects)
    return ingest


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from bench.taxii import fixture, mix
    from cicte.intel import services, stix

    call_command("migrate", verbosity=0, interactive=False)
    results: dict[str, Any] = {"version": _version(), "runs": []}
    for index, validator in enumerate(args.validators):
        world = fixture.world(title=f"Ingest {validator}", suffix=str(index))
        objects = mix.objects(args.objects, seed=args.seed)
        # services.process calls stix.validate: the reference run swaps in the stix2 library's.
        chosen = {"engine": stix.validate, "stix2": stix.validate_with_stix2}[validator]
        original, stix.validate = stix.validate, chosen  # type: ignore[misc]
        try:
            gc.collect()
            load_before = load_average()
            seconds = 0.0
            stored = refused = 0
            validate_seconds = 0.0
            for start in range(0, len(objects), args.envelope):
                envelope = objects[start : start + args.envelope]
                pending = _post(world, envelope)
                begin = time.perf_counter()
                done = services.process(pending.pk)
                seconds += time.perf_counter() - begin
                stored += done.success_count
                refused += done.failure_count
            # The validator alone, over the same objects (no database).
            begin = time.perf_counter()
            for obj in objects:
                chosen(obj)
            validate_seconds = time.perf_counter() - begin
        finally:
            stix.validate = original  # type: ignore[misc]
        run = {
            "validator": validator,
            "objects": len(objects),
            "stored": stored,
            "refused": refused,
            "seconds": round(seconds, 3),
            "per_second": round(len(objects) / seconds),
            "validate_per_second": round(len(objects) / validate_seconds),
            "load_average": [load_before, load_average()],
        }
        _log(
            f"  {validator:<8} {len(objects):,} objects in {seconds:.2f} s: "
            f"{run['per_second']:,} objects/s (validation alone: "
            f"{run['validate_per_second']:,}/s), {refused} refused"
        )
        results["runs"].append(run)
    return results


def load(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate and fill one collection with ``args.objects`` objects of the mix."""
    from django.core.management import call_command

    from bench.taxii import fixture, mix
    from cicte.core import maintenance
    from cicte.intel import services

    call_command("migrate", verbosity=0, interactive=False)
    world = fixture.world(title="Indicators")
    generator = mix.Generator(args.seed)
    begin = time.perf_counter()
    remaining = args.objects
    while remaining > 0:
        count = min(args.envelope, remaining)
        pending = _post(world, list(generator.objects(count)))
        services.process(pending.pk)
        remaining -= count
    maintenance.refresh_statistics()
    seconds = time.perf_counter() - begin
    from cicte.intel.models import StixObject

    stored = StixObject.objects.filter(collection=world.collection).count()
    _log(f"  loaded {stored:,} objects in {seconds:.1f} s")
    return {
        "version": _version(),
        "stored": stored,
        "load_seconds": round(seconds, 1),
        "token": world.token,
        "collection": str(world.collection.pk),
        "network": world.network_slug,
        "username": world.analyst.username,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.taxii.worker")
    parser.add_argument("mode", choices=["ingest", "load"])
    parser.add_argument("--objects", type=int, required=True)
    parser.add_argument("--envelope", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--validators", nargs="*", default=["engine", "stix2"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    result = ingest(args) if args.mode == "ingest" else load(args)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
