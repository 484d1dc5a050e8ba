"""``manage.py seed_demo``: load the demonstration data (development only)."""

from __future__ import annotations

import json
import sys
from contextlib import redirect_stdout
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.core import demo, maintenance


class Command(BaseCommand):
    help = (
        "Load a realistic demo: institutions of five member states, partners, network "
        "memberships and one account per role. Idempotent; refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only a JSON list of the demo accounts (username, password, totp_secret, "
            "role, organisation, member_state, networks) on standard output.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password and runs only in development: "
                "set DEBUG=true. Never load the demo into a production database."
            )
        as_json = options["json"]
        log = self.stderr.write if as_json else self.stdout.write
        try:
            # Whatever a service might print (the console email backend...) must not corrupt
            # the JSON on standard output.
            with redirect_stdout(sys.stderr if as_json else sys.stdout):
                password = demo.demo_password()
                report = demo.seed(password=password, log=log)
                maintenance.refresh_statistics()
                accounts = demo.accounts(password)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(accounts, indent=2, ensure_ascii=False))
            return
        if report.created or report.updated:
            log(
                self.style.SUCCESS(
                    f"Demo ready: {len(report.created)} created, {len(report.updated)} updated."
                )
            )
        else:
            log(self.style.SUCCESS("Demo already up to date: nothing changed."))
        log("Print the logins with `DEBUG=true python manage.py demo_logins`.")
