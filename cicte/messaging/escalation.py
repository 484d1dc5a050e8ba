"""Escalation of immediate messages that an addressed state has not acknowledged in time.

``escalate(now)`` is run every minute by the worker (``tasks.escalate``) and takes the time as an
argument, so that tests drive it with a controlled clock. For each delivery of an immediate
message that is not acknowledged:

- N minutes after the message was sent: level 1, the state's alternates and 24/7 (operational)
  contacts;
- N minutes after level 1: level 2, the Secretariat's duty officers (holders of
  ``messaging.take_escalations``) and the ``EXCHANGE_DUTY_EMAIL`` mailbox;

where N is the delay of the message's network (its directory policy's
``exchange_escalate_after_minutes``), or, where the network sets none,
``EXCHANGE_ESCALATE_AFTER_MINUTES``. The delay is read when each step falls due, so a change
applies to every step not yet taken; each step records the minutes it used in its reason.

Each step happens once (the delivery's row is locked and its level moved by one), is recorded as
an :class:`EscalationStep` (when, whom, why) and an audit event, adds the people it reaches to
the message's named people (so that TLP:RED reaches them, and they may read it), and sends its
emails after commit (the same content rules: no subject or text above TLP:GREEN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cicte.core import audit
from cicte.directory.models import DirectoryPolicy
from cicte.messaging import emails
from cicte.messaging.choices import EscalationLevel, Urgency
from cicte.messaging.models import Delivery, EscalationStep, Message

REASONS = {
    EscalationLevel.ALTERNATES: "not acknowledged {minutes} minutes after it was sent",
    EscalationLevel.DUTY_OFFICER: (
        "still not acknowledged {minutes} minutes after the alternates and 24/7 contacts"
    ),
}


def default_minutes() -> int:
    """The platform's delay, for the networks that set none of their own."""
    return int(settings.EXCHANGE_ESCALATE_AFTER_MINUTES)


def minutes_by_network(network_ids: Iterable[int]) -> dict[int, int]:
    """Each network's delay in minutes (its own, or the platform default), in one query."""
    ids = sorted(set(network_ids))
    found = {network_id: default_minutes() for network_id in ids}
    if ids:
        for network_id, minutes in DirectoryPolicy.objects.filter(
            network_id__in=ids, exchange_escalate_after_minutes__isnull=False
        ).values_list("network_id", "exchange_escalate_after_minutes"):
            if minutes is not None:
                found[network_id] = minutes
    return found


def minutes_for(network_id: int) -> int:
    """The delay of one network, in minutes."""
    return minutes_by_network([network_id])[network_id]


def _delay(network_ref: str = "message__network_id") -> Coalesce:
    """The delay in minutes of the network ``network_ref`` points to, as an SQL expression, for
    finding the due deliveries and for the locked row of a step: a scalar subquery rather than
    a join, so that it adds no outer join to ``SELECT ... FOR UPDATE`` (which PostgreSQL refuses
    on the nullable side of one)."""
    own = DirectoryPolicy.objects.filter(network_id=OuterRef(network_ref)).values(
        "exchange_escalate_after_minutes"
    )[:1]
    return Coalesce(
        Subquery(own, output_field=models.IntegerField()),
        Value(default_minutes()),
        output_field=models.IntegerField(),
    )


def next_step_at(message: Message, delivery: Delivery, minutes: int) -> dt.datetime | None:
    """When ``delivery`` of ``message`` escalates next if nobody acknowledges it (None: it will
    not: not immediate, acknowledged, closed, or at the last level already). ``minutes`` is the
    delay of the message's network. The worker takes the step at its first run from then on."""
    if (
        message.urgency != Urgency.IMMEDIATE
        or delivery.acknowledged_at is not None
        or message.closed_at is not None
    ):
        return None
    after = dt.timedelta(minutes=minutes)
    if delivery.escalation_level == EscalationLevel.NONE:
        return message.sent_at + after
    if delivery.escalation_level == EscalationLevel.ALTERNATES and delivery.escalated_alternates_at:
        return delivery.escalated_alternates_at + after
    return None


def _due(now: dt.datetime) -> list[int]:
    """The deliveries with a step due at ``now``, in one query: each compared with its own
    network's delay. The delays in use are few (the networks that set one, and the default), so
    the comparison is a short OR of (delay = N and sent before now - N), which keeps the
    conditions on plain columns on SQLite and PostgreSQL alike."""
    delays = {default_minutes()} | {
        minutes
        for minutes in DirectoryPolicy.objects.filter(exchange_escalate_after_minutes__isnull=False)
        .values_list("exchange_escalate_after_minutes", flat=True)
        .distinct()
        if minutes is not None
    }
    first, second = Q(), Q()
    for minutes in sorted(delays):
        cutoff = now - dt.timedelta(minutes=minutes)
        first |= Q(delay=minutes, message__sent_at__lte=cutoff)
        second |= Q(delay=minutes, escalated_alternates_at__lte=cutoff)
    due = (
        Delivery.objects.filter(
            message__urgency=Urgency.IMMEDIATE,
            acknowledged_at__isnull=True,
            message__closed_at__isnull=True,
            escalation_level__in=[EscalationLevel.NONE, EscalationLevel.ALTERNATES],
        )
        .annotate(delay=_delay())
        .filter(
            (Q(escalation_level=EscalationLevel.NONE) & first)
            | (Q(escalation_level=EscalationLevel.ALTERNATES) & second)
        )
    )
    return sorted(due.values_list("pk", flat=True))


@transaction.atomic
def _step(delivery_id: int, now: dt.datetime) -> EscalationStep | None:
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("message__network", "member_state")
        .annotate(delay=_delay())
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.acknowledged_at is not None:
        return None
    # The delay as it is now, read with the locked row (a change since _due counts).
    minutes = int(delivery.delay)
    after = dt.timedelta(minutes=minutes)
    if delivery.escalation_level == EscalationLevel.NONE:
        if delivery.message.sent_at > now - after:
            return None
        level = EscalationLevel.ALTERNATES
        delivery.escalated_alternates_at = now
    elif delivery.escalation_level == EscalationLevel.ALTERNATES:
        assert delivery.escalated_alternates_at is not None
        if delivery.escalated_alternates_at > now - after:
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
        reason=REASONS[level].format(minutes=minutes),
        after_minutes=minutes,
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
