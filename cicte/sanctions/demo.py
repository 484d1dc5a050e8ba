"""The demo's sanctions lists (called by ``cicte.core.demo.seed``): the UN consolidated list and
OFAC's SDN list imported from the copies kept in ``data/`` (see its README), by the Secretariat
administrator. Before them, the demo bank subscribes to every list (email to its compliance
mailbox), so that each version of the demo shows who was told of it and how fast. A second run
finds the subscription and the same files and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cicte.sanctions import loading, services
from cicte.sanctions.models import SanctionsList

DATA = Path(__file__).resolve().parent / "data"
FILES = {
    "un": {"xml": "un-consolidated-list.xml"},
    "ofac": {
        "sdn": "ofac-sdn.csv",
        "alt": "ofac-alt.csv",
        "add": "ofac-add.csv",
        "comments": "ofac-sdn_comments.csv",
    },
}


BANK = "banco-demo-co"
BANK_SUBSCRIPTION = "Cumplimiento: todas las listas"
BANK_MAILBOX = "cumplimiento@banco-demo-co.example.org"


def seed_subscription(*, admin: Any, note: Callable[[str, bool], None]) -> None:
    """The demo bank follows every list (domestic ones added later included), by email."""
    from cicte.accounts.models import Organization
    from cicte.sanctions.models import ListSubscription

    bank = Organization.objects.filter(slug=BANK).first()
    if bank is None or ListSubscription.objects.filter(organization=bank).exists():
        return
    services.create_subscription(
        actor=admin,
        organization=bank,
        name=BANK_SUBSCRIPTION,
        emails=[BANK_MAILBOX],
        language="es",
    )
    note(f"sanctions subscription of {BANK}", True)


def seed(*, admin: Any, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    seed_subscription(admin=admin, note=note)
    for key, names in FILES.items():
        files = {name: (DATA / filename).read_bytes() for name, filename in names.items()}
        sanctions_list = SanctionsList.objects.filter(key=key).first()
        if sanctions_list and sanctions_list.last_source_sha256 == loading.fingerprint(files):
            continue  # imported already: not even parsed again, to keep a second run fast
        loaded = loading.load(key, files, names)
        result = services.import_list(
            actor=admin,
            parsed=loaded.parsed,
            source_name=loaded.source_name,
            source_bytes_sha256=loaded.sha256,
        )
        if result.version is not None:
            note(f"sanctions list {key} version {result.version.number}", True)
            log(
                f"sanctions list {key}: version {result.version.number}, {result.entity_count} entries"
            )
