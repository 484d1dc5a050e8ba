"""The work plan's services: who may write what, the requests pipeline, indicators, translations,
and the audit trail of each write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.workplan import services
from cicte.workplan.choices import RequestStatus
from cicte.workplan.models import Activity, AssistanceRequest, Event, Partner, Program
from cicte.workplan.tests.helpers import make_event, when

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def new_request(actor: Any, state: str = "AR", **data: Any) -> AssistanceRequest:
    values = {
        "title": "Cyber incident response training",
        "description": "A national CSIRT course.",
        "note_verbale": "NV-2022-117",
        "received_on": datetime.date(2022, 9, 12),
        **data,
    }
    return services.create_request(actor=actor, member_state=factories.state(state), data=values)


def test_request_pipeline_from_note_verbale_to_closure(
    plan: Any, secretariat: Any, coordinator_ar: Any, coordinator_cl: Any
) -> None:
    request = new_request(coordinator_ar)
    assert request.status == RequestStatus.RECEIVED
    assert request.created_by == coordinator_ar
    # Chile's coordinator neither sees nor acts for Argentina.
    assert not AssistanceRequest.objects.visible_to(coordinator_cl).filter(pk=request.pk).exists()
    assert AssistanceRequest.objects.visible_to(coordinator_ar).get() == request
    assert AssistanceRequest.objects.visible_to(secretariat).get() == request
    with pytest.raises(PermissionDenied):
        new_request(coordinator_cl, "AR")
    # Only the Secretariat triages; the step must follow the order.
    with pytest.raises(PermissionDenied):
        services.triage_request(actor=coordinator_ar, request=request, note="ok")
    with pytest.raises(ValidationError):
        services.deliver_request(actor=secretariat, request=request)
    with pytest.raises(ValidationError):
        services.triage_request(actor=secretariat, request=request, note="  ")
    activity = Activity.objects.get(code="A.4")
    services.triage_request(actor=secretariat, request=request, note="Fits A.4.", activity=activity)
    request.refresh_from_db()
    assert (request.status, request.program.code, request.activity) == ("triaged", "A", activity)
    # The coordinator no longer edits it once triaged.
    with pytest.raises(ValidationError):
        services.update_request(actor=coordinator_ar, request=request, data={"title": "x"})
    event = make_event(secretariat, activity=activity)
    other = make_event(secretariat, title="Other")
    with pytest.raises(ValidationError):
        services.plan_request(actor=secretariat, request=request, events=[])
    services.plan_request(actor=secretariat, request=request, events=[event, other])
    assert set(request.events.all()) == {event, other}
    with pytest.raises(ValidationError):
        services.deliver_request(
            actor=secretariat, request=request, delivered_on=datetime.date(2022, 1, 1)
        )
    services.deliver_request(
        actor=secretariat, request=request, delivered_on=datetime.date(2022, 11, 30)
    )
    # Closing waits for the state's feedback, which only its coordinators give.
    with pytest.raises(ValidationError):
        services.close_request(actor=secretariat, request=request)
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=secretariat, request=request, satisfaction=5)
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=coordinator_cl, request=request, satisfaction=5)
    with pytest.raises(ValidationError):
        services.give_feedback(actor=coordinator_ar, request=request, satisfaction=6)
    services.give_feedback(
        actor=coordinator_ar, request=request, satisfaction=4, feedback="Useful, more please."
    )
    with pytest.raises(PermissionDenied):
        services.close_request(actor=coordinator_ar, request=request)
    services.close_request(actor=secretariat, request=request, closed_on=datetime.date(2023, 1, 9))
    request.refresh_from_db()
    assert (request.status, request.satisfaction, request.closed_on) == (
        "closed",
        4,
        datetime.date(2023, 1, 9),
    )
    with pytest.raises(ValidationError):
        services.give_feedback(actor=coordinator_ar, request=request, satisfaction=1)
    request_actions = [a for a in actions() if a.startswith("workplan.request.")]
    assert request_actions == [
        "workplan.request.create",
        "workplan.request.triage",
        "workplan.request.plan",
        "workplan.request.deliver",
        "workplan.request.feedback",
        "workplan.request.close",
    ]
    # The trail names the state, so its coordinators see the events in their part of it.
    assert set(
        AuditEvent.objects.filter(action__startswith="workplan.request.").values_list(
            "subject_member_state__code", flat=True
        )
    ) == {"AR"}


def test_decline_and_the_event_already_delivering_another_request(
    plan: Any, secretariat: Any, coordinator_ar: Any
) -> None:
    first, second = new_request(coordinator_ar), new_request(coordinator_ar, title="Second")
    services.decline_request(actor=secretariat, request=second, note="Out of the mandate.")
    second.refresh_from_db()
    assert second.status == "declined" and second.closed_on is not None
    with pytest.raises(ValidationError):
        services.triage_request(actor=secretariat, request=second, note="again")
    services.triage_request(actor=secretariat, request=first, note="ok")
    event = make_event(secretariat)
    third = new_request(secretariat, "CL", title="Chile")  # a note verbale recorded
    services.triage_request(actor=secretariat, request=third, note="ok")
    services.plan_request(actor=secretariat, request=third, events=[event])
    with pytest.raises(ValidationError, match="already delivers"):
        services.plan_request(actor=secretariat, request=first, events=[event])


def test_coordinator_edits_a_received_request_only(
    plan: Any, secretariat: Any, coordinator_ar: Any, member: Any
) -> None:
    request = new_request(coordinator_ar)
    services.update_request(actor=coordinator_ar, request=request, data={"title": "New title"})
    request.refresh_from_db()
    assert request.title == "New title"
    with pytest.raises(PermissionDenied):
        services.update_request(actor=member, request=request, data={"title": "x"})
    activity_b = Activity.objects.get(code="B.1")
    with pytest.raises(ValidationError):
        services.update_request(
            actor=coordinator_ar,
            request=request,
            data={"program": Program.objects.get(code="A"), "activity": activity_b},
        )


def test_events_are_the_secretariats(plan: Any, secretariat: Any, member: Any) -> None:
    donor = services.create_partner(actor=secretariat, name="Government of Canada", country="ca")
    partner = services.create_partner(actor=secretariat, name="INCIBE", country="ES")
    assert donor.country == "CA"
    with pytest.raises(PermissionDenied):
        services.create_partner(actor=member, name="X")
    with pytest.raises(PermissionDenied):
        make_event(member)
    with pytest.raises(ValidationError):
        make_event(secretariat, ends_at=when(2022, 10, 1))
    with pytest.raises(ValidationError):
        make_event(secretariat, languages=["en", "de"])
    event = make_event(
        secretariat,
        kind="bootcamp",
        languages=["en", "es"],
        networks=[factories.network("csirtamericas")],
        target_states=[factories.state("AR"), factories.state("MX")],
        organisers=[member],
        partners=[(donor, "donor"), (partner, "partner")],
        budget=Decimal("12000.00"),
    )
    assert set(event.event_partners.values_list("partner__name", "role")) == {
        ("Government of Canada", "donor"),
        ("INCIBE", "partner"),
    }
    assert event.can_see_participants(member)
    services.update_event(
        actor=secretariat,
        event=event,
        data={"title": "Summer Bootcamp", "partners": [(donor, "donor")], "target_states": []},
    )
    event.refresh_from_db()
    assert event.title == "Summer Bootcamp"
    assert list(event.event_partners.values_list("partner__name", flat=True)) == [
        "Government of Canada"
    ]
    assert event.target_states.count() == 0
    update = AuditEvent.objects.filter(action="workplan.event.update").get()
    assert update.changes["title"] == ["Course", "Summer Bootcamp"]
    assert update.changes["partners"] == "changed"
    # Saving the same values records nothing.
    services.update_event(actor=secretariat, event=event, data={"title": "Summer Bootcamp"})
    assert AuditEvent.objects.filter(action="workplan.event.update").count() == 1
    with pytest.raises(PermissionDenied):
        services.update_event(actor=member, event=event, data={"title": "Mine"})
    assert Event.objects.visible_to(member).count() == 1
    assert Partner.objects.count() == 2


def test_indicators_actuals_only_when_reported(plan: Any, secretariat: Any, member: Any) -> None:
    program = Program.objects.get(code="A")
    with pytest.raises(PermissionDenied):
        services.create_indicator(actor=member, data={"program": program, "title": "x"})
    with pytest.raises(ValidationError):
        services.create_indicator(
            actor=secretariat,
            data={
                "program": program,
                "activity": Activity.objects.get(code="B.1"),
                "title": "Wrong activity",
            },
        )
    manual = services.create_indicator(
        actor=secretariat,
        data={"program": program, "title": "National strategies adopted", "baseline": 12},
    )
    counted = services.create_indicator(
        actor=secretariat,
        data={"program": program, "title": "Women trained", "source": "trained_women"},
    )
    start, end = datetime.date(2022, 9, 1), datetime.date(2022, 12, 31)
    period = services.set_indicator_period(
        actor=secretariat, indicator=manual, start=start, end=end, target=Decimal(15),
        actual=Decimal(13),
    )  # fmt: skip
    assert (period.target, period.actual) == (15, 13)
    # Same start: the period is replaced, not added.
    services.set_indicator_period(
        actor=secretariat, indicator=manual, start=start, end=end, target=Decimal(16),
        actual=Decimal(14),
    )  # fmt: skip
    assert manual.periods.get().target == 16
    with pytest.raises(ValidationError, match="counted"):
        services.set_indicator_period(
            actor=secretariat, indicator=counted, start=start, end=end, actual=Decimal(3)
        )
    with pytest.raises(ValidationError):
        services.set_indicator_period(
            actor=secretariat, indicator=counted, start=end, end=start, target=Decimal(3)
        )
    services.set_indicator_period(
        actor=secretariat, indicator=counted, start=start, end=end, target=Decimal(40)
    )
    # A reported indicator turned into a counted one keeps no typed actual value.
    services.update_indicator(actor=secretariat, indicator=manual, data={"source": "trained"})
    assert manual.periods.get().actual is None
    services.delete_indicator_period(actor=secretariat, period=counted.periods.get())
    assert not counted.periods.exists()
    assert actions().count("workplan.indicator.period") == 3


def test_translations(plan: Any, secretariat: Any, member: Any) -> None:
    program = Program.objects.get(code="A")
    with pytest.raises(PermissionDenied):
        services.set_translations(actor=member, obj=program, translations={})
    with pytest.raises(ValidationError):
        services.set_translations(
            actor=secretariat, obj=program, translations={"de": {"title": "Cybersicherheit"}}
        )
    with pytest.raises(ValidationError):
        services.set_translations(
            actor=secretariat, obj=program, translations={"es": {"code": "Z"}}
        )
    services.set_translations(
        actor=secretariat,
        obj=program,
        translations={
            "es": {"title": "Ciberseguridad", "purpose": ""},
            "fr": {"title": "Cybersécurité"},
            "pt": {"title": " "},
        },
    )
    program.refresh_from_db()
    assert program.translations == {
        "es": {"title": "Ciberseguridad"},
        "fr": {"title": "Cybersécurité"},
    }
    assert program.translated("title", "es") == "Ciberseguridad"
    assert program.translated("purpose", "es") == program.purpose
    assert program.translated("title", "pt") == "Cybersecurity"
    event = AuditEvent.objects.get(action="workplan.program.translate")
    assert event.changes == {"fields": ["es.title", "fr.title"]}


def test_activity_marker_and_networks(plan: Any, secretariat: Any, member: Any) -> None:
    activity = Activity.objects.get(code="A.10")
    with pytest.raises(PermissionDenied):
        services.update_activity(actor=member, activity=activity, gender_marker=2)
    services.update_activity(
        actor=secretariat,
        activity=activity,
        gender_marker=2,
        networks=[factories.network("csirtamericas")],
    )
    activity.refresh_from_db()
    assert activity.gender_marker == 2
    assert [n.slug for n in activity.networks.all()] == ["csirtamericas"]
    with pytest.raises(ValidationError):
        services.update_activity(actor=secretariat, activity=activity, gender_marker=7)
