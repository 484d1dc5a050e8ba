"""``manage.py import_misp <file, folder or URL> --collection <uuid> --user <username>``: import
MISP events (one, a list, an API answer) or a MISP feed (manifest.json and one file per event,
from a folder or a URL) into a collection, as that user, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.intel import misp
from cicte.intel.management.commands._misp_common import actor_and_collection


class Command(BaseCommand):
    help = "Import MISP events or a MISP feed into a STIX collection (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="A MISP JSON file, a feed folder, or a URL.")
        parser.add_argument("--collection", required=True, help="The collection's id (UUID).")
        parser.add_argument("--user", required=True, help="The username the import acts as.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor, collection = actor_and_collection(options["user"], options["collection"])
        try:
            result = misp.import_location(
                actor=actor, collection=collection, location=options["location"]
            )
        except misp.MispError as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{len(result.events)} events from {result.source}: {result.stored} STIX objects "
            f"stored, {result.unchanged} already there."
        )
