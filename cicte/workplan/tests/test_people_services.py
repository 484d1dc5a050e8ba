"""The registry's services: deduplication, registration, participation and scores,
certificates and their revocation, who may do what, and what the audit trail keeps."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import services_people as services
from cicte.workplan.choices import RegistrationStatus
from cicte.workplan.models import Person, Registration
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    details,
    people_world_fixture,
)

pytestmark = pytest.mark.django_db


def test_fold_and_keys() -> None:
    assert services.fold("  José   PÉREZ ") == "jose perez"
    assert services.email_key(" Ana.Perez@Example.GOV.ar ") == "ana.perez@example.gov.ar"


def test_same_email_whatever_the_case_is_the_same_person(people_world: PeopleWorld) -> None:
    person, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details("Ana M. Pérez", email="ANA.PEREZ@example.gov.ar", position="Head"),
    )
    assert not created
    assert person.pk == people_world.ana.pk
    person.refresh_from_db()
    # Given values complete the record; empty ones leave it alone.
    assert (person.full_name, person.position, person.organization_name) == (
        "Ana M. Pérez",
        "Head",
        "CERT.ar",
    )
    assert Person.objects.count() == 2


def test_without_email_same_folded_name_state_and_organisation(
    people_world: PeopleWorld,
) -> None:
    argentina = factories.state("AR")
    first, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details(
            "Carla Gómez", organization_name="Ministerio de Seguridad", member_state=argentina
        ),
    )
    assert created
    again, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details(
            "  CARLA gomez ", organization_name="ministerio de  seguridad", member_state=argentina
        ),
    )
    assert not created and again.pk == first.pk
    # Another state or another organisation: another person.
    other_state, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details(
            "Carla Gómez",
            organization_name="Ministerio de Seguridad",
            member_state=factories.state("CL"),
        ),
    )
    assert created
    other_org, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details("Carla Gómez", organization_name="Policía Federal", member_state=argentina),
    )
    assert created
    assert len({first.pk, other_state.pk, other_org.pk}) == 3


def test_an_email_attaches_to_the_namesake_without_email_but_not_to_another_email(
    people_world: PeopleWorld,
) -> None:
    brazil = factories.state("BR")
    with_email, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details("Bruno Silva", "male", member_state=brazil, email="bruno@example.gov.br"),
    )
    assert not created and with_email.pk == people_world.bruno.pk
    assert with_email.email_key == "bruno@example.gov.br"
    namesake, created = services.add_or_update_person(
        actor=people_world.admin,
        details=details(
            "Bruno Silva", "male", member_state=brazil, email="other.bruno@example.org"
        ),
    )
    assert created and namesake.pk != people_world.bruno.pk


def test_bad_details_are_refused(people_world: PeopleWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        services.add_or_update_person(
            actor=people_world.admin, details=details("", "unknown", email="not-an-email")
        )
    assert set(caught.value.message_dict) == {"full_name", "sex", "email"}


def test_who_may_add_people(people_world: PeopleWorld) -> None:
    for actor in (people_world.member, people_world.coordinator, people_world.other_organiser):
        with pytest.raises(PermissionDenied):
            services.add_or_update_person(
                actor=actor, details=details("Dora Díaz"), event=people_world.event
            )
    # The organiser only through their own event.
    with pytest.raises(PermissionDenied):
        services.add_or_update_person(actor=people_world.organiser, details=details("Dora Díaz"))
    person, created = services.add_or_update_person(
        actor=people_world.organiser, details=details("Dora Díaz"), event=people_world.event
    )
    assert created
    registration = services.register_person(
        actor=people_world.organiser, event=people_world.event, person=person
    )
    assert registration.status == RegistrationStatus.REGISTERED
    with pytest.raises(ValidationError):
        services.register_person(
            actor=people_world.organiser, event=people_world.event, person=person
        )
    with pytest.raises(PermissionDenied):
        services.register_person(
            actor=people_world.organiser, event=people_world.other_event, person=person
        )


def test_participation_and_scores(people_world: PeopleWorld) -> None:
    registration = Registration.objects.get(event=people_world.event, person=people_world.bruno)
    services.record_participation(
        actor=people_world.organiser,
        registration=registration,
        status=RegistrationStatus.ATTENDED,
        pre_score="55",
        post_score=Decimal("72.25"),
    )
    registration.refresh_from_db()
    assert (registration.status, registration.pre_score, registration.post_score) == (
        "attended",
        Decimal("55"),
        Decimal("72.25"),
    )
    for bad in ("101", "-1", "12.345", "NaN", "eighty"):
        with pytest.raises(ValidationError):
            services.record_participation(
                actor=people_world.organiser,
                registration=registration,
                status=RegistrationStatus.ATTENDED,
                post_score=bad,
            )
    with pytest.raises(PermissionDenied):
        services.record_participation(
            actor=people_world.other_organiser,
            registration=registration,
            status=RegistrationStatus.COMPLETED,
        )


def test_certificates(people_world: PeopleWorld) -> None:
    bruno = Registration.objects.get(event=people_world.event, person=people_world.bruno)
    with pytest.raises(ValidationError):  # not completed
        services.issue_certificate(actor=people_world.organiser, registration=bruno)
    with pytest.raises(ValidationError):  # already has one
        services.issue_certificate(
            actor=people_world.organiser, registration=people_world.ana_registration
        )
    certificate = people_world.certificate
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", certificate.code)
    assert certificate.issued_by == people_world.admin
    # A certified completion cannot be undone without revoking the certificate first.
    with pytest.raises(ValidationError):
        services.record_participation(
            actor=people_world.organiser,
            registration=people_world.ana_registration,
            status=RegistrationStatus.ATTENDED,
        )
    with pytest.raises(PermissionDenied):
        services.revoke_certificate(
            actor=people_world.other_organiser, certificate=certificate, reason="Fraud"
        )
    with pytest.raises(ValidationError):
        services.revoke_certificate(
            actor=people_world.organiser, certificate=certificate, reason=" "
        )
    services.revoke_certificate(
        actor=people_world.organiser, certificate=certificate, reason="Issued by mistake"
    )
    certificate.refresh_from_db()
    assert not certificate.is_valid and certificate.revoked_reason == "Issued by mistake"
    with pytest.raises(ValidationError):
        services.revoke_certificate(actor=people_world.admin, certificate=certificate, reason="x")


def test_the_audit_trail_names_people_by_id_only(people_world: PeopleWorld) -> None:
    events = AuditEvent.objects.filter(action__startswith="workplan.")
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == [
        "workplan.person.create",
        "workplan.person.create",
        "workplan.registration.create",
        "workplan.registration.create",
        "workplan.certificate.issue",
    ]
    text = " ".join(f"{e.object_repr} {e.changes}" for e in events)
    for personal in (
        "Ana",
        "Pérez",
        "ana.perez",
        "CERT.ar",
        "Analyst",
        "Bruno",
        people_world.certificate.code,
    ):
        assert personal not in text
    assert f"participant #{people_world.ana.pk}" in text
