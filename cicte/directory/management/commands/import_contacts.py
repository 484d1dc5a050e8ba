"""``python manage.py import_contacts FILE --actor USERNAME [--dry-run]``: the directory's CSV
import from the command line, with the same checks, rights and audit trail as the web page.
All rows are written or none; on any problem the report goes to stderr and the exit status is
non-zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.accounts.models import User
from cicte.directory import exchange


class Command(BaseCommand):
    help = (
        "Import contacts and their designations from a CSV file (UTF-8, header row; columns: "
        + ", ".join(exchange.IMPORT_COLUMNS)
        + ", and attr:<key> for network-specific attributes). All rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file to import.")
        parser.add_argument(
            "--actor",
            required=True,
            help="Username of the account the import acts as (a national coordinator or a "
            "Secretariat administrator); its rights decide what may be imported.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file only; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = User.objects.get(username=options["actor"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active account has the username {options['actor']!r}.") from exc
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            # A batch job: no upload size or row limit, unlike the web page.
            result = exchange.import_contacts(
                actor=actor,
                data=data,
                filename=path.name,
                dry_run=options["dry_run"],
                max_bytes=None,
                max_rows=None,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                if error.column:
                    where += f", column {error.column}"
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(
                f"Nothing was imported: {len(result.errors)} problem(s) in {path.name}."
            )
        for line in exchange.import_summary(result):
            self.stdout.write(line)
