"""Background jobs of the intel app (huey)."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.intel import services
from cicte.intel.choices import IngestStatus
from cicte.intel.models import Ingest

logger = logging.getLogger(__name__)


@db_task()
def process_ingest(ingest_id: str) -> None:
    """Validate and store the objects of one POST (TAXII, API or UI)."""
    ingest = services.process(ingest_id)
    logger.info(
        "Ingest %s: %d stored, %d refused", ingest.pk, ingest.success_count, ingest.failure_count
    )


@db_periodic_task(crontab(minute=23))
def forget_old_statuses() -> int:
    """Every hour: completed status resources older than TAXII_STATUS_RETENTION_DAYS (7 days by
    default; TAXII asks for at least 24 hours) are deleted; stored objects keep no link."""
    cutoff = timezone.now() - services.status_retention()
    deleted, _detail = Ingest.objects.filter(
        status=IngestStatus.COMPLETE, completed_at__lt=cutoff
    ).delete()
    return deleted
