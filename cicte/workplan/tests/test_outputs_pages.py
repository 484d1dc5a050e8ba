"""Dashboard, progress report (HTML and PDF), CSV exports and the IATI download, on the hand-
counted world of outputs_fixtures: who may see what, figures, no personal data."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from lxml import etree

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.core.tests.html import page_text
from cicte.workplan import iati
from cicte.workplan.tests.outputs_fixtures import build_world

Y2022 = "start=2022-01-01&end=2022-12-31"
WHOLE = "start=2022-01-01&end=2023-12-31"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def member(db) -> Client:
    user = af.UserFactory(full_name="Plain Member")
    af.grant(user, "member", network_slug="csirtamericas")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretariat(client, login, db):
    user = af.secretariat_admin()
    af.add_totp(user)
    return login(user)


@pytest.fixture
def coordinator_ar(client, login, db):
    user = af.national_coordinator("AR")
    af.add_totp(user)
    return login(user)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    "url",
    [
        "/workplan/dashboard/",
        "/workplan/report/",
        "/workplan/report/pdf/",
        "/workplan/exports/events.csv",
        "/workplan/exports/people-reached.csv",
        "/workplan/exports/requests.csv",
        "/workplan/exports/indicators.csv",
        "/workplan/exports/iati-activities.xml",
        "/workplan/calendar/",
        "/workplan/calendar/networks/csirtamericas.ics",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(url, client, db):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_figures_and_no_personal_data(world, member):
    response = member.get(f"/workplan/dashboard/?{Y2022}")
    assert response.status_code == 200
    page = page_text(response)
    totals = response.context["totals"]
    assert (totals.people_reached, totals.events_held) == (4, 2)
    assert '<svg class="chart__svg"' in page and "<table" in page
    assert "style=" not in page and "<script>" not in page  # the CSP forbids inline CSS and JS
    for name in ("Ana", "Bruno", "Carla", "ana@example.org"):
        assert name not in page
    assert "Incident response course" in page  # the events calendar
    # e5 starts on 31 December in New York (1 January in UTC): December, local date.
    december = next(m for m in response.context["calendar"] if m["month"].month.month == 12)
    assert [e.pk for e in december["events"]] == [world.e5.pk]
    assert '<time datetime="2022-12-31T20:00:00-05:00">31 Dec</time>' in page
    # A member sees no request for assistance, not even counts.
    assert "Requests for assistance by stage" not in page


def test_dashboard_requests_for_those_who_may_see_them(world, secretariat):
    page = secretariat.get(f"/workplan/dashboard/?{Y2022}").content.decode()
    assert "Requests for assistance by stage" in page
    rows = {
        r.label: r.values
        for r in secretariat.get(f"/workplan/dashboard/?{Y2022}").context["requests_chart"].rows
    }
    assert rows["Received"] == ["1"] and rows["Planned"] == ["1"] and rows["Closed"] == ["0"]


def test_a_bad_period_says_what_to_fix(world, member):
    response = member.get("/workplan/dashboard/?start=2023-01-01&end=2022-01-01")
    assert response.status_code == 400
    assert "The end of the period must not be before its start." in response.content.decode()
    response = member.get("/workplan/exports/events.csv?start=yesterday&end=2022-01-01")
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_dashboard_in_spanish(world, member):
    response = member.get(f"/workplan/dashboard/?{Y2022}", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "A. Ciberseguridad" in response.content.decode()


def test_progress_report_html(world, coordinator_ar):
    response = coordinator_ar.get(f"/workplan/report/?{WHOLE}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Progress report on the work plan" in page
    for heading in (
        "A. Cybersecurity",
        "D. Border security",
        "Not linked to an activity of the plan",
    ):
        assert heading in page
    # The coordinator of Argentina sees Argentina's requests, not Brazil's.
    assert "Request AR received" in page and "Request BR planned" not in page
    section_a = response.context["sections"][0]
    assert section_a["totals"].people_reached == 3  # ana bruno carla (e1); bruno again (e6)
    # In the order they happen: e6 (Kiritimati, 23:00 UTC on 31 December) before e5 (New York).
    assert [e.pk for e in section_a["events"]] == [world.e1.pk, world.e6.pk, world.e5.pk]
    assert section_a["events"][0].figures == {
        "event": world.e1.pk,
        "registered": 5,
        "reached": 3,
        "trained": 2,
    }


def test_progress_report_pdf(world, member):
    response = member.get(f"/workplan/report/pdf/?{Y2022}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="workplan.report.export").count() == 1


def test_events_csv(world, member):
    rows = read_csv(member.get(f"/workplan/exports/events.csv?{Y2022}"))
    header, body = rows[0], rows[1:]
    assert [row[header.index("id")] for row in body] == [
        str(world.e1.pk),
        str(world.e2.pk),
        str(world.e5.pk),
    ]
    e1 = dict(zip(header, body[0], strict=True))
    assert e1["starts"] == "2022-03-10T09:00-03:00"
    assert e1["target_states"] == "AR BR"
    assert (e1["people_registered"], e1["people_reached"], e1["people_trained"]) == ("5", "3", "2")
    assert e1["program"] == "A" and e1["activity"] == "A.1" and e1["budget"] == "10000.00"
    assert AuditEvent.objects.get(action="workplan.event.export").changes["rows"] == 3


def test_people_reached_csv(world, secretariat):
    rows = read_csv(secretariat.get(f"/workplan/exports/people-reached.csv?{Y2022}"))
    assert rows[0] == ["dimension", "code", "label", "people_reached", "people_trained"]
    found = {(r[0], r[1]): (r[3], r[4]) for r in rows[1:]}
    assert found[("all", "")] == ("4", "2")
    assert found[("sex", "female")] == ("2", "1")
    assert found[("member_state", "CL")] == ("1", "0")
    assert found[("program", "D")] == ("2", "1")


def test_requests_csv_reads_what_the_reader_may_see(world, coordinator_ar, member):
    rows = read_csv(coordinator_ar.get(f"/workplan/exports/requests.csv?{WHOLE}"))
    assert [r[1] for r in rows[1:]] == ["AR", "AR"]
    assert read_csv(member.get(f"/workplan/exports/requests.csv?{WHOLE}"))[1:] == []


def test_csv_neutralises_formulas(world, secretariat):
    world.e2.title = "=cmd|' /C calc'!A0"
    world.e2.save()
    rows = read_csv(secretariat.get(f"/workplan/exports/events.csv?{Y2022}"))
    assert rows[2][1] == "'=cmd|' /C calc'!A0"


def test_indicators_csv(world, member):
    rows = read_csv(member.get(f"/workplan/exports/indicators.csv?{Y2022}"))
    header = rows[0]
    found = {(r[header.index("indicator")], r[header.index("period_start")]): r for r in rows[1:]}
    trained = found[("People trained in cybersecurity", "2022-01-01")]
    assert (trained[header.index("target")], trained[header.index("actual")]) == ("10.00", "2")
    assert trained[header.index("percent_of_target")] == "20"
    manual = found[("National strategies adopted", "2022-01-01")]
    assert manual[header.index("actual")] == "7.50" and manual[header.index("baseline")] == "3.00"


def test_iati_download_validates(world, member):
    response = member.get(f"/workplan/exports/iati-activities.xml?{Y2022}")
    assert response.status_code == 200
    assert iati.validate(response.content) == []
    root = etree.fromstring(response.content)
    assert len(root) == 3
    empty = member.get("/workplan/exports/iati-activities.xml?start=2030-01-01&end=2030-12-31")
    assert empty.status_code == 404


def test_dashboard_queries_do_not_grow_with_events(world, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cicte.workplan.models import Event, Registration

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member.get(f"/workplan/dashboard/?{Y2022}").status_code == 200
        return len(captured)

    before = queries()
    for day in range(1, 8):
        event = Event.objects.create(
            kind="course",
            modality="virtual",
            activity=world.a1 if day % 2 else world.d11,
            title=f"More {day}",
            starts_at=world.e1.starts_at.replace(month=9, day=day),
            ends_at=world.e1.ends_at.replace(month=9, day=day + 1),
            time_zone="America/Lima",
            status="4",
        )
        Registration.objects.create(event=event, person=world.dani, status="completed")
    assert queries() == before
