"""iCalendar feeds parsed back with the icalendar library: a network's feed (session), a person's
secret address (no session; SHA-256 only stored; replaced and removed)."""

from __future__ import annotations

import datetime
import hashlib
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.workplan import ical, services_outputs
from cicte.workplan.models import CalendarFeed, Event
from cicte.workplan.tests.outputs_fixtures import build_world

NOW = datetime.datetime(2022, 12, 1, tzinfo=datetime.UTC)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _frozen_history(monkeypatch):
    # The fixture's events are of 2022-2023: feeds keep a year of history before "now".
    real = ical.recent
    monkeypatch.setattr(ical, "recent", lambda events, now=None: real(events, now or NOW))


@pytest.fixture
def member(db):
    user = af.UserFactory(full_name="Plain Member")
    af.grant(user, "member", network_slug="csirtamericas")
    return user


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(cal) -> dict[str, icalendar.Event]:
    return {str(item["uid"]): item for item in cal.walk("VEVENT")}


def uid(event) -> str:
    return f"workplan-event-{event.pk}@127.0.0.1"


def test_network_feed(world, member):
    client = Client()
    client.force_login(member)
    cal = parse(client.get("/workplan/calendar/networks/csirtamericas.ics"))
    found = events_of(cal)
    assert set(found) == {uid(world.e1), uid(world.e3)}  # the events serving CSIRTAmericas
    e1 = found[uid(world.e1)]
    start = e1.decoded("dtstart")
    assert start == datetime.datetime(
        2022, 3, 10, 9, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires")
    )
    assert str(start.tzinfo) == "America/Argentina/Buenos_Aires"
    assert e1.decoded("dtend") - start == datetime.timedelta(hours=56)
    assert str(e1["summary"]) == "Incident response course"
    assert str(e1["location"]) == "Hotel Plaza, Buenos Aires, AR"
    assert str(e1["url"]).endswith(f"/workplan/events/{world.e1.pk}/")
    assert str(e1["status"]) == "CONFIRMED"
    assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} == {
        "America/Argentina/Buenos_Aires"
    }  # UTC needs none
    e3 = found[uid(world.e3)]
    assert e3.decoded("dtstart") == datetime.datetime(2023, 2, 1, 14, tzinfo=datetime.UTC)
    assert client.get("/workplan/calendar/networks/no-such-network.ics").status_code == 404


def test_the_uid_stays_when_the_event_changes(world, member):
    client = Client()
    client.force_login(member)
    before = set(events_of(parse(client.get("/workplan/calendar/networks/csirtamericas.ics"))))
    Event.objects.filter(pk=world.e1.pk).update(
        title="Renamed", starts_at=world.e1.starts_at + datetime.timedelta(days=1)
    )
    after = events_of(parse(client.get("/workplan/calendar/networks/csirtamericas.ics")))
    assert set(after) == before
    assert str(after[uid(world.e1)]["summary"]) == "Renamed"


def test_unknown_time_zone_falls_back_to_utc(world):
    Event.objects.filter(pk=world.e1.pk).update(time_zone="Mars/Olympus_Mons")
    cal = icalendar.Calendar.from_ical(
        ical.calendar(Event.objects.filter(pk=world.e1.pk), name="x")
    )
    (item,) = cal.walk("VEVENT")
    assert item.decoded("dtstart") == world.e1.starts_at.astimezone(datetime.UTC)


def test_status_of_cancelled_and_planned_events(world):
    cal = icalendar.Calendar.from_ical(
        ical.calendar(Event.objects.filter(pk__in=[world.e4.pk, world.e5.pk]), name="x")
    )
    found = events_of(cal)
    assert str(found[uid(world.e4)]["status"]) == "TENTATIVE"
    assert str(found[uid(world.e5)]["status"]) == "CANCELLED"


def test_secret_address_lifecycle(world, member):
    browser = Client()
    browser.force_login(member)
    assert "Make my calendar address" in browser.get("/workplan/calendar/").content.decode()
    response = browser.post("/workplan/calendar/address/")
    assert response.status_code == 201
    page = response.content.decode()
    url = re.search(r"http://testserver(/workplan/calendar/[A-Za-z0-9_-]+\.ics)", page).group(1)
    secret = url.rsplit("/", 1)[1][: -len(".ics")]
    feed = CalendarFeed.objects.get(user=member)
    assert feed.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(CalendarFeed.objects.filter(user=member).values().first())
    # Shown once: the page does not show it again.
    assert secret not in browser.get("/workplan/calendar/").content.decode()

    # A calendar application, without a session: the member's network events, and those
    # organised by them.
    world.e4.organisers.add(member)
    app = Client()
    found = events_of(parse(app.get(url)))
    assert set(found) == {uid(world.e1), uid(world.e3), uid(world.e4)}

    # Replaced: the old address answers 404, the new one works.
    response = browser.post("/workplan/calendar/address/")
    new_url = re.search(
        r"http://testserver(/workplan/calendar/[A-Za-z0-9_-]+\.ics)", response.content.decode()
    ).group(1)
    assert new_url != url
    assert app.get(url).status_code == 404
    assert app.get(new_url).status_code == 200
    assert app.head(new_url).status_code == 200
    # Removed: 404.
    assert browser.post("/workplan/calendar/address/revoke/").status_code == 302
    assert app.get(new_url).status_code == 404
    assert not CalendarFeed.objects.filter(user=member).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="workplan.calendar_feed")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workplan.calendar_feed.create",
        "workplan.calendar_feed.rotate",
        "workplan.calendar_feed.revoke",
    ]


def test_secret_address_of_a_deactivated_person(world, member):
    _feed, secret = services_outputs.create_calendar_feed(actor=member)
    member.is_active = False
    member.save()
    assert Client().get(f"/workplan/calendar/{secret}.ics").status_code == 404


def test_forged_secret_answers_404_without_login(db):
    response = Client().get("/workplan/calendar/" + "A" * 43 + ".ics")
    assert response.status_code == 404


def test_a_registered_person_gets_their_events(world, member):
    world.fabio.user = member
    world.fabio.save()
    member.role_assignments.all().delete()  # no network any more
    from cicte.accounts import permissions

    permissions.forget(member)
    events = set(ical.events_of_person(member).values_list("pk", flat=True))
    assert events == {world.e2.pk, world.e4.pk}


def test_history_window(world):
    now = timezone.make_aware(datetime.datetime(2023, 6, 1))
    assert set(ical.recent(Event.objects.all(), now).values_list("pk", flat=True)) == {
        world.e2.pk,  # 1 June 2022, a year before; e1 (March 2022) is out
        world.e3.pk,
        world.e4.pk,
        world.e5.pk,
        world.e6.pk,
    }
