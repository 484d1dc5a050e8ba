"""Background jobs of the directory (huey)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from cicte.directory import emails


@db_task(retries=3, retry_delay=60)
def notify_pending_designation(designation_id: int) -> None:
    """Tell the Secretariat that a designation awaits its confirmation."""
    emails.notify_pending_designation(designation_id)
