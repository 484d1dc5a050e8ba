"""Background jobs of the sources app (huey): the schedule, every minute, and the polls."""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.sources import services
from cicte.sources.choices import PollTrigger

logger = logging.getLogger(__name__)


@db_task()
def poll_source(
    source_id: int, trigger: str = PollTrigger.SCHEDULE, requested_by_id: int | None = None
) -> str | None:
    """Poll one remote source; returns the poll's status (``None``: not polled, another poll of
    it was running or it was disabled or deleted meanwhile)."""
    record = services.poll(source_id=source_id, trigger=trigger, requested_by_id=requested_by_id)
    if record is None:
        return None
    logger.info(
        "Source %s polled: %s, %d read, %d stored, %d already stored, %d refused",
        source_id,
        record.status,
        record.objects_read,
        record.stored,
        record.duplicates,
        record.refused,
    )
    return str(record.status)


@db_periodic_task(crontab(minute="*"))
def schedule_polls() -> list[int]:
    """Every minute: a poll enqueued for each enabled source whose next poll has come (each
    claimed first, so that none is enqueued twice)."""
    claimed = services.claim_due_sources()
    for source_id in claimed:
        transaction.on_commit(functools.partial(poll_source, source_id))
    return claimed
