"""The emails of the secure exchange, each in its recipient's language.

An email carries a link, the reference, the TLP label, the urgency, the kind and the sender;
the subject and the message (and the names of attachments) only for TLP:CLEAR and TLP:GREEN.
Above GREEN, the content is read on the platform, never in a mailbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cicte.accounts import permissions
from cicte.accounts.models import User
from cicte.messaging.choices import DUTY_PERM, ESCALATION_ROLES, EscalationLevel
from cicte.messaging.models import Delivery, Message


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    language: str
    user_id: int | None = None
    role: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _contact_recipients(delivery: Delivery, *, escalation: bool) -> list[Recipient]:
    from cicte.directory.checks import best_address, contact_language
    from cicte.directory.models import ContactDesignation

    designations = (
        ContactDesignation.objects.current()
        .in_force_on(timezone.now().date())
        .filter(
            network_id=delivery.message.network_id,
            member_state_id=delivery.member_state_id,
            contact__is_active=True,
        )
        .select_related("contact__user")
        .prefetch_related("contact__emails", "contact__languages")
        .order_by("role", "contact__name")
    )
    result = []
    for designation in designations:
        if (designation.role in ESCALATION_ROLES) != escalation:
            continue
        contact = designation.contact
        address = best_address(contact)
        account = contact.user if contact.user is not None and contact.user.is_active else None
        email = address.address if address else ""
        if not email and account is not None:
            email = account.email
        if not email:
            continue
        result.append(
            Recipient(
                name=contact.name,
                email=email,
                language=contact_language(contact),
                user_id=account.pk if account is not None else None,
                role=designation.role,
            )
        )
    return _unique(result)


def duty_officers() -> list[User]:
    """Active holders of ``messaging.take_escalations`` (platform-wide: the Secretariat's duty
    officers)."""
    return list(permissions.holders(DUTY_PERM).order_by("username"))


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen, result = set(), []
    for recipient in recipients:
        key = recipient.email.lower()
        if key not in seen:
            seen.add(key)
            result.append(recipient)
    return result


def recipients_for(delivery: Delivery, level: int) -> list[Recipient]:
    """Whom a delivery reaches at ``level``: the designated contacts (all but alternates and
    24/7), then the alternates and 24/7 contacts, then the duty officers and the duty mailbox."""
    if level == EscalationLevel.NONE:
        return _contact_recipients(delivery, escalation=False)
    if level == EscalationLevel.ALTERNATES:
        return _contact_recipients(delivery, escalation=True)
    people = [
        Recipient(
            name=user.get_full_name(),
            email=user.email,
            language=user.preferred_language,
            user_id=user.pk,
            role="duty_officer",
        )
        for user in duty_officers()
    ]
    if settings.EXCHANGE_DUTY_EMAIL:
        people.append(
            Recipient(
                name="Duty officer",
                email=settings.EXCHANGE_DUTY_EMAIL,
                language=settings.LANGUAGE_CODE,
                role="duty_mailbox",
            )
        )
    return _unique(people)


def message_url(message: Message) -> str:
    return settings.BASE_URL + reverse("messaging:detail", kwargs={"pk": message.root_id})


def render(
    message: Message,
    recipient: Recipient,
    *,
    level: int = 0,
    state: Any = None,
    minutes: int | None = None,
) -> tuple[str, str]:
    """The subject line and the text of the email to ``recipient`` (``minutes``: for an
    escalation, the delay of the message's network that it followed)."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "message": message,
            "recipient": recipient,
            "url": message_url(message),
            "network": message.network.localized_name,
            "sender": message.sender_label(),
            "content": message.content_in_email,
            "attachments": list(message.attachments.values_list("name", flat=True))
            if message.content_in_email
            else [],
            "level": level,
            "state": str(state) if state is not None else "",
            "minutes": minutes if minutes is not None else settings.EXCHANGE_ESCALATE_AFTER_MINUTES,
        }
        subject = render_to_string("messaging/email/message_subject.txt", context)
        body = render_to_string("messaging/email/message.txt", context)
    return " ".join(subject.split()), body


def send(
    message: Message,
    recipient: Recipient,
    *,
    level: int = 0,
    state: Any = None,
    minutes: int | None = None,
) -> None:
    subject, body = render(message, recipient, level=level, state=state, minutes=minutes)
    EmailMessage(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    ).send(fail_silently=False)
