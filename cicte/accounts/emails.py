"""Emails of the accounts app, rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cicte.accounts.models import User


def password_set_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.BASE_URL + reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def send_invitation(user_id: int) -> None:
    user = User.objects.select_related("organization").get(pk=user_id)
    if not user.is_active:
        return
    with translation.override(user.preferred_language):
        context = {"user": user, "url": password_set_url(user), "base_url": settings.BASE_URL}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


def send_email_verification(user_id: int, email: str) -> None:
    """Queue the mail with the link that verifies ``email`` as the address of account
    ``user_id``, in the holder's language (through the ``send_email`` task). Nothing when the
    account is inactive or its address has changed again since."""
    from cicte.accounts import tasks, verification

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email != email:
        return
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "email": email,
            "url": verification.verification_url(user.pk, email),
            "hours": verification.max_age_seconds() // 3600,
            "base_url": settings.BASE_URL,
        }
        subject = render_to_string("accounts/email/verify_email_subject.txt", context).strip()
        body = render_to_string("accounts/email/verify_email.txt", context)
    tasks.send_email(subject, body, [email])
