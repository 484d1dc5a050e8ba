"""``manage.py load_work_plan [FILE]``: load (or bring up to date) a work plan from its text.

Without FILE, the 2022-2023 plan copied into the repository (``cicte/workplan/data``). Running it
again changes nothing; translations added in the UI are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.workplan import services
from cicte.workplan.plan_text import PlanTextError, parse

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "cicte-work-plan-2022-2023.txt"


class Command(BaseCommand):
    help = "Load a work plan (programs, purposes, activities) from its plain text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default=str(DEFAULT), help="The plan's text (UTF-8)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            parsed = parse(text)
            plan, counts = services.import_work_plan(actor=None, plan=parsed)
        except (PlanTextError, ValidationError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        programs = plan.programs.count()
        activities = sum(len(p.activities) for p in parsed.programs) + sum(
            len(s.activities) for p in parsed.programs for s in p.subprograms
        )
        self.stdout.write(
            f"{plan.title}: {programs} programs, {activities} activities; "
            f"{counts['created']} created, {counts['updated']} updated."
        )
