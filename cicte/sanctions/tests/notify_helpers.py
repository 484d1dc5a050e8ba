"""Helpers of the notification tests: a reporting entity with its administrator, a small domestic
list, and the loopback webhook receiver of the core tests."""

from __future__ import annotations

import hashlib
from typing import Any

from followthemoney import model

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.tests import factories as af
from cicte.core.tests.test_webhooks import Receiver
from cicte.sanctions import services
from cicte.sanctions.sources import ParsedList

__all__ = ["Receiver", "bank_with_admin", "domestic_import"]


def bank_with_admin(slug: str = "bank") -> tuple[Any, Any]:
    """A bank (a private reporting entity) and its administrator (org_admin there)."""
    bank = af.OrganizationFactory(slug=slug, kind=OrganizationKind.PRIVATE, member_state=None)
    admin = af.UserFactory(organization=bank)
    af.grant(admin, "org_admin", organization=bank)
    return bank, admin


def domestic_import(actor: Any, state_code: str, names: list[str]) -> services.ImportResult:
    """Publish ``names`` on a member state's domestic list, as the designations workflow does."""
    state = af.state(state_code)
    services.ensure_domestic_list(actor=actor, member_state=state)
    parsed = ParsedList(list_key=state_code.lower())
    for number, name in enumerate(names, start=1):
        entity = model.make_entity("Person")
        entity.id = f"{state_code.lower()}-{number}"
        entity.add("name", name)
        parsed.add(entity, f"{state_code}-{number}")
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()
    return services.import_list(
        actor=actor, parsed=parsed, source_name="designations", source_bytes_sha256=digest
    )
