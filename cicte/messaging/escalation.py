"""Escalation of immediate messages that an addressed state has not acknowledged in time.

``escalate(now)`` is run every minute by the worker (``tasks.escalate``) and takes the time as an
argument, so that tests drive it with a controlled clock. For each delivery of an immediate
message that is not acknowledged:

- ``EXCHANGE_ESCALATE_AFTER_MINUTES`` after the message was sent: level 1, the state's alternates
  and 24/7 (operational) contacts;
- as long again after level 1: level 2, the Secretariat's duty officers (holders of
  ``messaging.take_escalations``) and the ``EXCHANGE_DUTY_EMAIL`` mailbox.

Each step happens once (the delivery's row is locked and its level moved by one), is recorded as
an :class:`EscalationStep` (when, whom, why) and an audit event, adds the people it reaches to
the message's named people (so that TLP:RED reaches them, and they may read it), and sends its
emails after commit (the same content rules: no subject or text above TLP:GREEN).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cicte.core import audit
from cicte.messaging import emails
from cicte.messaging.choices import EscalationLevel, Urgency
from cicte.messaging.models import Delivery, EscalationStep

REASONS = {
    EscalationLevel.ALTERNATES: "not acknowledged {minutes} minutes after it was sent",
    EscalationLevel.DUTY_OFFICER: (
        "still not acknowledged {minutes} minutes after the alternates and 24/7 contacts"
    ),
}


def period() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.EXCHANGE_ESCALATE_AFTER_MINUTES))


def _due(now: dt.datetime) -> list[int]:
    base = Delivery.objects.filter(
        message__urgency=Urgency.IMMEDIATE,
        acknowledged_at__isnull=True,
        message__closed_at__isnull=True,
    )
    first = base.filter(escalation_level=EscalationLevel.NONE, message__sent_at__lte=now - period())
    second = base.filter(
        escalation_level=EscalationLevel.ALTERNATES,
        escalated_alternates_at__lte=now - period(),
    )
    return sorted(
        set(first.values_list("pk", flat=True)) | set(second.values_list("pk", flat=True))
    )


@transaction.atomic
def _step(delivery_id: int, now: dt.datetime) -> EscalationStep | None:
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("message__network", "member_state")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.acknowledged_at is not None:
        return None
    if delivery.escalation_level == EscalationLevel.NONE:
        if delivery.message.sent_at > now - period():
            return None
        level = EscalationLevel.ALTERNATES
        delivery.escalated_alternates_at = now
    elif delivery.escalation_level == EscalationLevel.ALTERNATES:
        assert delivery.escalated_alternates_at is not None
        if delivery.escalated_alternates_at > now - period():
            return None
        level = EscalationLevel.DUTY_OFFICER
        delivery.escalated_duty_at = now
    else:
        return None
    delivery.escalation_level = level
    delivery.save(
        update_fields=["escalation_level", "escalated_alternates_at", "escalated_duty_at"]
    )
    recipients = emails.recipients_for(delivery, level)
    step = EscalationStep.objects.create(
        delivery=delivery,
        level=level,
        at=now,
        recipients=[r.as_dict() for r in recipients],
        reason=REASONS[level].format(minutes=settings.EXCHANGE_ESCALATE_AFTER_MINUTES),
    )
    message = delivery.message
    people = {r.user_id for r in recipients if r.user_id}
    if people:
        message.audience_users.add(*sorted(people))
    audit.record(
        actor=None,
        actor_label="escalation",
        action="messaging.message.escalate",
        obj=message,
        changes={"fields": ["escalation_level"]},
        subject_member_state_id=delivery.member_state_id,
    )

    from cicte.messaging import tasks

    step_id = step.pk
    transaction.on_commit(lambda: tasks.send_escalation(step_id))
    return step


def escalate(now: dt.datetime | None = None) -> list[EscalationStep]:
    """Take every escalation step due at ``now`` (default: the current time)."""
    now = now or timezone.now()
    steps = []
    for delivery_id in _due(now):
        step = _step(delivery_id, now)
        if step is not None:
            steps.append(step)
    return steps
