"""Re-issuing a revoked certificate, the holder's link to their account, "My certificates"
and who may download a certificate's PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import services_people as services
from cicte.workplan.models import Certificate
from cicte.workplan.tests.conftest import sign_in
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    details,
    people_world_fixture,
)


def _revoke_and_reissue(world: PeopleWorld) -> tuple[Certificate, Certificate]:
    old = services.revoke_certificate(
        actor=world.admin, certificate=world.certificate, reason="Wrong dates printed"
    )
    new = services.issue_certificate(actor=world.admin, registration=world.ana_registration)
    return old, new


def test_a_revoked_certificate_is_reissued_under_a_new_code(people_world: PeopleWorld) -> None:
    old, new = _revoke_and_reissue(people_world)
    assert new.pk != old.pk and new.code != old.code
    old.refresh_from_db()
    assert not old.is_valid and new.is_valid
    assert people_world.ana_registration.certificate == new
    event = AuditEvent.objects.get(action="workplan.certificate.reissue")
    assert event.changes == {"replaces": old.pk}
    assert event.object_repr == (
        f"certificate #{new.pk} (registration #{people_world.ana_registration.pk})"
    )


def test_no_second_valid_certificate(people_world: PeopleWorld) -> None:
    with pytest.raises(ValidationError, match="already has a certificate"):
        services.issue_certificate(
            actor=people_world.admin, registration=people_world.ana_registration
        )
    # The database refuses it too, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(registration=people_world.ana_registration)
    assert Certificate.objects.filter(registration=people_world.ana_registration).count() == 1


def test_the_public_pages_of_the_old_and_the_new_code(people_world: PeopleWorld) -> None:
    old, new = _revoke_and_reissue(people_world)
    page = Client().get(f"/certificates/{old.code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Wrong dates printed" in body
    assert "A new certificate with another code was issued" in body
    assert new.code not in body  # the old page never tells the new code
    page = Client().get(f"/certificates/{new.code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Valid certificate" in body and "Ana Pérez" in body
    assert "A new certificate with another code" not in body


def test_a_revoked_certificate_not_reissued_says_nothing_of_a_new_one(
    people_world: PeopleWorld,
) -> None:
    services.revoke_certificate(
        actor=people_world.admin, certificate=people_world.certificate, reason="Fraud"
    )
    body = Client().get(f"/certificates/{people_world.certificate.code}/").content.decode()
    assert "Fraud" in body and "A new certificate with another code" not in body


def test_the_registration_page_reissues(login: Any, people_world: PeopleWorld) -> None:
    client = login(people_world.organiser)
    url = f"/workplan/registrations/{people_world.ana_registration.pk}/"
    assert "Issue a new certificate" not in client.get(url).content.decode()
    services.revoke_certificate(
        actor=people_world.admin, certificate=people_world.certificate, reason="Typo"
    )
    assert "Issue a new certificate" in client.get(url).content.decode()
    response = client.post(f"{url}certificate/")
    assert response.status_code == 302
    new = Certificate.objects.valid().get(registration=people_world.ana_registration)
    body = client.get(url).content.decode()
    assert new.code in body and people_world.certificate.code in body  # earlier one listed
    assert "Issue a new certificate" not in body


def test_a_person_registered_with_an_accounts_email_is_linked(people_world: PeopleWorld) -> None:
    account = factories.UserFactory(username="carla", email="Carla.Diaz@Example.gov.cl")
    carla, created = services.add_or_update_person(
        actor=people_world.admin, details=details("Carla Díaz", email="carla.diaz@example.gov.cl")
    )
    assert created and carla.user == account
    assert people_world.ana.user is None  # no account with her email
    # An account made later is linked the next time the person is registered or updated.
    later = factories.UserFactory(username="ana", email="ana.perez@example.gov.ar")
    person, created = services.add_or_update_person(
        actor=people_world.admin, details=details("Ana Pérez", email="ana.perez@example.gov.ar")
    )
    assert not created and person.pk == people_world.ana.pk and person.user == later
    # Correcting the email follows the account of the new address (none here).
    services.update_person(
        actor=people_world.admin,
        person=person,
        details=details("Ana Pérez", email="ana@other.example"),
    )
    person.refresh_from_db()
    assert person.user is None


def _holder(world: PeopleWorld) -> Any:
    account = factories.UserFactory(username="ana", email="ana.perez@example.gov.ar")
    services.update_person(
        actor=world.admin,
        person=world.ana,
        details=details(
            "Ana Pérez",
            email="ana.perez@example.gov.ar",
            organization_name="CERT.ar",
            member_state=world.ana.member_state,
            position="Analyst",
        ),
    )
    # The email did not change: link it the way a registration would.
    services.add_or_update_person(
        actor=world.admin, details=details("Ana Pérez", email="ana.perez@example.gov.ar")
    )
    world.ana.refresh_from_db()
    assert world.ana.user == account
    client = Client()
    client.force_login(account)
    return client


def test_my_certificates_and_the_holders_download(people_world: PeopleWorld) -> None:
    client = _holder(people_world)
    page = client.get("/workplan/my-certificates/")
    assert page.status_code == 200
    body = page.content.decode()
    assert people_world.certificate.code in body
    pdf = client.get(f"/workplan/certificates/{people_world.certificate.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="workplan.certificate.download").count() == 1
    # Not the pages of the organisers: revoking, the registration, the registry.
    assert (
        client.get(f"/workplan/certificates/{people_world.certificate.pk}/revoke/").status_code
        == 404
    )
    assert client.get(f"/workplan/people/{people_world.ana.pk}/").status_code == 404


def test_the_holder_downloads_no_revoked_one_and_nobody_elses(people_world: PeopleWorld) -> None:
    client = _holder(people_world)
    old, new = _revoke_and_reissue(people_world)
    assert client.get(f"/workplan/certificates/{old.pk}/certificate.pdf").status_code == 404
    assert client.get(f"/workplan/certificates/{new.pk}/certificate.pdf").status_code == 200
    body = client.get("/workplan/my-certificates/").content.decode()
    assert old.code in body and new.code in body and "Revoked" in body
    # Bruno's certificate: neither Ana nor a plain member may download it.
    services.record_participation(
        actor=people_world.admin,
        registration=people_world.bruno.registrations.get(),
        status="completed",
    )
    bruno = services.issue_certificate(
        actor=people_world.admin, registration=people_world.bruno.registrations.get()
    )
    assert client.get(f"/workplan/certificates/{bruno.pk}/certificate.pdf").status_code == 404
    other = Client()
    other.force_login(people_world.member)
    assert other.get(f"/workplan/certificates/{new.pk}/certificate.pdf").status_code == 404
    assert (
        people_world.certificate.code
        not in other.get("/workplan/my-certificates/").content.decode()
    )
    # The event's organiser and the Secretariat still may.
    organiser = Client()
    organiser.force_login(people_world.organiser)
    assert organiser.get(f"/workplan/certificates/{bruno.pk}/certificate.pdf").status_code == 200
    admin = sign_in(people_world.admin)
    assert admin.get(f"/workplan/certificates/{old.pk}/certificate.pdf").status_code == 200


def test_my_certificates_needs_a_sign_in(db: Any) -> None:
    response = Client().get("/workplan/my-certificates/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
