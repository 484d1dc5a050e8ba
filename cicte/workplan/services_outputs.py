"""Writes of the outputs part of the work plan: a person's secret calendar address."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cicte.core import audit
from cicte.workplan import ical
from cicte.workplan.models import CalendarFeed


@transaction.atomic
def create_calendar_feed(*, actor: Any) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for ``actor``, replacing the previous one (which stops
    working at once). Returns the feed and the secret, shown once: only its SHA-256 is kept."""
    secret = ical.new_secret()
    feed, created = CalendarFeed.objects.select_for_update().update_or_create(
        user=actor, defaults={"digest": ical.digest(secret), "created_at": timezone.now()}
    )
    audit.record(
        actor=actor,
        action="workplan.calendar_feed.create" if created else "workplan.calendar_feed.rotate",
        obj=feed,
    )
    return feed, secret


@transaction.atomic
def revoke_calendar_feed(*, actor: Any) -> bool:
    """Remove ``actor``'s secret calendar address; whether there was one."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        return False
    audit.record(actor=actor, action="workplan.calendar_feed.revoke", obj=feed)
    feed.delete()
    return True
