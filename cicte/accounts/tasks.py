"""Background jobs of the accounts app (huey)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from cicte.accounts import emails


@db_task(retries=3, retry_delay=60)
def send_invitation(user_id: int) -> None:
    """Email a new account holder a link to choose their password."""
    emails.send_invitation(user_id)


@db_task(retries=3, retry_delay=60)
def send_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one email through Django's configured backend."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
