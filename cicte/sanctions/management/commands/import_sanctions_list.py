"""``python manage.py import_sanctions_list un FILE.xml`` and
``python manage.py import_sanctions_list ofac --sdn SDN.csv --alt ALT.csv --add ADD.csv
[--comments COMMENTS.csv]``: import a list file as a new version of the list, with its diff.

Prints the version number, the entry count and the diff counts; the same file again makes no
new version (and says so). A missing or malformed file exits with status 2 and a message naming
the file and line; nothing is imported then."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.accounts.models import User
from cicte.sanctions import loading, services
from cicte.sanctions.sources import ListFormatError


class Command(BaseCommand):
    help = "Import the UN consolidated list (XML) or OFAC's SDN files (CSV) as a new list version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list", choices=sorted(loading.LIST_FILES), help="un or ofac")
        parser.add_argument("file", nargs="?", help="The UN list XML file (for un).")
        parser.add_argument("--sdn", help="OFAC SDN.CSV (for ofac)")
        parser.add_argument("--alt", help="OFAC ALT.CSV (for ofac)")
        parser.add_argument("--add", help="OFAC ADD.CSV (for ofac)")
        parser.add_argument("--comments", help="OFAC SDN_COMMENTS.CSV (optional, for ofac)")
        parser.add_argument("--actor", help="Username the import is recorded under (optional).")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["list"]
        if key == "un":
            if not options["file"]:
                raise CommandError(
                    "un: give the XML file: import_sanctions_list un FILE.xml", returncode=2
                )
            paths = {"xml": options["file"]}
        else:
            if options["file"]:
                raise CommandError(
                    "ofac: give the files with --sdn, --alt, --add [--comments]", returncode=2
                )
            paths = {n: options[n] for n in ("sdn", "alt", "add", "comments") if options[n]}
            missing = [f"--{n}" for n in ("sdn", "alt", "add") if n not in paths]
            if missing:
                raise CommandError(f"ofac: missing {', '.join(missing)}", returncode=2)
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    f"No active account has the username {options['actor']!r}.", returncode=2
                )
        files, names = {}, {}
        for name, value in paths.items():
            path = Path(value)
            try:
                files[name] = path.read_bytes()
            except OSError as exc:
                raise CommandError(
                    f"cannot read {path}: {exc.strerror or exc}", returncode=2
                ) from exc
            names[name] = path.name
        try:
            loaded = loading.load(key, files, names)
        except ListFormatError as exc:
            raise CommandError(f"{key}: {exc}; nothing imported", returncode=2) from exc
        result = services.import_list(
            actor=actor,
            parsed=loaded.parsed,
            source_name=loaded.source_name,
            source_bytes_sha256=loaded.sha256,
            actor_label=None if actor else "import_sanctions_list",
        )
        if result.version is None:
            self.stdout.write(
                f"{key}: unchanged, no new version ({result.entity_count} entries; "
                f"the list stays at version {_current(result)})"
            )
            return
        self.stdout.write(
            f"{key}: version {result.version.number} imported: {result.entity_count} entries; "
            f"{result.added} added, {result.amended} amended, {result.removed} removed"
        )


def _current(result: services.ImportResult) -> int:
    version = result.sanctions_list.current_version()
    return version.number if version else 0
