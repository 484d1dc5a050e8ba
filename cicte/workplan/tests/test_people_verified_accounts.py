"""Participants are linked only to accounts whose address is verified: an account that takes a
participant's address gets nobody's certificates; the holder who verifies it gets theirs
(audited); links made by an earlier address stay."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from cicte.accounts import services as account_services
from cicte.accounts.models import User
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import services_people as services
from cicte.workplan.choices import RegistrationStatus
from cicte.workplan.models import Certificate, Person
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    details,
    people_world_fixture,
)

pytestmark = pytest.mark.django_db

CARLA = "carla.diaz@example.gov.cl"
MINE = "/workplan/my-certificates/"
LINK_RE = re.compile(re.escape(settings.BASE_URL) + r"(/accounts/email/verify/[^/\s]+/)")


def _certify(world: PeopleWorld, email: str = CARLA) -> tuple[Person, Certificate]:
    """The Secretariat registers Carla, records her completion and certifies it."""
    person, created = services.add_or_update_person(
        actor=world.admin, details=details("Carla Díaz", email=email)
    )
    assert created
    registration = services.register_person(
        actor=world.admin, event=world.event, person=person, status=RegistrationStatus.COMPLETED
    )
    return person, services.issue_certificate(actor=world.admin, registration=registration)


def _change_own_email(client: Client, user: User, email: str) -> None:
    response = client.post(
        "/accounts/profile/",
        {"full_name": user.full_name, "email": email, "preferred_language": "en"},
    )
    assert response.status_code == 302


def _links() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="workplan.person.link_account"))


def test_an_account_that_takes_a_participants_address_gets_nothing(
    people_world: PeopleWorld,
    client: Client,
    login: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mallory = factories.UserFactory(username="mallory")
    login(mallory)
    with django_capture_on_commit_callbacks(execute=True):
        _change_own_email(client, mallory, CARLA.upper())
    mallory.refresh_from_db()
    assert mallory.email_verified_at is None
    # The link went to Carla's mailbox, which Mallory does not read.
    assert [m.to for m in mailoutbox] == [["CARLA.DIAZ@example.gov.cl"]]

    carla, certificate = _certify(people_world)
    carla.refresh_from_db()
    assert carla.user is None
    # Registering her again (the import does) links nothing either.
    services.add_or_update_person(
        actor=people_world.admin, details=details("Carla Díaz", email=CARLA)
    )
    carla.refresh_from_db()
    assert carla.user is None
    assert _links() == []

    page = client.get(MINE)
    assert page.status_code == 200
    assert certificate.code not in page.content.decode()
    assert list(page.context["certificates"]) == []
    pdf = client.get(f"/workplan/certificates/{certificate.pk}/certificate.pdf")
    assert pdf.status_code == 404


def test_the_holder_who_verifies_the_address_gets_the_certificates(
    people_world: PeopleWorld,
    client: Client,
    login: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    holder = factories.UserFactory(username="carla", email=CARLA, email_verified_at=None)
    carla, certificate = _certify(people_world)
    assert carla.user is None
    login(holder)
    assert certificate.code not in client.get(MINE).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/profile/email/verify/").status_code == 302
    [link] = LINK_RE.findall(mailoutbox[0].body)
    assert client.get(link).status_code == 302

    carla.refresh_from_db()
    assert carla.user == holder
    [event] = _links()
    assert event.actor_id == holder.pk
    assert event.object_repr == f"participant #{carla.pk}"
    assert event.changes == {"fields": ["user"]}
    # The verification and the link are one transaction, in this order.
    verified = AuditEvent.objects.get(action="accounts.user.verify_email")
    assert verified.pk < event.pk
    page = client.get(MINE).content.decode()
    assert certificate.code in page
    assert client.get(f"/workplan/certificates/{certificate.pk}/certificate.pdf").status_code == 200


def test_links_made_by_an_earlier_address_stay_and_are_not_taken_over(
    people_world: PeopleWorld,
) -> None:
    holder = factories.UserFactory(username="carla", email=CARLA)
    carla, certificate = _certify(people_world)
    assert carla.user == holder  # verified: linked at registration
    account_services.update_user(actor=holder, user=holder, email="carla@new.example.org")
    holder.refresh_from_db()
    assert holder.email_verified_at is None
    carla.refresh_from_db()
    assert carla.user == holder  # her certificates were hers
    assert list(Certificate.objects.held_by(holder)) == [certificate]

    # Someone else takes the old address and even verifies it: the link does not move.
    other = factories.UserFactory(username="other", email_verified_at=None)
    account_services.update_user(actor=other, user=other, email=CARLA)
    other.refresh_from_db()
    account_services.verify_email(actor=other, user=other)
    carla.refresh_from_db()
    assert carla.user == holder
    assert list(Certificate.objects.held_by(other)) == []
    assert _links() == []


def test_no_link_to_an_unverified_or_inactive_account(people_world: PeopleWorld) -> None:
    unverified = factories.UserFactory(username="u", email="u@example.org", email_verified_at=None)
    inactive = factories.UserFactory(username="i", email="i@example.org", is_active=False)
    verified = factories.UserFactory(username="v", email="v@example.org")
    assert services.account_with_email("U@example.org") is None
    assert services.account_with_email("i@example.org") is None
    assert services.account_with_email(" V@Example.org ") == verified
    assert services.link_verified_account(actor=unverified, user=unverified) == []
    # Correcting a participant's email to an unverified account's address drops the link.
    person, _ = services.add_or_update_person(
        actor=people_world.admin, details=details("Vera", email="v@example.org")
    )
    assert person.user == verified
    services.update_person(
        actor=people_world.admin, person=person, details=details("Vera", email="u@example.org")
    )
    person.refresh_from_db()
    assert person.user is None
    assert inactive.pk  # made, and never linked
    assert not Person.objects.filter(user__in=[unverified, inactive]).exists()


def test_verifying_links_every_unlinked_participant_of_the_address(
    people_world: PeopleWorld,
) -> None:
    holder = factories.UserFactory(username="carla", email=CARLA, email_verified_at=None)
    carla, _certificate = _certify(people_world)
    linked = account_services.verify_email(actor=holder, user=holder)
    assert linked.email_verified_at is not None
    carla.refresh_from_db()
    assert carla.user == holder
    # Running the workplan service again finds nothing left to link.
    assert services.link_verified_account(actor=holder, user=holder) == []
    assert len(_links()) == 1
