"""``manage.py export_misp_feed --collection <uuid> --user <username> <folder>``: write what
that user may read of a collection (never TLP:RED) as a MISP feed: manifest.json, hashes.csv
and one <event uuid>.json per event. ``--filter name=value`` (repeatable) takes the object
list's filters (type, tlp, added_from, added_to, value, q, versions ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.intel import misp
from cicte.intel.management.commands._misp_common import actor_and_collection


class Command(BaseCommand):
    help = "Export a STIX collection (or a filtered view of it) as a MISP feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="The folder to write the feed into.")
        parser.add_argument("--collection", required=True, help="The collection's id (UUID).")
        parser.add_argument("--user", required=True, help="The username the export acts as.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the object list, e.g. type=indicator or tlp=green (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor, collection = actor_and_collection(options["user"], options["collection"])
        data: dict[str, Any] = {}
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--filter {item!r}: write it as NAME=VALUE.")
            data.setdefault(name.strip(), []).append(value.strip())
        try:
            counts = misp.export_feed(
                actor=actor, collection=collection, folder=Path(options["folder"]), filters=data
            )
        except (misp.MispError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{counts['events']} events ({counts['attributes']} attributes) from "
            f"{counts['objects']} STIX objects written to {options['folder']}."
        )
