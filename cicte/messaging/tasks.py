"""Background jobs of the secure exchange (huey): the emails of a delivery and of an
escalation step, and the escalation schedule (every minute)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cicte.messaging import emails, escalation
from cicte.messaging.models import Delivery, EscalationStep, Message

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def notify_delivery(delivery_id: int) -> int:
    """Email an addressed state's designated contacts (all but alternates and 24/7); the
    delivery is then *delivered* (``notified_at``)."""
    delivery = (
        Delivery.objects.select_related("message__network", "member_state")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.notified_at is not None:
        return 0
    recipients = emails.recipients_for(delivery, 0)
    for recipient in recipients:
        emails.send(delivery.message, recipient)
    if recipients:
        Delivery.objects.filter(pk=delivery.pk, notified_at__isnull=True).update(
            notified_at=timezone.now(), notified_to=len(recipients)
        )
    else:
        logger.warning("Delivery %s: no designated contact with an address", delivery.pk)
    return len(recipients)


@db_task(retries=3, retry_delay=60)
def notify_thread_author(message_id: int) -> bool:
    """Tell the author of a thread's root (and of the message answered) of a new response."""
    message = Message.objects.select_related("thread", "in_reply_to", "network").get(pk=message_id)
    people = {message.thread.created_by if message.thread else None}
    if message.in_reply_to is not None:
        people.add(message.in_reply_to.created_by)
    sent = False
    for user in people:
        if user is None or user.pk == message.created_by_id or not user.is_active:
            continue
        emails.send(
            message,
            emails.Recipient(
                name=user.get_full_name(),
                email=user.email,
                language=user.preferred_language,
                user_id=user.pk,
            ),
        )
        sent = True
    return sent


@db_task(retries=3, retry_delay=60)
def send_escalation(step_id: int) -> int:
    """Email the people an escalation step reaches."""
    step = EscalationStep.objects.select_related(
        "delivery__message__network", "delivery__member_state"
    ).get(pk=step_id)
    # The delay the step followed, as its reason says (the network's setting may change since).
    minutes = step.after_minutes or escalation.minutes_for(step.delivery.message.network_id)
    for item in step.recipients:
        emails.send(
            step.delivery.message,
            emails.Recipient(**item),
            level=step.level,
            state=step.delivery.member_state,
            minutes=minutes,
        )
    return len(step.recipients)


@db_periodic_task(crontab(minute="*"))
def escalate(now: dt.datetime | None = None) -> int:
    """Every minute: escalate the immediate messages not acknowledged in time."""
    steps = escalation.escalate(now)
    if steps:
        logger.info("Secure exchange: %d escalation steps", len(steps))
    return len(steps)
