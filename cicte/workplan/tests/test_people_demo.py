"""The demo's participants: every sex, several states, completions, certificates, one revoked;
a second run writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan.choices import EventKind, Sex
from cicte.workplan.demo_people import seed_people
from cicte.workplan.models import Certificate, Person, Registration
from cicte.workplan.tests.people_fixtures import make_event

pytestmark = pytest.mark.django_db


def test_seed_people(db: Any) -> None:
    admin = factories.secretariat_admin()
    now = timezone.now()
    course = make_event(
        "Demo course", starts_at=now - timedelta(days=40), ends_at=now - timedelta(days=38)
    )
    forum = make_event(
        "Demo forum",
        kind=EventKind.FORUM,
        starts_at=now - timedelta(days=20),
        ends_at=now - timedelta(days=19),
    )
    coming = make_event(
        "Demo workshop", starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=21)
    )
    notes: list[str] = []
    seed_people(admin=admin, note=lambda what, created: notes.append(what), log=lambda _m: None)
    assert set(Person.objects.values_list("sex", flat=True)) == set(Sex.values)
    assert Person.objects.values("member_state").distinct().count() >= 10
    assert Registration.objects.filter(event=coming, status="registered").count() == 8
    assert Registration.objects.filter(event=course, status="completed").exists()
    assert Registration.objects.filter(event=forum, status="completed").exists()
    # Trainings are certified, forums are not; one certificate is revoked.
    assert (
        Certificate.objects.filter(registration__event=course).count()
        == Registration.objects.filter(event=course, status="completed").count()
    )
    assert not Certificate.objects.filter(registration__event=forum).exists()
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
    events = AuditEvent.objects.count()
    notes.clear()
    seed_people(admin=admin, note=lambda what, created: notes.append(what), log=lambda _m: None)
    assert notes == [] and AuditEvent.objects.count() == events
