"""Background jobs of the retro-hunt (huey)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.hunts import runner, services

logger = logging.getLogger(__name__)


@db_task()
def run_hunt(job_id: str) -> None:
    """Run one retro-hunt job (enqueued when its creation commits)."""
    job = runner.run_job(job_id)
    if job is not None:
        logger.info(
            "Retro-hunt %s %s: %d lines, %d matches, %d suppressed",
            job.pk,
            job.status,
            job.lines,
            job.matches,
            job.suppressed,
        )


@db_periodic_task(crontab(minute=37))
def tidy_hunts() -> dict[str, int]:
    """Every hour: uploads of jobs finished more than HUNT_KEEP_UPLOAD_DAYS ago are deleted
    (the results stay), jobs whose worker stopped fail with a message, jobs left pending are
    enqueued again, and upload files that no job names are removed."""
    failed, requeued = services.recover_jobs()
    return {
        "expired": services.expire_uploads(),
        "failed": failed,
        "requeued": requeued,
        "orphans": services.remove_orphan_files(),
    }
