"""``manage.py poll_sources [<id or name> ...] [--due]``: poll remote sources now, in this
process (what the worker does on its schedule): those named, or with ``--due`` every enabled
source whose next poll has come. Exits with an error when a poll failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.sources import services
from cicte.sources.choices import PollStatus, PollTrigger
from cicte.sources.models import RemoteSource


class Command(BaseCommand):
    help = "Poll remote sources (TAXII 2.1 collections, MISP feeds) now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="Sources by id or by name.")
        parser.add_argument(
            "--due", action="store_true", help="Every enabled source whose next poll has come."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = []
        for given in options["sources"]:
            query = RemoteSource.objects.filter(name=given)
            if given.isdigit():
                query = query | RemoteSource.objects.filter(pk=int(given))
            found = list(query.values_list("pk", flat=True))
            if not found:
                raise CommandError(f"No remote source has the id or name {given!r}.")
            ids.extend(found)
        if options["due"]:
            ids.extend(services.claim_due_sources())
        if not ids and not options["due"]:
            raise CommandError("Name the sources to poll, or give --due.")
        failed = 0
        for source_id in dict.fromkeys(ids):
            record = services.poll(source_id=source_id, trigger=PollTrigger.COMMAND)
            if record is None:
                self.stdout.write(f"Source {source_id}: not polled (a poll of it is running).")
                continue
            line = (
                f"{record.source_name}: {record.status}, {record.objects_read} read, "
                f"{record.stored} stored, {record.duplicates} already stored, "
                f"{record.refused} refused"
            )
            if record.status == PollStatus.ERROR:
                failed += 1
                self.stderr.write(f"{line}: {record.error}")
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} poll(s) failed.")
