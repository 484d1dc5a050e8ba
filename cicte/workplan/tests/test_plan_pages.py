"""The work plan pages: the plan tree, programs and activities with their translations, events
(list with filters, create and edit), the requests pipeline and indicators; who may see and do
what."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories
from cicte.workplan import services
from cicte.workplan.models import Activity, AssistanceRequest, Event, Program
from cicte.workplan.tests.helpers import make_event, when

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_go_to_the_login_page(plan: Any) -> None:
    for url in ("/workplan/", "/workplan/events/", "/workplan/requests/", "/workplan/indicators/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_plan_tree_and_program_page(plan: Any, member: Any, as_user: Any) -> None:
    client = as_user(member)
    response = client.get("/workplan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "CICTE work plan 2022-2023" in html
    assert html.count('href="/workplan/activities/') == 74
    assert "Supply chain security / Authorized Economic Operator" in html
    d = Program.objects.get(code="D")
    response = client.get(f"/workplan/programs/{d.pk}/")
    assert response.status_code == 200
    assert "Maritime protection" in response.content.decode()
    assert client.get("/workplan/programs/999999/").status_code == 404
    # A member neither translates nor edits.
    assert client.get(f"/workplan/programs/{d.pk}/translations/").status_code == 403
    activity = Activity.objects.get(code="A.1")
    response = client.post(f"/workplan/activities/{activity.pk}/", {"gender_marker": 2})
    assert response.status_code == 403


def test_translation_editor(plan: Any, secretariat: Any, as_user: Any) -> None:
    client = as_user(secretariat)
    program = Program.objects.get(code="A")
    url = f"/workplan/programs/{program.pk}/translations/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="es__title"' in response.content.decode()
    assert 'name="pt__purpose"' in response.content.decode()
    response = client.post(url, {"es__title": "Ciberseguridad", "fr__title": "Cybersécurité"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.translations == {
        "es": {"title": "Ciberseguridad"},
        "fr": {"title": "Cybersécurité"},
    }
    client.post("/i18n/setlang/", {"language": "es", "next": "/workplan/"})
    assert "Ciberseguridad" in client.get("/workplan/").content.decode()


def test_event_list_filters(plan: Any, secretariat: Any, member: Any, as_user: Any) -> None:
    a1 = Activity.objects.get(code="A.1")
    d21 = Activity.objects.get(code="D.2.1")
    iant = factories.network("inter-american-network-against-terrorism")
    make_event(secretariat, title="Cyber diplomacy course", activity=a1)
    make_event(
        secretariat,
        title="Aviation workshop",
        kind="workshop",
        modality="in_person",
        activity=d21,
        target_states=[factories.state("PA")],
        starts_at=when(2023, 3, 1),
    )
    make_event(
        secretariat, title="IANT quarterly meeting", kind="meeting", networks=[iant],
        starts_at=when(2023, 6, 1),
    )  # fmt: skip
    client = as_user(member)

    def titles(query: str) -> list[str]:
        response = client.get("/workplan/events/?" + query)
        assert response.status_code == 200
        return sorted(e.title for e in response.context["rows"])

    assert titles("") == ["Aviation workshop", "Cyber diplomacy course", "IANT quarterly meeting"]
    assert titles("kind=workshop") == ["Aviation workshop"]
    assert titles("modality=virtual") == ["Cyber diplomacy course", "IANT quarterly meeting"]
    d = Program.objects.get(code="D")
    assert titles(f"program={d.pk}") == ["Aviation workshop"]  # through sub-program D.2
    assert titles(f"network={iant.pk}") == ["IANT quarterly meeting"]
    assert titles(f"state={factories.state('PA').pk}") == ["Aviation workshop"]
    assert titles("year=2022") == ["Cyber diplomacy course"]
    response = client.get("/workplan/events/?kind=nonsense")
    assert response.status_code == 200


def test_event_create_and_edit(plan: Any, secretariat: Any, member: Any, as_user: Any) -> None:
    donor = services.create_partner(actor=secretariat, name="Government of Canada")
    activity = Activity.objects.get(code="A.6")
    data = {
        "kind": "bootcamp",
        "title": "Cybersecurity Summer Bootcamp",
        "activity": activity.pk,
        "modality": "in_person",
        "starts_at": "2023-07-10T09:00",
        "ends_at": "2023-07-14T17:00",
        "time_zone": "Europe/Madrid",
        "venue": "León",
        "country": "es",
        "languages": ["en", "es"],
        "budget": "25000",
        "currency": "USD",
        "status": "2",
        "target_states": [factories.state("MX").pk, factories.state("CO").pk],
        "donors": [donor.pk],
        "organisers": [member.pk],
    }
    assert as_user(member).post("/workplan/events/new/", data).status_code == 403
    client = as_user(secretariat)
    response = client.post("/workplan/events/new/", {**data, "ends_at": "2023-07-01T09:00"})
    assert response.status_code == 400
    assert "An event ends after it starts." in response.content.decode()
    response = client.post("/workplan/events/new/", {**data, "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert not Event.objects.exists()
    response = client.post("/workplan/events/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    # 09:00 in Madrid (summer time, UTC+2) is 07:00 UTC.
    assert event.starts_at == datetime.datetime(2023, 7, 10, 7, tzinfo=datetime.UTC)
    assert event.country == "ES" and event.languages == ["en", "es"]
    assert event.budget == Decimal("25000")
    assert list(event.event_partners.values_list("role", flat=True)) == ["donor"]
    assert list(event.organisers.all()) == [member]
    response = client.get(f"/workplan/events/{event.pk}/edit/")
    assert response.status_code == 200
    assert 'value="2023-07-10T09:00"' in response.content.decode()
    response = client.post(f"/workplan/events/{event.pk}/edit/", {**data, "title": "Bootcamp"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Bootcamp"
    page = as_user(member).get(f"/workplan/events/{event.pk}/")
    assert page.status_code == 200
    assert "Government of Canada" in page.content.decode()
    assert as_user(member).get(f"/workplan/events/{event.pk}/edit/").status_code == 403
    assert as_user(member).get("/workplan/events/999999/").status_code == 404


def test_requests_pages(
    plan: Any,
    secretariat: Any,
    coordinator_ar: Any,
    coordinator_cl: Any,
    member: Any,
    as_user: Any,
) -> None:
    assert as_user(member).get("/workplan/requests/").status_code == 403
    assert as_user(member).get("/workplan/requests/new/").status_code == 403
    ar = as_user(coordinator_ar)
    response = ar.get("/workplan/requests/new/")
    assert response.status_code == 200
    states = list(response.context["form"].fields["member_state"].queryset)
    assert [s.code for s in states] == ["AR"]
    response = ar.post(
        "/workplan/requests/new/",
        {"member_state": factories.state("CL").pk, "title": "x", "description": "y",
         "received_on": "2022-09-12"},
    )  # fmt: skip
    assert response.status_code == 400  # not a state they coordinate
    response = ar.post(
        "/workplan/requests/new/",
        {
            "member_state": factories.state("AR").pk,
            "title": "Maritime risk assessment",
            "description": "A national maritime risk assessment workshop.",
            "note_verbale": "NV-AR-2022-31",
            "received_on": "2022-09-12",
        },
    )
    assert response.status_code == 302
    item = AssistanceRequest.objects.get()
    cl = as_user(coordinator_cl)
    assert cl.get(f"/workplan/requests/{item.pk}/").status_code == 404
    assert cl.get("/workplan/requests/").context["rows"] == []
    assert [r.pk for r in ar.get("/workplan/requests/").context["rows"]] == [item.pk]
    # The coordinator cannot triage; the Secretariat can.
    url = f"/workplan/requests/{item.pk}/"
    assert ar.post(url + "triage/", {"note": "ok"}).status_code == 403
    sec = as_user(secretariat)
    page = sec.get(url)
    assert set(page.context["steps"]) == {"triage", "decline"}
    assert sec.post(url + "triage/", {"note": ""}).status_code == 400
    assert sec.post(url + "deliver/", {"delivered_on": "2022-10-01"}).status_code == 400
    activity = Activity.objects.get(code="D.1.3")
    response = sec.post(url + "triage/", {"note": "Fits D.1.3", "activity": activity.pk})
    assert response.status_code == 302
    event = make_event(secretariat, activity=activity, kind="workshop")
    assert sec.post(url + "plan/", {"events": [event.pk]}).status_code == 302
    assert sec.post(url + "deliver/", {"delivered_on": "2022-11-02"}).status_code == 302
    page = ar.get(url)
    assert set(page.context["steps"]) == {"feedback"}
    # Delivered long ago without feedback: the Secretariat may close it "no feedback" (the
    # closure on the state's feedback waits for it: test_plan_request_feedback).
    assert sec.get(url).context["steps"]["close"].initial == {"no_feedback": True}
    assert (
        ar.post(url + "feedback/", {"satisfaction": "5", "feedback": "Excellent"}).status_code
        == 302
    )
    assert sec.post(url + "feedback/", {"satisfaction": "1"}).status_code == 403
    assert sec.post(url + "close/", {"closed_on": "2022-12-01"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.satisfaction, item.feedback) == ("closed", 5, "Excellent")
    assert ar.post(url + "bogus/", {}).status_code == 404
    # The event page links to the request for those who may see it only.
    assert str(item.title) in sec.get(f"/workplan/events/{event.pk}/").content.decode()
    assert (
        str(item.title) not in as_user(member).get(f"/workplan/events/{event.pk}/").content.decode()
    )


def test_indicator_pages(plan: Any, secretariat: Any, member: Any, as_user: Any) -> None:
    program = Program.objects.get(code="G")
    sec = as_user(secretariat)
    response = sec.post(
        "/workplan/indicators/new/",
        {"program": program.pk, "title": "Quarterly meetings held", "source": "manual",
         "baseline": "0", "unit": "meetings"},
    )  # fmt: skip
    assert response.status_code == 302
    indicator = program.indicators.get()
    url = f"/workplan/indicators/{indicator.pk}/"
    response = sec.post(
        url, {"start": "2023-01-01", "end": "2023-12-31", "target": "4", "actual": "3"}
    )
    assert response.status_code == 302
    period = indicator.periods.get()
    assert (period.target, period.actual) == (4, 3)
    assert (
        sec.post(url, {"start": "2023-01-01", "end": "2022-12-31", "target": "4"}).status_code
        == 400
    )
    counted = services.create_indicator(
        actor=secretariat,
        data={"program": program, "title": "Participants", "source": "participants"},
    )
    page = sec.get(f"/workplan/indicators/{counted.pk}/")
    assert "actual" not in page.context["form"].fields
    response = as_user(member).get("/workplan/indicators/")
    assert response.status_code == 200
    assert "Quarterly meetings held" in response.content.decode()
    assert (
        as_user(member).post(url, {"start": "2023-01-01", "end": "2023-12-31"}).status_code == 403
    )
    assert as_user(member).get("/workplan/indicators/new/").status_code == 403
    response = sec.post(f"{url}periods/{period.pk}/delete/")
    assert response.status_code == 302
    assert not indicator.periods.exists()
