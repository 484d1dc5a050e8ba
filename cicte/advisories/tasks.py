"""Background jobs of the advisories app (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cicte.advisories import notify


@db_periodic_task(crontab(hour=12, minute=5))
def send_digests() -> int:
    """Every day at 12:05 UTC (morning in the Americas): each subscriber's daily digest."""
    return notify.send_digests()
