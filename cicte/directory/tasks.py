"""Background jobs of the directory (huey): notifications, the verification cycle, and the
emails and schedule of communication checks."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.directory import checks, emails

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def notify_pending_designation(designation_id: int) -> None:
    """Tell the Secretariat that a designation awaits its confirmation."""
    emails.notify_pending_designation(designation_id)


# --- The verification cycle ------------------------------------------------------------------


@db_periodic_task(crontab(hour=6, minute=40))
def verification_reminders() -> int:
    """Every morning: remind the contacts of designations falling due, and their coordinators."""
    count = checks.send_verification_reminders()
    logger.info("Verification cycle: %d designations reminded", count)
    return count


@db_task(retries=3, retry_delay=300)
def send_verification_request(designation_id: int) -> int:
    """Email a designated contact the link that confirms their details are current."""
    return checks.send_verification_email(designation_id)


@db_task(retries=3, retry_delay=300)
def send_verification_summary(user_id: int, designation_ids: list[int]) -> bool:
    """Email a national coordinator their state's designations that fall due."""
    return checks.send_verification_summary_email(user_id, designation_ids)


# --- Communication checks --------------------------------------------------------------------


@db_task(retries=3, retry_delay=120)
def send_check_request(recipient_id: int, reminder: bool = False) -> bool:
    """Email one recipient of a communication check (or remind them), with a fresh link."""
    return checks.send_check_email(recipient_id, reminder=reminder)


@db_periodic_task(crontab(minute="*/5"))
def communication_check_schedule() -> tuple[int, int]:
    """Every five minutes: close the checks past their deadline and send the reminders due."""
    closed, reminded = checks.run_check_schedule()
    if closed or reminded:
        logger.info("Communication checks: %d closed, %d reminders", closed, reminded)
    return closed, reminded
