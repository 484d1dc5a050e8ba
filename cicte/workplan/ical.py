"""iCalendar (RFC 5545) feeds of the work plan's events.

- A network's feed (``/workplan/calendar/networks/<slug>.ics``): the events serving the network,
  for signed-in people (their session); events are visible to every signed-in person.
- A person's feed (``/workplan/calendar/<secret>.ics``): the events of their networks, those they
  organise and those they are registered for, at a secret address that calendar applications
  subscribe to without a session. Only the SHA-256 of the secret is stored
  (``CalendarFeed.digest``); a new address replaces the old one, which then answers 404.

Each event is a VEVENT whose UID never changes (``workplan-event-<id>@<host of BASE_URL>``),
with DTSTART/DTEND in the event's own time zone (TZID, with its VTIMEZONE; UTC when the zone is
unknown), the venue as LOCATION, the event's page as URL, STATUS TENTATIVE for the pipeline,
CANCELLED for cancelled events (so subscribed calendars remove them), CONFIRMED otherwise.
Feeds carry the events that started in the last year and all later ones.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cicte.accounts.selectors import network_ids_for
from cicte.workplan.choices import ActivityStatus
from cicte.workplan.models import Event
from cicte.workplan.results import zone

PRODID = "-//OAS CICTE//CICTE Platform work plan//EN"
HISTORY = datetime.timedelta(days=365)
STATUS = {ActivityStatus.PIPELINE: "TENTATIVE", ActivityStatus.CANCELLED: "CANCELLED"}


def new_secret() -> str:
    """A feed secret: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def uid_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "cicte-platform"


def recent(events: QuerySet[Event], now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The events that started within the last year, and all later ones, soonest first."""
    since = (now or timezone.now()) - HISTORY
    return (
        events.filter(starts_at__gte=since).select_related("activity").order_by("starts_at", "pk")
    )


def events_of_person(user: Any) -> QuerySet[Event]:
    """A person's feed: events serving their networks, organised by them, or for which they are
    registered (through the registry's link to their account)."""
    return (
        Event.objects.visible_to(user)
        .filter(
            Q(networks__in=network_ids_for(user))
            | Q(organisers=user)
            | Q(registrations__person__user=user)
        )
        .distinct()
    )


def _vevent(event: Event, stamp: datetime.datetime, host: str) -> icalendar.Event:
    tz = zone(event.time_zone)
    item = icalendar.Event()
    item.add("uid", f"workplan-event-{event.pk}@{host}")
    item.add("dtstamp", stamp)
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
    item.add("summary", event.translated("title"))
    description = event.translated("description")
    if description:
        item.add("description", description)
    location = ", ".join(part for part in (event.venue, event.country) if part)
    if location:
        item.add("location", location)
    item.add("url", settings.BASE_URL + reverse("workplan:event_detail", args=[event.pk]))
    item.add("status", STATUS.get(ActivityStatus(event.status), "CONFIRMED"))
    item.add("categories", [event.get_kind_display()])
    item.add("last-modified", event.updated_at)
    return item


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    """The events as one VCALENDAR with the VTIMEZONE of every zone it uses."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    host = uid_host()
    for event in events:
        cal.add_component(_vevent(event, stamp, host))
    cal.add_missing_timezones()
    return cal.to_ical()
