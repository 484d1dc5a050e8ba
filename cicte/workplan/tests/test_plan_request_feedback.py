"""Requests for assistance: closing a delivered request without the state's feedback once
WORKPLAN_FEEDBACK_DAYS have passed, and how long each stage of the pipeline took."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from cicte.core.models import AuditEvent
from cicte.workplan import results, services
from cicte.workplan.choices import RequestClosure, RequestStatus
from cicte.workplan.models import AssistanceRequest
from cicte.workplan.tests.helpers import make_event, today
from cicte.workplan.tests.test_plan_services import new_request

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _delivered(secretariat: Any, coordinator: Any, delivered_on: datetime.date) -> Any:
    received = delivered_on - 40 * DAY
    request = new_request(coordinator, received_on=received)
    services.triage_request(
        actor=secretariat, request=request, note="Fits.", triaged_on=received + 3 * DAY
    )
    event = make_event(secretariat)
    services.plan_request(
        actor=secretariat, request=request, events=[event], planned_on=received + 10 * DAY
    )
    services.deliver_request(actor=secretariat, request=request, delivered_on=delivered_on)
    return request


def test_no_feedback_closure_waits_for_the_days_allowed(
    plan: Any, secretariat: Any, coordinator_ar: Any
) -> None:
    request = _delivered(secretariat, coordinator_ar, today() - 60 * DAY)
    assert services.feedback_due(request) == today()
    assert not services.feedback_overdue(request)
    with pytest.raises(ValidationError) as raised:
        services.close_request(actor=secretariat, request=request, no_feedback=True)
    assert "no_feedback" in raised.value.message_dict
    assert "60 days after the delivery" in raised.value.message_dict["no_feedback"][0]
    with pytest.raises(ValidationError):  # and without the flag, feedback is still awaited
        services.close_request(actor=secretariat, request=request)
    # A day later it may be closed, saying why.
    closed = services.close_request(
        actor=secretariat, request=request, no_feedback=True, closed_on=today() + DAY
    )
    assert (closed.status, closed.closure) == (RequestStatus.CLOSED, RequestClosure.NO_FEEDBACK)
    event = AuditEvent.objects.filter(action="workplan.request.close").get()
    assert event.changes == {"status": "closed", "closure": "no_feedback"}


@override_settings(WORKPLAN_FEEDBACK_DAYS=10)
def test_the_days_come_from_the_setting(plan: Any, secretariat: Any, coordinator_ar: Any) -> None:
    request = _delivered(secretariat, coordinator_ar, today() - 11 * DAY)
    assert services.feedback_overdue(request)
    services.close_request(actor=secretariat, request=request, no_feedback=True)
    request.refresh_from_db()
    assert request.closure == RequestClosure.NO_FEEDBACK


def test_no_feedback_is_refused_when_the_state_answered(
    plan: Any, secretariat: Any, coordinator_ar: Any
) -> None:
    request = _delivered(secretariat, coordinator_ar, today() - 90 * DAY)
    services.give_feedback(actor=coordinator_ar, request=request, satisfaction=4)
    with pytest.raises(ValidationError, match="has given its feedback"):
        services.close_request(actor=secretariat, request=request, no_feedback=True)
    closed = services.close_request(actor=secretariat, request=request)
    assert closed.closure == RequestClosure.FEEDBACK


def test_the_request_page_offers_the_closure(
    plan: Any, secretariat: Any, coordinator_ar: Any, as_user: Any
) -> None:
    waiting = _delivered(secretariat, coordinator_ar, today() - 5 * DAY)
    overdue = _delivered(secretariat, coordinator_ar, today() - 61 * DAY)
    sec = as_user(secretariat)
    assert "close" not in sec.get(f"/workplan/requests/{waiting.pk}/").context["steps"]
    page = sec.get(f"/workplan/requests/{overdue.pk}/")
    assert page.context["steps"]["close"].initial["no_feedback"] is True
    response = sec.post(
        f"/workplan/requests/{waiting.pk}/close/",
        {"closed_on": today().isoformat(), "no_feedback": "on"},
    )
    assert response.status_code == 400
    assert "has until" in response.content.decode()
    response = sec.post(
        f"/workplan/requests/{overdue.pk}/close/",
        {"closed_on": today().isoformat(), "no_feedback": "on"},
    )
    assert response.status_code == 302
    body = sec.get(f"/workplan/requests/{overdue.pk}/").content.decode()
    assert "No feedback" in body
    # The coordinator may not close it.
    ar = as_user(coordinator_ar)
    response = ar.post(
        f"/workplan/requests/{waiting.pk}/close/",
        {"closed_on": today().isoformat(), "no_feedback": "on"},
    )
    assert response.status_code == 403


def test_the_api_closes_without_feedback(plan: Any, secretariat: Any, coordinator_ar: Any) -> None:
    from rest_framework.test import APIClient

    overdue = _delivered(secretariat, coordinator_ar, today() - 61 * DAY)
    client = APIClient()
    client.force_authenticate(secretariat)
    response = client.post(
        f"/api/workplan/requests/{overdue.pk}/close/", {"no_feedback": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["closure"] == "no_feedback"


def test_stage_times(plan: Any, secretariat: Any, coordinator_ar: Any) -> None:
    delivered = today() - 61 * DAY
    request = _delivered(secretariat, coordinator_ar, delivered)
    stages = results.request_stages(request)
    assert [(s.key, s.days, s.ongoing) for s in stages] == [
        ("triage", 3, False),
        ("planning", 7, False),
        ("delivery", 30, False),
        ("closure", 61, True),  # so far
    ]
    services.close_request(actor=secretariat, request=request, no_feedback=True)
    request.refresh_from_db()
    assert results.request_stages(request)[-1].days == 61
    assert not results.request_stages(request)[-1].ongoing
    other = _delivered(secretariat, coordinator_ar, today() - 20 * DAY)  # 40 days to delivery
    rows = {row.key: row.extra for row in results.stage_times(AssistanceRequest.objects.all())}
    assert rows["triage"] == {"count": 2, "median": 3, "longest": 3}
    assert rows["delivery"] == {"count": 2, "median": 30, "longest": 30}
    assert rows["closure"] == {"count": 1, "median": 61, "longest": 61}
    assert other.pk  # (an open request counts only in the stages it finished)
    declined = new_request(coordinator_ar, received_on=today() - 4 * DAY)
    services.decline_request(actor=secretariat, request=declined, note="Out of scope.")
    assert [(s.key, s.days) for s in results.request_stages(declined)] == [("decline", 4)]


def test_a_stage_cannot_precede_the_previous_one(
    plan: Any, secretariat: Any, coordinator_ar: Any
) -> None:
    request = new_request(coordinator_ar, received_on=datetime.date(2022, 9, 12))
    with pytest.raises(ValidationError):
        services.triage_request(
            actor=secretariat, request=request, note="x", triaged_on=datetime.date(2022, 9, 1)
        )


def test_the_pipeline_shows_stage_times(
    plan: Any, secretariat: Any, coordinator_ar: Any, as_user: Any
) -> None:
    request = _delivered(secretariat, coordinator_ar, today() - 61 * DAY)
    sec = as_user(secretariat)
    page = sec.get(f"/workplan/requests/{request.pk}/")
    body = page.content.decode()
    assert "Received to triaged" in body and "61 days so far" in body
    start = (today() - 200 * DAY).isoformat()
    dashboard = sec.get(f"/workplan/dashboard/?start={start}&end={today().isoformat()}")
    rows = {row.key: row.extra for row in dashboard.context["stage_times"]}
    assert rows["planning"]["median"] == 7
    assert "How long each stage took (days)" in dashboard.content.decode()
