"""Factories for the directory's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cicte.accounts.models import Organization, User
from cicte.accounts.tests import factories as af
from cicte.directory import services
from cicte.directory.models import CommunicationCheck, Contact, ContactDesignation

PHONES = {
    "AR": "+54 11 4342-6000",
    "BR": "+55 61 2030-1000",
    "CL": "+56 2 2690 4000",
    "CO": "+57 601 3445000",
    "MX": "+52 55 3686 5100",
    "PE": "+51 1 204 2400",
    "TT": "+1 868 623 2441",
    "US": "+1 202 647 4000",
}
MOBILES = {
    "AR": "+54 9 11 5555-0101",
    "CO": "+57 310 555 0101",
    "MX": "+52 1 55 5555 0101",
    "BR": "+55 61 99999-0101",
}


def contact(
    organization: Organization | None = None, *, actor: User | None = None, **kwargs: Any
) -> Contact:
    """A contact created through the service, by the Secretariat unless ``actor`` is given."""
    organization = organization or af.OrganizationFactory()
    actor = actor or af.secretariat_admin()
    code = organization.member_state.code if organization.member_state else "US"
    n = Contact.objects.count() + 1
    defaults: dict[str, Any] = {
        "name": f"Contact {n}",
        "title": "Head of unit",
        "languages": ["es", "en"],
        "phones": [{"kind": "office", "number": PHONES.get(code, PHONES["US"])}],
        "emails": [{"kind": "institutional", "address": f"contact{n}@example.org"}],
        "time_zone": "America/Bogota",
    }
    defaults.update(kwargs)
    return services.create_contact(actor=actor, organization=organization, **defaults)


def designation(
    contact_obj: Contact | None = None,
    network_slug: str = "csirtamericas",
    role: str | None = None,
    *,
    actor: User | None = None,
    **kwargs: Any,
) -> ContactDesignation:
    """An active designation made through the service, by the Secretariat unless ``actor`` is given."""
    contact_obj = contact_obj or contact()
    network = af.network(network_slug)
    policy = services.policy_for(network)
    role = role or policy.role_choices[0][0]
    return services.designate(
        actor=actor or af.secretariat_admin(),
        contact=contact_obj,
        network=network,
        role=role,
        **kwargs,
    )


def make_stale(designation_obj: ContactDesignation, days_over: int = 1) -> ContactDesignation:
    days = designation_obj.policy.verification_days + days_over
    ContactDesignation.objects.filter(pk=designation_obj.pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=days)
    )
    designation_obj.refresh_from_db()
    return designation_obj


def communication_check(
    network_slug: str = "csirtamericas",
    *,
    actor: User | None = None,
    hours: int = 72,
    message: str = "",
) -> CommunicationCheck:
    """A check launched through the service by the Secretariat, its emails sent (the jobs that
    run after commit are run here)."""
    from django.test import TestCase

    from cicte.directory import checks

    with TestCase.captureOnCommitCallbacks(execute=True):
        return checks.launch_check(
            actor=actor or af.secretariat_admin(),
            network=af.network(network_slug),
            deadline=timezone.now() + dt.timedelta(hours=hours),
            message=message,
        )


def links_in(messages: Any, kind: str = "respond") -> list[str]:
    """The paths of the links to ``/directory/checks/<kind>/<token>/`` in emails."""
    import re

    pattern = re.compile(r"https?://[^/\s]+(/directory/checks/" + kind + r"/[^/\s]+/)")
    return [match for message in messages for match in pattern.findall(message.body)]
