"""Background jobs of the sanctions app (huey): the scheduled fetch of the official lists, and
the emails telling subscribers of a list's change."""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.sanctions import fetch

logger = logging.getLogger(__name__)


def _every_hours() -> int:
    return max(1, min(24, int(settings.SANCTIONS_FETCH_EVERY_HOURS)))


@db_periodic_task(crontab(minute="17", hour=f"*/{_every_hours()}"))
def fetch_sanctions_lists() -> list[str]:
    """Every SANCTIONS_FETCH_EVERY_HOURS hours: fetch each configured list, import changed ones."""
    if not settings.SANCTIONS_FETCH_ENABLED:
        return []
    outcomes = fetch.fetch_all()
    for outcome in outcomes:
        logger.info("Sanctions list %s: %s %s", outcome.key, outcome.status, outcome.message)
    return [f"{o.key}:{o.status}" for o in outcomes]


@db_task(retries=5, retry_delay=60, retry_backoff=2)
def send_list_change_email(notification_id: int) -> bool:
    """Email one subscription of a list's new version (queued after the import commits); a
    failure is recorded on the notification and retried after 1, 2, 4, 8 and 16 minutes."""
    from cicte.sanctions import notify

    return notify.send_change_email(notification_id)
