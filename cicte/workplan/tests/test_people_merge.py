"""Merging two records of the same person: registrations and certificates moved, conflicts
resolved by the better participation, blanks filled, audited, all or nothing; the page of
likely duplicates and its confirmation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import services_people as services
from cicte.workplan.models import Certificate, Person, Registration
from cicte.workplan.tests.conftest import sign_in
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    details,
    make_event,
    people_world_fixture,
)


def _twin(world: PeopleWorld, **kwargs: Any) -> Person:
    """Ana again, typed differently at another event: no email, a state-less record."""
    values = {"organization_name": "CERT.AR"}
    values.update(kwargs)
    twin, created = services.add_or_update_person(
        actor=world.admin, details=details("ANA  PEREZ", **values)
    )
    assert created
    return twin


def test_registrations_move_and_blanks_are_filled(people_world: PeopleWorld) -> None:
    twin = _twin(people_world, position="Head of unit")
    other = people_world.other_event
    moved = services.register_person(
        actor=people_world.admin, event=other, person=twin, status="attended"
    )
    # Keep the twin (blank email, state): Ana's values fill them; its own position stays.
    summary = services.merge_people(actor=people_world.admin, keep=twin, merge=people_world.ana)
    twin.refresh_from_db()
    assert not Person.objects.filter(pk=people_world.ana.pk).exists()
    assert twin.email == "ana.perez@example.gov.ar" and twin.email_key == "ana.perez@example.gov.ar"
    assert twin.member_state == people_world.ana.member_state
    assert twin.position == "Head of unit" and twin.organization_name == "CERT.AR"
    assert sorted(summary.fields) == ["email", "member_state"]
    assert set(Registration.objects.filter(person=twin).values_list("pk", flat=True)) == {
        moved.pk,
        people_world.ana_registration.pk,
    }
    certificate = Certificate.objects.get(pk=people_world.certificate.pk)
    assert certificate.registration.person == twin and certificate.is_valid
    event = AuditEvent.objects.get(action="workplan.person.merge")
    assert event.object_repr == f"participant #{twin.pk}"
    assert event.changes["merged"] == f"participant #{people_world.ana.pk}"
    assert event.changes["registrations_moved"] == [people_world.ana_registration.pk]
    assert "Ana" not in str(event.changes) and "@" not in str(event.changes)


def test_a_conflict_keeps_the_better_participation(people_world: PeopleWorld) -> None:
    """Both records were registered for the same event: Ana completed it (with a certificate),
    the twin only registered; keeping the twin, the completion stays, under the twin."""
    twin = _twin(people_world)
    weaker = services.register_person(
        actor=people_world.admin, event=people_world.event, person=twin, pre_score="10"
    )
    summary = services.merge_people(actor=people_world.admin, keep=twin, merge=people_world.ana)
    assert summary.conflicts == [people_world.event.pk]
    assert not Registration.objects.filter(pk=weaker.pk).exists()
    kept = Registration.objects.get(event=people_world.event, person=twin)
    assert kept.pk == people_world.ana_registration.pk
    assert kept.status == "completed" and kept.pre_score == Decimal("40.25")
    assert kept.certificate == people_world.certificate and kept.certificate.is_valid


def test_a_conflict_of_two_certificates_keeps_one_valid(people_world: PeopleWorld) -> None:
    twin = _twin(people_world)
    other = services.register_person(
        actor=people_world.admin,
        event=people_world.event,
        person=twin,
        status="completed",
        post_score="90",
    )
    second = services.issue_certificate(actor=people_world.admin, registration=other)
    # Twin's post-test 90 beats Ana's 85.5: its registration stays, Ana's certificate moves
    # to it, revoked (one valid certificate per registration).
    summary = services.merge_people(actor=people_world.admin, keep=people_world.ana, merge=twin)
    kept = Registration.objects.get(event=people_world.event, person=people_world.ana)
    assert kept.pk == other.pk and kept.pre_score == Decimal("40.25")  # filled from the other
    assert summary.certificates_revoked == [people_world.certificate.pk]
    certificates = {c.pk: c for c in Certificate.objects.filter(registration=kept)}
    assert set(certificates) == {second.pk, people_world.certificate.pk}
    assert certificates[second.pk].is_valid
    assert not certificates[people_world.certificate.pk].is_valid


def test_only_the_secretariat_merges_and_nothing_is_half_done(people_world: PeopleWorld) -> None:
    twin = _twin(people_world)
    with pytest.raises(PermissionDenied):
        services.merge_people(actor=people_world.organiser, keep=twin, merge=people_world.ana)
    with pytest.raises(ValidationError):
        services.merge_people(actor=people_world.admin, keep=twin, merge=twin)
    services.register_person(actor=people_world.admin, event=people_world.other_event, person=twin)
    with (
        mock.patch.object(services, "_audit", side_effect=RuntimeError("trail down")),
        pytest.raises(RuntimeError),
    ):
        services.merge_people(actor=people_world.admin, keep=people_world.ana, merge=twin)
    assert Person.objects.filter(pk=twin.pk).exists()
    assert Registration.objects.filter(person=twin).count() == 1


def test_likely_duplicates(people_world: PeopleWorld) -> None:
    twin = _twin(people_world)
    tagged, _ = services.add_or_update_person(
        actor=people_world.admin,
        details=details("B. Silva", "male", email="ana.perez+cicte@example.gov.ar"),
    )
    groups = services.likely_duplicates(Person.objects.order_by("pk"))
    found = {reason: sorted(p.pk for p in people) for reason, people in groups}
    assert found == {
        "Same name and organisation": sorted([people_world.ana.pk, twin.pk]),
        "Same email address": sorted([people_world.ana.pk, tagged.pk]),
    }


def test_the_duplicates_page_and_the_confirmation(people_world: PeopleWorld) -> None:
    twin = _twin(people_world)
    client = sign_in(people_world.admin)
    page = client.get("/workplan/people/duplicates/")
    assert page.status_code == 200
    url = f"/workplan/people/merge/?keep={people_world.ana.pk}&amp;merge={twin.pk}"
    assert url in page.content.decode()
    confirm = client.get(f"/workplan/people/merge/?keep={people_world.ana.pk}&merge={twin.pk}")
    assert confirm.status_code == 200
    assert f"Merge record #{twin.pk} into record #{people_world.ana.pk}" in confirm.content.decode()
    assert Person.objects.filter(pk=twin.pk).exists()  # a GET changes nothing
    done = client.post("/workplan/people/merge/", {"keep": people_world.ana.pk, "merge": twin.pk})
    assert (
        done.status_code == 302 and done["Location"] == f"/workplan/people/{people_world.ana.pk}/"
    )
    assert not Person.objects.filter(pk=twin.pk).exists()
    assert client.get("/workplan/people/merge/?keep=1").status_code == 404


def test_nobody_else_merges(people_world: PeopleWorld) -> None:
    twin = _twin(people_world)
    services.register_person(actor=people_world.admin, event=people_world.event, person=twin)
    organiser = Client()
    organiser.force_login(people_world.organiser)  # sees both records, may not merge them
    assert organiser.get("/workplan/people/duplicates/").status_code == 403
    response = organiser.post(
        "/workplan/people/merge/", {"keep": people_world.ana.pk, "merge": twin.pk}
    )
    assert response.status_code == 403
    assert Person.objects.filter(pk=twin.pk).exists()


def test_merge_in_the_registry_list_link(people_world: PeopleWorld) -> None:
    client = sign_in(people_world.admin)
    assert "/workplan/people/duplicates/" in client.get("/workplan/people/").content.decode()
    member = Client()
    member.force_login(factories.UserFactory())
    assert "/workplan/people/duplicates/" not in member.get("/workplan/people/").content.decode()


def test_the_duplicates_page_is_paginated(people_world: PeopleWorld, monkeypatch) -> None:
    from cicte.workplan import views_people

    monkeypatch.setattr(views_people, "DUPLICATE_GROUPS_PER_PAGE", 2)
    for n in range(3):  # three more groups of two, same name and organisation each
        for _copy in range(2):
            Person.objects.create(full_name=f"Twin {n}", organization_name="Org", sex="female")
    client = sign_in(people_world.admin)
    first = client.get("/workplan/people/duplicates/")
    assert first.context["page_obj"].paginator.count == 3
    assert [people[0].full_name for _, people in first.context["groups"]] == ["Twin 0", "Twin 1"]
    body = first.content.decode()
    assert "3 groups of likely duplicates." in body and "Page 1 of 2" in body
    assert 'href="/workplan/people/duplicates/?page=2"' in body
    second = client.get("/workplan/people/duplicates/?page=2")
    assert [people[0].full_name for _, people in second.context["groups"]] == ["Twin 2"]
    # a page beyond the last shows the last
    assert client.get("/workplan/people/duplicates/?page=9").context["page_obj"].number == 2
