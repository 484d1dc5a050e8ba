"""``manage.py demo_logins``: print the demo accounts' logins as a table (development only)."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicte.accounts.models import TOTPDevice, User
from cicte.core import demo

HEADERS = ("Username", "Password", "Role", "Organisation", "State", "TOTP secret", "Code now")


def table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows under a header, in columns as wide as their widest cell."""
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    return [
        line(HEADERS),
        "  ".join("-" * w for w in widths),
        *(line(row).rstrip() for row in rows),
    ]


class Command(BaseCommand):
    help = "Print the demo logins (after `seed_demo`): password, role, organisation, TOTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default=settings.BASE_URL + "/", help="Where the platform is served."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_logins prints passwords and runs only with DEBUG=true.")
        try:
            password = demo.demo_password(create=False)
            accounts = demo.accounts(password)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        devices = {
            d.user.username: d
            for d in TOTPDevice.objects.filter(
                confirmed=True, user__username__in=[a["username"] for a in accounts]
            ).select_related("user")
        }
        acronyms = dict(User.objects.values_list("username", "organization__acronym"))
        now = time.time()
        rows = []
        for account in accounts:
            device = devices.get(account["username"])
            organisation = acronyms.get(account["username"]) or account["organisation"]
            rows.append(
                (
                    account["username"],
                    account["password"],
                    account["role"],
                    organisation,
                    account["member_state"] or "-",
                    account["totp_secret"] or "-",
                    demo.totp_code(device, at=now) if device else "-",
                )
            )
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"CICTE Platform demo: {options['url']}"))
        out("")
        for row in table(rows):
            out(row)
        out("")
        note = (
            "Every demo account has the same password. Accounts with a TOTP secret sign in with a "
            "code from an authenticator app holding that secret; the codes above are valid for "
            f"{demo.seconds_left(now)} more seconds, and each code works once. For fresh codes, "
            "run `DEBUG=true .venv/bin/python manage.py demo_logins` again."
        )
        for text in textwrap.wrap(note, width=100):
            out(text)
        out("")
