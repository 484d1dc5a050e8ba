"""Emails of the directory, each in its recipient's language."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cicte.accounts import permissions
from cicte.accounts.models import User
from cicte.directory.models import CheckRecipient, ContactDesignation


def confirmers() -> list[User]:
    """Active people who may confirm designations (the Secretariat)."""
    return list(permissions.holders("directory.confirm_designations"))


def notify_pending_designation(designation_id: int) -> None:
    designation = ContactDesignation.objects.select_related(
        "contact", "network", "member_state"
    ).get(pk=designation_id)
    url = settings.BASE_URL + reverse("directory:designation_detail", kwargs={"pk": designation.pk})
    for user in confirmers():
        with translation.override(user.preferred_language):
            context = {"designation": designation, "url": url, "user": user}
            subject = render_to_string("directory/email/pending_subject.txt", context).strip()
            body = render_to_string("directory/email/pending.txt", context)
        send_mail(subject, body, None, [user.email])


# --- Keeping the directory true (see cicte.directory.checks) ----------------------------------


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    subject = render_to_string(f"directory/email/{name}_subject.txt", context).strip()
    body = render_to_string(f"directory/email/{name}.txt", context)
    return " ".join(subject.split()), body


def _send_one(subject: str, body: str, address: str) -> None:
    """One message to one address, so that a refusal by the relay names that address alone.
    Errors propagate: the caller flags a refused address, the job retries the rest."""
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[address],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.send(fail_silently=False)


def _contact_zone(time_zone: str) -> str:
    return time_zone if time_zone in zoneinfo.available_timezones() else "UTC"


def send_check_request(recipient: CheckRecipient, *, url: str, reminder: bool) -> None:
    """A communication check's request (or reminder), in the contact's language, with its times
    in the contact's time zone."""
    from cicte.directory.checks import contact_language

    designation = recipient.designation
    contact = designation.contact
    zone = _contact_zone(contact.time_zone)
    with translation.override(contact_language(contact)), timezone.override(zone):
        subject, body = _render(
            "check_request",
            {
                "check": recipient.check_run,
                "network": recipient.check_run.network.localized_name,
                "designation": designation,
                "contact": contact,
                "url": url,
                "reminder": reminder,
                "time_zone": zone,
            },
        )
    _send_one(subject, body, recipient.email)


def send_verification_request(designation: ContactDesignation, *, url: str, address: str) -> None:
    """The verification cycle's email to a designated contact: the details the directory holds
    (those anyone in the network may see) and the link that confirms them."""
    from cicte.directory import selectors
    from cicte.directory.checks import contact_language
    from cicte.directory.validation import display_phone

    contact = designation.contact
    zone = _contact_zone(contact.time_zone)
    with translation.override(contact_language(contact)), timezone.override(zone):
        subject, body = _render(
            "verification_request",
            {
                "designation": designation,
                "network": designation.network.localized_name,
                "contact": contact,
                "phones": [
                    {
                        "kind": phone.get_kind_display(),
                        "number": display_phone(phone.number),
                        "extension": phone.extension,
                    }
                    for phone in selectors.public_phones(contact, False)
                ],
                "emails": selectors.public_emails(contact, False),
                "url": url,
                "time_zone": zone,
            },
        )
    _send_one(subject, body, address)


def send_verification_summary(user: User, designations: list[ContactDesignation]) -> None:
    """A national coordinator's summary of their state's designations that fall due."""
    items = [
        {
            "designation": designation,
            "url": settings.BASE_URL
            + reverse("directory:designation_detail", kwargs={"pk": designation.pk}),
        }
        for designation in designations
    ]
    with translation.override(user.preferred_language):
        subject, body = _render(
            "verification_summary",
            {"user": user, "items": items, "count": len(items)},
        )
    _send_one(subject, body, user.email)
