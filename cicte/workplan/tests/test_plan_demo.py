"""The demo's work plan: the plan loaded, events of several kinds across 2022-2023 (the IANT's
meetings among them), a request for assistance at each stage, indicators with targets; a second
run writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import demo
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    Indicator,
    IndicatorPeriod,
    Partner,
    Program,
)

pytestmark = pytest.mark.django_db


def test_seed_twice() -> None:
    admin = factories.secretariat_admin(username="sec.admin")
    factories.national_coordinator("CO", "csirtamericas", username="co.coordinator")
    factories.national_coordinator("MX", demo.IANT, username="mx.coordinator")
    notes: list[str] = []

    def note(what: str, _created: bool) -> None:
        notes.append(what)

    demo.seed(admin=admin, note=note, log=lambda _m: None)
    assert Program.objects.count() == 11 and Activity.objects.count() == 74
    assert Program.objects.get(code="D.2").translated("title", "fr") == "Sûreté de l'aviation"
    assert Activity.objects.get(code="A.10").gender_marker == 2
    assert Partner.objects.count() == 5
    events = Event.objects.all()
    assert events.count() == 15
    assert {e.kind for e in events} == {
        "course", "exercise", "forum", "meeting", "mooc", "workshop", "peer_review", "mission",
        "bootcamp", "seminar", "symposium",
    }  # fmt: skip
    assert {e.starts_at.year for e in events} == {2022, 2023}
    assert all(
        datetime.date(2022, 9, 1) <= e.starts_at.date() <= datetime.date(2023, 12, 31)
        for e in events
    )
    iant = Event.objects.filter(networks__slug=demo.IANT, kind="meeting")
    assert iant.count() == 5
    assert all(e.target_states.count() == 6 for e in iant)
    statuses = sorted(AssistanceRequest.objects.values_list("status", flat=True))
    assert statuses == sorted(["received", "triaged", "planned", "delivered", "closed", "declined"])
    closed = AssistanceRequest.objects.get(status="closed")
    assert closed.satisfaction == 5 and closed.member_state.code == "MX"
    assert closed.created_by.username == "mx.coordinator"
    assert closed.events.get().kind == "mission"
    assert AssistanceRequest.objects.get(status="planned").events.count() == 1
    assert AssistanceRequest.objects.get(status="delivered").satisfaction is None
    assert Indicator.objects.count() == 7
    assert IndicatorPeriod.objects.count() == 10
    assert not IndicatorPeriod.objects.exclude(indicator__source="manual").exclude(actual=None)
    assert (
        IndicatorPeriod.objects.filter(indicator__source="manual").exclude(actual=None).count() == 3
    )

    before, audit = len(notes), AuditEvent.objects.count()
    demo.seed(admin=admin, note=note, log=lambda _m: None)
    assert len(notes) == before
    assert AuditEvent.objects.count() == audit
    assert Event.objects.count() == 15 and AssistanceRequest.objects.count() == 6


def test_demo_without_coordinators_uses_the_secretariat(db: Any) -> None:
    admin = factories.secretariat_admin(username="sec.admin")
    demo.seed(admin=admin, note=lambda *_a: None, log=lambda _m: None)
    # The closed request needs the state's feedback: without a coordinator it stays delivered.
    assert AssistanceRequest.objects.filter(status="delivered").count() >= 1
