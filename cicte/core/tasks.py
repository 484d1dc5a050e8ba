"""Background jobs of the core app (huey)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.core import maintenance
from cicte.core.audit import ChainBreak, verify_chain

logger = logging.getLogger(__name__)


def secretariat_administrators() -> list[tuple[str, str]]:
    """(email, preferred language) of the active holders of the Secretariat administrator role."""
    from cicte.accounts.models import User

    return list(
        User.objects.filter(is_active=True, role_assignments__role__slug="secretariat_admin")
        .exclude(email="")
        .distinct()
        .order_by("email")
        .values_list("email", "preferred_language")
    )


def notify_broken_chain(*, checked: int, broken: ChainBreak) -> int:
    """Email every Secretariat administrator, each in their language; returns how many."""
    from cicte.accounts.tasks import send_email

    url = settings.BASE_URL + reverse("core:audit_detail", args=[broken.event_id])
    recipients = secretariat_administrators()
    for email, language in recipients:
        with translation.override(language):
            subject = _("CICTE Platform: the audit trail failed its integrity check")
            body = _(
                "The daily check of the audit trail found a broken link in its hash chain.\n\n"
                "First broken event: {event_id}\n"
                "Reason: {reason}\n"
                "Events intact before it: {checked}\n\n"
                "The event: {url}\n\n"
                "An event was changed or removed outside the platform. Keep a copy of the "
                "database as it is now, and run `python manage.py verify_audit` on the server to "
                "check again."
            ).format(event_id=broken.event_id, reason=broken.reason, checked=checked, url=url)
        send_email(subject, body, [email])
    return len(recipients)


@db_periodic_task(crontab(hour=3, minute=47))
def refresh_statistics() -> None:
    """Every night: the query planner's statistics (see :mod:`cicte.core.maintenance`)."""
    maintenance.refresh_statistics()


@db_periodic_task(crontab(hour=3, minute=17))
def verify_audit_trail() -> bool:
    """Every night: walk the audit trail's hash chain; when a link is broken, log it and tell the
    Secretariat administrators. Returns whether the chain is intact."""
    checked, broken = verify_chain()
    if broken is None:
        logger.info("Audit trail verified: %d events, OK", checked)
        return True
    logger.error(
        "Audit trail broken at event %d: %s (%d events intact before it)",
        broken.event_id,
        broken.reason,
        checked,
    )
    notify_broken_chain(checked=checked, broken=broken)
    return False


@db_task()
def deliver_webhook(delivery_id: int) -> None:
    """The first attempt at a webhook delivery, right after the event's transaction."""
    from cicte.core import webhooks

    webhooks.attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
def retry_webhooks() -> int:
    """Every minute: the webhook deliveries whose next attempt has come (retries with backoff)."""
    from cicte.core import webhooks

    ids = webhooks.due()
    for delivery_id in ids:
        webhooks.attempt(delivery_id)
    return len(ids)
