"""Telling subscribers: who hears of an advisory event, by email (at once or in a daily digest)
and by webhook (the core mechanism).

Only subscribers who may see the advisory (``Advisory.objects.visible_to``) hear of it. What
leaves the platform depends on the label: the title and summary of TLP:CLEAR and TLP:GREEN
advisories; for TLP:AMBER, AMBER+STRICT and RED only the reference, severity, label and link
(the reader signs in to read it). The emails are written in each subscriber's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cicte.accounts.tasks import send_email
from cicte.advisories.models import Advisory, DigestEntry, EmailMode, Subscription
from cicte.core import webhooks
from cicte.core.choices import TLP

EVENTS = {
    "published": "advisory.published",
    "updated": "advisory.updated",
    "withdrawn": "advisory.withdrawn",
}
OPEN_LABELS = {TLP.CLEAR, TLP.GREEN}


def link(advisory: Advisory) -> str:
    return settings.BASE_URL + reverse("advisories:detail", args=[advisory.pk])


def payload(advisory: Advisory) -> dict[str, Any]:
    """What a webhook carries: content only for CLEAR and GREEN."""
    data: dict[str, Any] = {
        "reference": advisory.reference,
        "severity": advisory.severity,
        "tlp": advisory.tlp,
        "network": advisory.network.slug,
        "version": advisory.version,
        "status": advisory.status,
        "url": link(advisory),
        "stix_report_id": advisory.stix_id or None,
    }
    if advisory.tlp in OPEN_LABELS:
        data.update(
            title=advisory.title,
            summary=advisory.summary,
            recommendations=advisory.recommendations,
            affected=advisory.affected,
            references=advisory.references,
        )
    return data


def recipients(advisory: Advisory) -> list[Subscription]:
    """Active subscriptions that ask for ``advisory`` and whose owner may see it."""
    chosen = []
    for subscription in (
        Subscription.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "webhook")
        .prefetch_related("networks")
    ):
        if not subscription.matches(advisory):
            continue
        if Advisory.objects.visible_to(subscription.user).filter(pk=advisory.pk).exists():
            chosen.append(subscription)
    return chosen


def _email(subscription: Subscription, advisory: Advisory, what: str) -> tuple[str, str]:
    user = subscription.user
    with translation.override(user.preferred_language or "en"):
        text = advisory.in_language()
        label = advisory.get_tlp_display()
        subject = _("[{label}] {severity} advisory {reference}").format(
            label=label, severity=advisory.get_severity_display(), reference=advisory.reference
        )
        lines = [
            {
                "published": _("A new advisory was published."),
                "updated": _("An advisory was updated."),
                "withdrawn": _("An advisory was withdrawn."),
            }[what],
            "",
        ]
        if advisory.tlp in OPEN_LABELS:
            lines += [text["title"], "", text["summary"], ""]
        else:
            lines += [_("Its content is {label}: sign in to read it.").format(label=label), ""]
        lines += [link(advisory)]
    return subject, "\n".join(lines)


def announce(advisory: Advisory, what: str) -> None:
    """Queue the emails, digest entries and webhooks of one event (inside the service's
    transaction: they commit with it)."""
    subscriptions = recipients(advisory)
    event = EVENTS[what]
    endpoints = [s.webhook for s in subscriptions if s.webhook is not None]
    if endpoints:
        webhooks.emit(event=event, data=payload(advisory), endpoints=endpoints)
    for subscription in subscriptions:
        if subscription.email == EmailMode.DIGEST:
            DigestEntry.objects.create(subscription=subscription, advisory=advisory, event=what)
        elif subscription.email == EmailMode.IMMEDIATE and subscription.user.email:
            subject, body = _email(subscription, advisory, what)
            address = subscription.user.email
            transaction.on_commit(
                lambda s=subject, b=body, a=address: send_email(s, b, [a])  # type: ignore[misc]
            )


def send_digests() -> int:
    """One email per subscriber with their waiting entries (the daily job)."""
    sent = 0
    entries = list(
        DigestEntry.objects.select_related("subscription__user", "advisory__network").order_by(
            "subscription_id", "created_at"
        )
    )
    by_subscription: dict[int, list[DigestEntry]] = {}
    for entry in entries:
        by_subscription.setdefault(entry.subscription_id, []).append(entry)
    for items in by_subscription.values():
        user = items[0].subscription.user
        visible = set(
            Advisory.objects.visible_to(user)
            .filter(pk__in=[item.advisory_id for item in items])
            .values_list("pk", flat=True)
        )
        items_shown = [item for item in items if item.advisory_id in visible]
        if items_shown and user.email and user.is_active:
            with translation.override(user.preferred_language or "en"):
                subject = _("Advisories of the day: {count}").format(count=len(items_shown))
                lines = []
                for item in items_shown:
                    advisory = item.advisory
                    title = (
                        advisory.in_language()["title"]
                        if advisory.tlp in OPEN_LABELS
                        else _("(sign in to read it)")
                    )
                    lines.append(
                        f"[{advisory.get_tlp_display()}] {advisory.reference} · "
                        f"{advisory.get_severity_display()} · {title}\n{link(advisory)}\n"
                    )
            send_email(subject, "\n".join(lines), [user.email])
            sent += 1
        DigestEntry.objects.filter(pk__in=[item.pk for item in items]).delete()
    return sent
