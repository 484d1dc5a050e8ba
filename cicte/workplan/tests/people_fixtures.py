"""Fixtures of the participant tests: two events with their organisers, the Secretariat, a
national coordinator, another member, and people registered for the first event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from cicte.accounts.models import User
from cicte.accounts.tests import factories
from cicte.workplan import services_people as services
from cicte.workplan.choices import EventKind, Modality, RegistrationStatus
from cicte.workplan.models import Certificate, Event, Person, Registration


def make_event(title: str = "Cybersecurity incident response course", **kwargs: Any) -> Event:
    values: dict[str, Any] = {
        "kind": EventKind.COURSE,
        "modality": Modality.VIRTUAL,
        "title": title,
        "starts_at": datetime(2023, 3, 6, 13, tzinfo=UTC),
        "ends_at": datetime(2023, 3, 10, 21, tzinfo=UTC),
    }
    values.update(kwargs)
    return Event.objects.create(**values)


def details(name: str, sex: str = "female", **kwargs: Any) -> services.PersonDetails:
    return services.PersonDetails(full_name=name, sex=sex, **kwargs)


@dataclass
class PeopleWorld:
    event: Event
    other_event: Event
    admin: User
    organiser: User
    other_organiser: User
    coordinator: User
    member: User
    ana: Person
    bruno: Person
    ana_registration: Registration
    certificate: Certificate

    def user(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)


def client_of(login: Any, user: User | None) -> Client:
    """A client signed in as ``user`` through the real forms (TOTP when their role needs it),
    or anonymous."""
    if user is None:
        return Client()
    return login(user)


@pytest.fixture(name="people_world")
def people_world_fixture(db: Any) -> PeopleWorld:
    admin = factories.secretariat_admin(username="wp-admin")
    factories.add_totp(admin)
    organiser = factories.UserFactory(username="organiser")
    other_organiser = factories.UserFactory(username="other-organiser")
    coordinator = factories.national_coordinator("AR", "csirtamericas", username="coord-ar")
    factories.add_totp(coordinator)
    member = factories.UserFactory(username="plain-member")
    factories.grant(member, "member", network_slug="csirtamericas")
    event = make_event()
    event.organisers.add(organiser)
    other_event = make_event("Maritime security workshop", kind=EventKind.WORKSHOP)
    other_event.organisers.add(other_organiser)
    argentina = factories.state("AR")
    ana, _ = services.add_or_update_person(
        actor=admin,
        details=details(
            "Ana Pérez",
            email="ana.perez@example.gov.ar",
            organization_name="CERT.ar",
            member_state=argentina,
            position="Analyst",
        ),
    )
    bruno, _ = services.add_or_update_person(
        actor=admin,
        details=details("Bruno Silva", "male", member_state=factories.state("BR")),
    )
    ana_registration = services.register_person(
        actor=admin,
        event=event,
        person=ana,
        status=RegistrationStatus.COMPLETED,
        pre_score="40.25",
        post_score="85.5",
    )
    services.register_person(actor=admin, event=event, person=bruno)
    certificate = services.issue_certificate(actor=admin, registration=ana_registration)
    return PeopleWorld(
        event=event,
        other_event=other_event,
        admin=admin,
        organiser=organiser,
        other_organiser=other_organiser,
        coordinator=coordinator,
        member=member,
        ana=ana,
        bruno=bruno,
        ana_registration=ana_registration,
        certificate=certificate,
    )
