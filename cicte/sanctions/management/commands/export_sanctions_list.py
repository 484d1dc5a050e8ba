"""``python manage.py export_sanctions_list KEY --format ftm|csv|xml --output FILE``: a list's
current entries as FollowTheMoney JSON lines, CSV or UN-style XML (``-`` writes to stdout)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.core import audit
from cicte.sanctions import exports
from cicte.sanctions.models import ListEntity, SanctionsList


class Command(BaseCommand):
    help = "Export a sanctions list's current entries as FtM JSON lines, CSV or UN-style XML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="The list: un, ofac or a domestic list's ISO code.")
        parser.add_argument("--format", required=True, choices=sorted(exports.FORMATS))
        parser.add_argument("--output", required=True, help="The file to write, or - for stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The command line reads what the lists publish (the models' published()).
        published = SanctionsList.objects.published()
        sanctions_list = published.filter(key=options["key"]).first()
        if sanctions_list is None:
            known = ", ".join(published.values_list("key", flat=True)) or "none yet"
            raise CommandError(f"no list {options['key']!r} (lists: {known})", returncode=2)
        rows = (
            ListEntity.objects.published()
            .current()
            .filter(sanctions_list=sanctions_list)
            .order_by("source_id", "pk")
        )
        count = rows.count()
        chunks = exports.write(options["format"], rows.iterator(chunk_size=500))
        if options["output"] == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
        else:
            path = Path(options["output"])
            try:
                with path.open("w", encoding="utf-8", newline="") as out:
                    for chunk in chunks:
                        out.write(chunk)
            except OSError as exc:
                raise CommandError(
                    f"cannot write {path}: {exc.strerror or exc}", returncode=2
                ) from exc
            self.stdout.write(f"{sanctions_list.key}: {count} entries written to {path}")
        audit.record(
            actor=None,
            actor_label="export_sanctions_list",
            action=f"sanctions.{sanctions_list.key}.export",
            object_repr=f"sanctions.{sanctions_list.key}",
            changes={"rows": count, "filters": {"format": options["format"]}},
        )
