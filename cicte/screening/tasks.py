"""Background jobs of batch screening (huey)."""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from cicte.sanctions.matching import ScreeningPool
from cicte.screening import runner, services

logger = logging.getLogger(__name__)


@db_task()
def run_screening(job_id: str) -> None:
    """Run one batch screening job (enqueued when its creation commits)."""
    job = runner.run_job(job_id)
    if job is not None:
        logger.info(
            "Screening %s %s: %d rows, %d hits, %d cleared earlier",
            job.pk,
            job.status,
            job.rows_screened,
            job.hits,
            job.cleared,
        )


@on_startup()
def start_screening_pool_server() -> None:
    """As the worker starts: the screening pool's fork server, which warms rigour's name tables
    once (seconds), so that the first large batch screening does not wait for it."""
    if int(settings.SCREENING_PROCESSES) > 1:
        ScreeningPool.start_server()


@db_periodic_task(crontab(minute=41))
def tidy_screenings() -> dict[str, int]:
    """Every hour: customer files of jobs finished more than SCREENING_KEEP_UPLOAD_DAYS ago are
    deleted (the hits stay), jobs whose worker stopped fail with a message, jobs left pending
    are enqueued again."""
    failed, requeued = services.recover_jobs()
    return {"expired": services.expire_uploads(), "failed": failed, "requeued": requeued}
