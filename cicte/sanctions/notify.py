"""Telling reporting entities of every list change, without delay.

:func:`announce` is called once per new :class:`~cicte.sanctions.models.ListVersion`, at the end
of :func:`cicte.sanctions.services.import_list` (the one path that makes versions: the import
command, the scheduled fetch, a published domestic designation, the demo). Inside the import's
transaction it writes one :class:`~cicte.sanctions.models.Notification` per subscription that
follows the list, queues the signed webhook deliveries (:func:`cicte.core.webhooks.emit`, sent by
the worker after the commit) and, after the commit, one email task per subscription
(:func:`cicte.sanctions.tasks.send_list_change_email`, retried by huey; each attempt recorded).

Sanctions lists are public information: the notifications carry the diff itself (the changed
entries, capped: the email lists ``SANCTIONS_NOTIFY_EMAIL_CHANGES`` of them with a link to the
version's page, the webhook ``SANCTIONS_NOTIFY_WEBHOOK_CHANGES`` with ``truncated`` and the API
address of the full diff). The delay from the change (the version's ``imported_at``) to the
email's sending and to the webhook's delivery is kept on each notification and shown.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cicte.core import webhooks
from cicte.sanctions.models import (
    EntityChange,
    ListSubscription,
    ListVersion,
    Notification,
    SanctionsList,
)

EVENT = "sanctions.list.changed"
VALUE_CHARS = 200  # one property's values in an email, before "…"


def version_url(version: ListVersion) -> str:
    return settings.BASE_URL + reverse(
        "sanctions:version_detail", args=[version.sanctions_list.key, version.number]
    )


def version_api_url(version: ListVersion) -> str:
    return settings.BASE_URL + reverse(
        "sanctions-version-detail", args=[version.sanctions_list.key, version.number]
    )


def list_data(sanctions_list: SanctionsList) -> dict[str, Any]:
    return {
        "key": sanctions_list.key,
        "title": sanctions_list.title,
        "kind": sanctions_list.kind,
        "member_state": sanctions_list.member_state.code if sanctions_list.member_state else None,
    }


def change_data(change: EntityChange) -> dict[str, Any]:
    """One changed entry as the webhook and the API give it."""
    entity = change.entity
    return {
        "kind": change.kind,
        "source_id": entity.source_id,
        "ftm_id": entity.ftm_id,
        "caption": entity.caption,
        "schema": entity.schema,
        "diff": change.diff,
    }


def _changes(version: ListVersion, cap: int) -> list[EntityChange]:
    return list(
        EntityChange.objects.filter(version=version)
        .select_related("entity")
        .order_by("kind", "entity__caption", "pk")[:cap]
    )


def _total(version: ListVersion) -> int:
    return version.added_count + version.amended_count + version.removed_count


def payload(version: ListVersion) -> dict[str, Any]:
    """The ``data`` of a ``sanctions.list.changed`` webhook event."""
    cap = max(0, int(settings.SANCTIONS_NOTIFY_WEBHOOK_CHANGES))
    changes = _changes(version, cap)
    return {
        "list": list_data(version.sanctions_list),
        "version": version.number,
        "imported_at": version.imported_at.isoformat(),  # microseconds kept: delays are short
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "counts": {
            "entities": version.entity_count,
            "added": version.added_count,
            "amended": version.amended_count,
            "removed": version.removed_count,
        },
        "changes": [change_data(change) for change in changes],
        "truncated": _total(version) > len(changes),
        "url": version_url(version),
        "api_url": version_api_url(version),
    }


def webhook_of(subscription: ListSubscription) -> Any:
    """The subscription's endpoint, if it may still be used: its owner is an active person of
    the subscribing organisation (someone who left takes nothing of the bank's with them)."""
    endpoint = subscription.webhook
    if endpoint is None:
        return None
    owner = endpoint.owner
    if not owner.is_active or owner.organization_id != subscription.organization_id:
        return None
    return endpoint


def announce(version: ListVersion) -> list[Notification]:
    """Queue the notifications of a new version (inside the import's transaction)."""
    subscriptions = list(
        ListSubscription.objects.following(version.sanctions_list).select_related("webhook__owner")
    )
    if not subscriptions:
        return []
    endpoints = {}
    for subscription in subscriptions:
        endpoint = webhook_of(subscription)
        if endpoint is not None:
            endpoints[endpoint.pk] = endpoint
    deliveries = {}
    if endpoints:
        # One event, one delivery per endpoint (two subscriptions may share one endpoint).
        for delivery in webhooks.emit(
            event=EVENT,
            data=payload(version),
            endpoints=endpoints.values(),
            occurred_at=version.imported_at,
        ):
            deliveries[delivery.endpoint_id] = delivery
    notifications = []
    for subscription in subscriptions:
        endpoint = webhook_of(subscription)
        notifications.append(
            Notification.objects.create(
                version=version,
                subscription=subscription,
                organization_id=subscription.organization_id,
                changed_at=version.imported_at,
                email_to=list(subscription.emails),
                webhook_delivery=deliveries.get(endpoint.pk) if endpoint is not None else None,
            )
        )
    ids = [n.pk for n in notifications if n.email_to]
    if ids:
        from cicte.sanctions import tasks

        transaction.on_commit(lambda: [tasks.send_list_change_email(pk) for pk in ids])
    return notifications


# --- The email -----------------------------------------------------------------------------------


def _values(values: Iterable[str]) -> str:
    text = "; ".join(values)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def compose_email(version: ListVersion, language: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the email telling of ``version``, in ``language``."""
    cap = max(0, int(settings.SANCTIONS_NOTIFY_EMAIL_CHANGES))
    changes = _changes(version, cap)
    rows = [
        {
            "change": change,
            "properties": [
                {"name": name, "before": _values(values[0]), "after": _values(values[1])}
                for name, values in (change.diff or {}).items()
            ]
            if change.kind == "amended"
            else [],
        }
        for change in changes
    ]
    sanctions_list = version.sanctions_list
    with translation.override(language or "en"):
        subject = _(
            "{title}, version {number}: {added} added, {amended} amended, {removed} removed"
        ).format(
            title=sanctions_list.title,
            number=version.number,
            added=version.added_count,
            amended=version.amended_count,
            removed=version.removed_count,
        )
        context = {
            "version": version,
            "sanctions_list": sanctions_list,
            "rows": rows,
            "shown": len(rows),
            "total": _total(version),
            "more": _total(version) - len(rows),
            "url": version_url(version),
            "api_url": version_api_url(version),
        }
        text = render_to_string("sanctions/email/list_changed.txt", context)
        html = render_to_string("sanctions/email/list_changed.html", context)
    return subject, text, html


def send_change_email(notification_id: int) -> bool:
    """Send one notification's email (one message to the subscription's addresses) and record
    when it left; a failure is recorded and raised again, for huey to retry."""
    from cicte.accounts.tasks import send_email

    notification = (
        Notification.objects.select_related("version__sanctions_list__member_state", "subscription")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.email_sent_at is not None or not notification.email_to:
        return False
    language = notification.subscription.language if notification.subscription else "en"
    subject, text, html = compose_email(notification.version, language)
    try:
        send_email.call_local(subject, text, list(notification.email_to), html)
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(
            email_attempts=F("email_attempts") + 1,
            email_error=(exc.__class__.__name__ + (f": {exc}" if str(exc) else ""))[:500],
        )
        raise
    Notification.objects.filter(pk=notification.pk).update(
        email_sent_at=timezone.now(), email_attempts=F("email_attempts") + 1, email_error=""
    )
    return True


# --- Delays --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelayStats:
    """Delays of one channel over a set of notifications, in seconds."""

    count: int
    waiting: int
    median: float | None
    worst: float | None


def _stats(delays: list[dt.timedelta | None]) -> DelayStats:
    seconds = [d.total_seconds() for d in delays if d is not None]
    return DelayStats(
        count=len(seconds),
        waiting=len(delays) - len(seconds),
        median=statistics.median(seconds) if seconds else None,
        worst=max(seconds) if seconds else None,
    )


def delay_stats(notifications: Iterable[Notification]) -> dict[str, DelayStats]:
    """Median and worst delay from change to email sent and to webhook delivered."""
    rows = list(notifications)
    return {
        "email": _stats([n.email_delay for n in rows if n.email_to]),
        "webhook": _stats([n.webhook_delay for n in rows if n.webhook_delivery_id]),
    }


def recent_stats(
    user: Any, *, days: int = 30, now: dt.datetime | None = None
) -> dict[int | None, dict[str, DelayStats]]:
    """Per list (and ``None``: all lists), the delays of the notifications ``user`` may see over
    the last ``days`` days."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    rows = list(
        Notification.objects.visible_to(user)
        .filter(changed_at__gte=since)
        .select_related("version", "webhook_delivery")
        .only(
            "changed_at",
            "email_to",
            "email_sent_at",
            "webhook_delivery",
            "version__sanctions_list",
            "webhook_delivery__delivered_at",
            "webhook_delivery__attempt_log",
        )
    )
    by_list: dict[int, list[Notification]] = {}
    for row in rows:
        by_list.setdefault(row.version.sanctions_list_id, []).append(row)
    stats: dict[int | None, dict[str, DelayStats]] = {
        key: delay_stats(items) for key, items in by_list.items()
    }
    stats[None] = delay_stats(rows)
    return stats


def format_delay(value: dt.timedelta | float | None) -> str:
    """A delay for people: "0.4 s", "3 min 5 s", "2 h 10 min"."""
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    seconds = max(0.0, seconds)
    if seconds < 60:
        return _("{seconds} s").format(seconds=f"{seconds:.1f}")
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
