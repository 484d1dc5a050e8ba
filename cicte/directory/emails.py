"""Emails of the directory, each in its recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cicte.accounts.models import User
from cicte.directory.models import ContactDesignation


def confirmers() -> list[User]:
    """Active people who may confirm designations (the Secretariat)."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__permissions__codename="confirm_designations",
            role_assignments__network__isnull=True,
            role_assignments__organization__isnull=True,
        ).distinct()
    )


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
