"""The work plan API: events (read by all, written by the Secretariat) and requests for
assistance (the pages' rules), with token scopes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories
from cicte.workplan import services
from cicte.workplan.models import Activity, AssistanceRequest, Event
from cicte.workplan.tests.helpers import make_event

pytestmark = pytest.mark.django_db


def api(user: Any, *scopes: str) -> Client:
    _token, secret = factories.api_token(user, *(scopes or ("workplan:write",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


EVENT = {
    "kind": "meeting",
    "title": "IANT quarterly meeting",
    "modality": "virtual",
    "starts_at": "2023-03-15T15:00:00Z",
    "ends_at": "2023-03-15T17:00:00Z",
    "networks": ["inter-american-network-against-terrorism"],
    "target_states": ["ar", "CL"],
    "languages": ["en", "es"],
}


def test_events_read_by_all_written_by_the_secretariat(
    plan: Any, secretariat: Any, member: Any
) -> None:
    activity = Activity.objects.get(code="G.1")
    donor = services.create_partner(actor=secretariat, name="Government of Canada")
    sec = api(secretariat)
    response = sec.post(
        "/api/workplan/events/",
        {**EVENT, "activity": activity.pk, "partners": [{"partner": donor.pk, "role": "donor"}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["activity"] == "G.1"
    assert body["target_states"] == ["AR", "CL"]
    assert body["partners"] == [
        {"partner": donor.pk, "name": "Government of Canada", "role": "donor"}
    ]
    event_id = body["id"]
    # Bad input: 400 with the field.
    response = sec.post(
        "/api/workplan/events/",
        {**EVENT, "target_states": ["XX"], "networks": ["nope"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) >= {"target_states", "networks"}
    response = sec.post(
        "/api/workplan/events/",
        {**EVENT, "ends_at": "2023-03-14T17:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Event.objects.count() == 1
    # A member reads, cannot write.
    reader = api(member, "workplan:read")
    response = reader.get("/api/workplan/events/?kind=meeting")
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [event_id]
    assert reader.get("/api/workplan/events/?kind=course").json()["results"] == []
    assert reader.get(f"/api/workplan/events/{event_id}/").status_code == 200
    assert reader.get("/api/workplan/events/999999/").status_code == 404
    assert (
        reader.post("/api/workplan/events/", EVENT, content_type="application/json").status_code
        == 403
    )
    writer = api(member)
    assert (
        writer.post("/api/workplan/events/", EVENT, content_type="application/json").status_code
        == 403
    )
    assert (
        writer.patch(
            f"/api/workplan/events/{event_id}/", {"title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    # A read-only token of the Secretariat cannot write; another module's token cannot read.
    assert (
        api(secretariat, "workplan:read")
        .post("/api/workplan/events/", EVENT, content_type="application/json")
        .status_code
        == 403
    )
    assert api(secretariat, "intel:read").get("/api/workplan/events/").status_code == 403
    response = sec.patch(
        f"/api/workplan/events/{event_id}/",
        {"title": "IANT first quarterly meeting", "target_states": []},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "IANT first quarterly meeting"
    assert response.json()["target_states"] == []
    assert Client().get("/api/workplan/events/").status_code == 401


def test_requests_follow_the_pages_rules(
    plan: Any, secretariat: Any, coordinator_ar: Any, coordinator_cl: Any, member: Any
) -> None:
    ar, cl, sec = api(coordinator_ar), api(coordinator_cl), api(secretariat)
    assert api(member).get("/api/workplan/requests/").status_code == 403
    response = ar.post(
        "/api/workplan/requests/",
        {"title": "AEO workshop", "description": "A subregional AEO workshop.",
         "note_verbale": "NV-17", "received_on": "2022-10-03", "activity": "D.4.4"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["member_state"], body["program"], body["activity"], body["status"]) == (
        "AR", "D.4", "D.4.4", "received",
    )  # fmt: skip
    rid = body["id"]
    response = ar.post(
        "/api/workplan/requests/",
        {"title": "x", "description": "y", "member_state": "CL"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert cl.get(f"/api/workplan/requests/{rid}/").status_code == 404
    assert cl.get("/api/workplan/requests/").json()["results"] == []
    assert (
        ar.post(
            f"/api/workplan/requests/{rid}/triage/", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        sec.post(
            f"/api/workplan/requests/{rid}/deliver/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    response = sec.post(
        f"/api/workplan/requests/{rid}/triage/",
        {"note": "Fits D.4.4"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "triaged"
    event = make_event(secretariat, kind="workshop")
    assert (
        sec.post(
            f"/api/workplan/requests/{rid}/plan/",
            {"events": [999999]},
            content_type="application/json",
        ).status_code
        == 400
    )
    response = sec.post(
        f"/api/workplan/requests/{rid}/plan/",
        {"events": [event.pk]},
        content_type="application/json",
    )
    assert response.json()["events"] == [event.pk]
    # The event names its request to those who may see it only.
    assert sec.get(f"/api/workplan/events/{event.pk}/").json()["request"] == rid
    assert api(member).get(f"/api/workplan/events/{event.pk}/").json()["request"] is None
    assert cl.get(f"/api/workplan/events/{event.pk}/").json()["request"] is None
    sec.post(
        f"/api/workplan/requests/{rid}/deliver/",
        {"delivered_on": "2022-12-01"},
        content_type="application/json",
    )
    assert (
        sec.post(
            f"/api/workplan/requests/{rid}/close/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        sec.post(
            f"/api/workplan/requests/{rid}/feedback/",
            {"satisfaction": 5},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        ar.post(
            f"/api/workplan/requests/{rid}/feedback/",
            {"satisfaction": 9},
            content_type="application/json",
        ).status_code
        == 400
    )
    response = ar.post(
        f"/api/workplan/requests/{rid}/feedback/",
        {"satisfaction": 4, "feedback": "Good"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["satisfaction"] == 4
    response = sec.post(f"/api/workplan/requests/{rid}/close/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert AssistanceRequest.objects.get().status == "closed"
