"""Authentication events go to the audit trail. These are Django's and django-axes' own signals,
the only place where such events surface; no business logic lives here.

This module also defines the accounts app's own signal, :data:`email_verified`, for the modules
that trust only verified addresses (the work plan links certificate holders on it)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from cicte.core import audit

# Sent by :func:`cicte.accounts.services.verify_email` once an account's address is verified,
# inside its transaction (a receiver's writes commit or roll back with the verification), with
# ``user`` (the account) and ``actor``. Receivers call their own app's services.
email_verified = Signal()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", obj=user)


def _target(username: str | None) -> Any:
    """The account a sign-in attempt was aimed at, so that its holder sees the attempt."""
    from cicte.accounts.models import User

    return User.objects.filter(username__iexact=username).first() if username else None


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    audit.record(
        actor=None,
        action="auth.login_failed",
        obj=_target(username),
        actor_label=username,
        changes={"username": username},
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any,
    request: Any,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    audit.record(
        actor=None,
        action="auth.lockout",
        obj=_target(username),
        actor_label=str(username or "")[:150],
        changes={"username": username, "ip_address": ip_address},
    )
