"""Keeping the directory true: the verification cycle, communication checks ("pings") and failed
deliveries.

Every write here is a service: keyword-only, ``actor`` first where there is one (a contact
answering a link or a mail server reporting a bounce has no account; the scheduled jobs act as
the system), atomic, audited. Emails are sent by background jobs (:mod:`cicte.directory.tasks`)
enqueued after commit.

Links in emails
    A communication check's email carries ``/directory/checks/respond/<token>/``. The token is
    signed with SECRET_KEY (django.core.signing, salted) and carries the recipient's id and a
    random nonce of which only the SHA-256 digest is stored. A nonce is drawn each time an email
    is sent, by the job that sends it, so that no link travels through the job queue and a
    reminder's link replaces the previous one; until the first email is sent, the digest stored
    at launch belongs to a nonce that nobody holds. The verification cycle's email carries
    ``/directory/checks/verify/<token>/``, signed the same way (another salt) and bound to the
    reminder it belongs to (the designation's ``reminder_sent_at``), so that confirming once
    spends it. A GET of either link only shows a page with one button, since mail scanners follow
    links; the POST confirms. The pages reveal the network's name and the contact's own name,
    nothing else.

Failed deliveries
    A rejection at send time (the relay refuses the recipient) and a bounce reported to the
    bounce endpoint (HMAC-SHA256 over ``timestamp.body``, the platform's webhook signature) flag
    every :class:`ContactEmail` with that address, and the check recipients waiting on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import smtplib
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import Network, User
from cicte.core import audit
from cicte.directory import selectors
from cicte.directory.choices import CheckStatus, ContactKind, DesignationStatus, EmailKind
from cicte.directory.models import (
    CheckRecipient,
    CommunicationCheck,
    Contact,
    ContactDesignation,
    ContactEmail,
    DirectoryPolicy,
)

logger = logging.getLogger(__name__)

LAUNCH_CHECKS = "directory.launch_checks"
DEFAULT_DEADLINE_HOURS = 72
MAX_DEADLINE_HOURS = 14 * 24
MAX_MESSAGE_LENGTH = 2000
# Automatic reminders to non-responders: the first after a day (or half the time allowed, when
# that is shorter), the second half-way through what then remains; never more than two.
MAX_AUTOMATIC_REMINDERS = 2
FIRST_REMINDER_AFTER = dt.timedelta(hours=24)
# A second press of "send reminders now" within this time does not email the same people again.
MIN_REMINDER_INTERVAL = dt.timedelta(hours=1)
# A verification link works until the designation is verified or a newer reminder is sent, and
# never longer than this.
VERIFY_LINK_MAX_AGE = dt.timedelta(days=90)
# The bounce endpoint refuses reports signed longer ago (or further ahead) than this.
BOUNCE_MAX_AGE_SECONDS = 300
RESPONSE_SALT = "cicte.directory.checks.respond"
VERIFY_SALT = "cicte.directory.checks.verify"
SYSTEM = "system"
OFFICIAL_LANGUAGES = ("en", "es", "fr", "pt")
DELIVERABLE_KINDS = (EmailKind.INSTITUTIONAL, EmailKind.FUNCTIONAL)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- Who may do what -------------------------------------------------------------------------


def may_launch_checks(actor: Any) -> bool:
    """The Secretariat launches checks, sends reminders and closes them."""
    return permissions.has_global_perm(actor, LAUNCH_CHECKS)


def may_see_checks(actor: Any) -> bool:
    """Whether ``actor`` sees any communication check at all: the Secretariat, and the national
    coordinators (for the networks they coordinate; see ``CommunicationCheck.visible_to``)."""
    return (
        permissions.has_global_perm(actor, "directory.view_all_directories")
        or may_launch_checks(actor)
        or bool(permissions.networks_with_perm(actor, "directory.manage_designations"))
    )


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("You do not have permission to do this."))


# --- Addresses and languages -------------------------------------------------------------------


def deliverable_addresses(contact: Contact) -> list[ContactEmail]:
    """The contact's institutional and functional addresses whose delivery has not failed, best
    first: a functional contact's functional mailbox, a person's institutional address. Personal
    addresses are never used for the directory's own emails."""
    preferred = (
        EmailKind.FUNCTIONAL if contact.kind == ContactKind.FUNCTIONAL else EmailKind.INSTITUTIONAL
    )
    emails = [
        email
        for email in contact.emails.all()
        if email.kind in DELIVERABLE_KINDS and email.bounced_at is None
    ]
    return sorted(emails, key=lambda email: (email.kind != preferred, email.address))


def best_address(contact: Contact) -> ContactEmail | None:
    addresses = deliverable_addresses(contact)
    return addresses[0] if addresses else None


def contact_language(contact: Contact) -> str:
    """The language to write to a contact in: their account's, when they have one; otherwise
    the first of their working languages among the OAS's four; otherwise English."""
    user = contact.user
    if user is not None and user.is_active:
        return user.preferred_language
    codes = {language.code for language in contact.languages.all()}
    return next((code for code in OFFICIAL_LANGUAGES if code in codes), settings.LANGUAGE_CODE)


# --- Links -------------------------------------------------------------------------------------


class LinkStatus(StrEnum):
    """What a link in a directory email is worth when it is opened."""

    VALID = "valid"
    CONFIRMED = "confirmed"  # this very request confirmed it
    FORGED = "forged"  # bad signature: not a link the platform made
    EXPIRED = "expired"  # past the deadline, the check closed, the designation ended
    REPLACED = "replaced"  # a newer email carries a newer link
    ANSWERED = "answered"  # already used

    @property
    def http_status(self) -> int:
        return {
            LinkStatus.VALID: 200,
            LinkStatus.CONFIRMED: 200,
            LinkStatus.FORGED: 404,
            LinkStatus.EXPIRED: 410,
            LinkStatus.REPLACED: 410,
            LinkStatus.ANSWERED: 409,
        }[self]


@dataclass(frozen=True)
class CheckLink:
    status: LinkStatus
    recipient: CheckRecipient | None = None


@dataclass(frozen=True)
class VerificationLink:
    status: LinkStatus
    designation: ContactDesignation | None = None


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _micros(value: dt.datetime) -> int:
    """A timestamp as whole microseconds, exact on every database."""
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def response_token(recipient_id: int, nonce: str) -> str:
    return signing.dumps({"r": recipient_id, "n": nonce}, salt=RESPONSE_SALT)


def issue_response_link(recipient: CheckRecipient) -> str:
    """A fresh link for ``recipient``: a new nonce whose digest replaces the stored one, so the
    previous link stops working. Returns the absolute address to put in the email."""
    nonce = secrets.token_urlsafe(32)
    recipient.nonce_digest = _digest(nonce)
    recipient.save(update_fields=["nonce_digest"])
    path = reverse("directory:check_respond", kwargs={"token": response_token(recipient.pk, nonce)})
    return settings.BASE_URL + path


def resolve_response_link(token: str, *, lock: bool = False) -> CheckLink:
    """Read a check's link without changing anything."""
    try:
        data = signing.loads(token, salt=RESPONSE_SALT)
        recipient_id, nonce = int(data["r"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return CheckLink(LinkStatus.FORGED)
    queryset = CheckRecipient.objects.select_related(
        "check_run__network", "designation__contact", "designation__network"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    recipient = queryset.filter(pk=recipient_id).first()
    if recipient is None:  # signed by the platform, but its check was deleted since
        return CheckLink(LinkStatus.EXPIRED)
    if recipient.responded_at is not None:
        return CheckLink(LinkStatus.ANSWERED, recipient)
    if not hmac.compare_digest(_digest(nonce), recipient.nonce_digest):
        return CheckLink(LinkStatus.REPLACED, recipient)
    check = recipient.check_run
    if check.status != CheckStatus.OPEN or timezone.now() >= check.deadline:
        return CheckLink(LinkStatus.EXPIRED, recipient)
    return CheckLink(LinkStatus.VALID, recipient)


def verification_token(designation: ContactDesignation) -> str:
    if designation.reminder_sent_at is None:
        raise ValueError("A verification link belongs to a reminder: none was sent.")
    return signing.dumps(
        {"d": designation.pk, "t": _micros(designation.reminder_sent_at)}, salt=VERIFY_SALT
    )


def verification_url(designation: ContactDesignation) -> str:
    path = reverse(
        "directory:verification_respond", kwargs={"token": verification_token(designation)}
    )
    return settings.BASE_URL + path


def resolve_verification_link(token: str, *, lock: bool = False) -> VerificationLink:
    """Read a verification link without changing anything."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_LINK_MAX_AGE)
        designation_id, stamp = int(data["d"]), int(data["t"])
    except signing.SignatureExpired:
        return VerificationLink(LinkStatus.EXPIRED)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return VerificationLink(LinkStatus.FORGED)
    queryset = ContactDesignation.objects.select_related("contact", "network")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    designation = queryset.filter(pk=designation_id).first()
    if designation is None:
        return VerificationLink(LinkStatus.EXPIRED)
    reminded = designation.reminder_sent_at
    if designation.status == DesignationStatus.ACTIVE and reminded and _micros(reminded) == stamp:
        return VerificationLink(LinkStatus.VALID, designation)
    sent = _EPOCH + dt.timedelta(microseconds=stamp)
    if designation.last_verified_at is not None and designation.last_verified_at >= sent:
        return VerificationLink(LinkStatus.ANSWERED, designation)
    if designation.status != DesignationStatus.ACTIVE:
        return VerificationLink(LinkStatus.EXPIRED, designation)
    return VerificationLink(LinkStatus.REPLACED, designation)


# --- Answers ---------------------------------------------------------------------------------


def _mark_verified(designation: ContactDesignation, when: dt.datetime) -> None:
    designation.last_verified_at, designation.reminder_sent_at = when, None
    designation.save(update_fields=["last_verified_at", "reminder_sent_at"])


def _clear_failure(contact_id: int, address: str) -> bool:
    """An answer from an address proves that it works: its failed-delivery flag goes."""
    return bool(
        ContactEmail.objects.filter(contact_id=contact_id, address__iexact=address)
        .exclude(bounced_at=None)
        .update(bounced_at=None, bounce_reason="")
    )


@transaction.atomic
def record_response(*, token: str) -> CheckLink:
    """The contact pressed the button of their check's link: the answer is recorded (once), the
    designation counts as verified, and the address as working. Returns the link's status,
    ``CONFIRMED`` when this call recorded the answer."""
    link = resolve_response_link(token, lock=True)
    if link.status != LinkStatus.VALID or link.recipient is None:
        return link
    recipient = link.recipient
    now = timezone.now()
    recipient.responded_at, recipient.delivery_failed_at = now, None
    recipient.save(update_fields=["responded_at", "delivery_failed_at"])
    designation = recipient.designation
    verified = designation.status == DesignationStatus.ACTIVE
    if verified:
        _mark_verified(designation, now)
    cleared = _clear_failure(designation.contact_id, recipient.email)
    response_time = recipient.response_time
    audit.record(
        actor=None,
        actor_label=recipient.email or designation.contact.name,
        action="directory.check.respond",
        obj=designation,
        changes={
            "check": recipient.check_run_id,
            "response_seconds": int(response_time.total_seconds()) if response_time else None,
            "verified": verified,
            "delivery_flag_cleared": cleared,
        },
    )
    return CheckLink(LinkStatus.CONFIRMED, recipient)


@transaction.atomic
def confirm_verification(*, token: str) -> VerificationLink:
    """The contact confirmed, with the link of their verification reminder, that their details
    are current: a new verification cycle starts."""
    link = resolve_verification_link(token, lock=True)
    if link.status != LinkStatus.VALID or link.designation is None:
        return link
    designation = link.designation
    _mark_verified(designation, timezone.now())
    audit.record(
        actor=None,
        actor_label=designation.contact.name,
        action="directory.designation.verify",
        obj=designation,
        changes={"via": "email link"},
    )
    return VerificationLink(LinkStatus.CONFIRMED, designation)


# --- Communication checks -------------------------------------------------------------------


def recipients_for(network: Network, *, day: dt.date | None = None) -> list[ContactDesignation]:
    """The designations a check of ``network`` asks: those active and in force today."""
    return list(
        ContactDesignation.objects.in_force_on(day or timezone.localdate())
        .filter(network=network, status=DesignationStatus.ACTIVE)
        .select_related("contact", "member_state")
        .prefetch_related("contact__emails")
        .order_by("member_state__name", "contact__name", "pk")
    )


@transaction.atomic
def launch_check(
    *, actor: User, network: Network, deadline: dt.datetime, message: str = ""
) -> CommunicationCheck:
    """Ask every contact designated to ``network`` to confirm, by one click before ``deadline``,
    that the channel works. Each designation gets a recipient at its best address (institutional
    or functional, not failed); one without such an address is recorded as a failed delivery, so
    the live page shows it. The emails go out after commit."""
    _require(may_launch_checks(actor))
    now = timezone.now()
    message = (message or "").strip()
    errors: dict[str, str] = {}
    if deadline <= now:
        errors["deadline"] = _("The deadline must be in the future.")
    elif deadline > now + dt.timedelta(hours=MAX_DEADLINE_HOURS):
        errors["deadline"] = _("Allow at most {hours} hours to answer.").format(
            hours=MAX_DEADLINE_HOURS
        )
    if len(message) > MAX_MESSAGE_LENGTH:
        errors["message"] = _("The message is longer than {count} characters.").format(
            count=MAX_MESSAGE_LENGTH
        )
    if not network.is_active:
        errors["network"] = _("This network is inactive.")
    elif CommunicationCheck.objects.filter(network=network, status=CheckStatus.OPEN).exists():
        errors["network"] = _("A check of this network is still open: close it first.")
    if errors:
        raise ValidationError(errors)
    designations = recipients_for(network)
    if not designations:
        raise ValidationError({"network": _("No contact is designated to this network.")})
    check = CommunicationCheck.objects.create(
        network=network, launched_by=actor, launched_at=now, deadline=deadline, message=message
    )
    recipients = []
    for designation in designations:
        address = best_address(designation.contact)
        recipients.append(
            CheckRecipient(
                check_run=check,
                designation=designation,
                email=address.address if address else "",
                nonce_digest=_digest(secrets.token_urlsafe(32)),
                delivery_failed_at=None if address else now,
            )
        )
    CheckRecipient.objects.bulk_create(recipients)
    to_send = list(check.recipients.exclude(email="").values_list("pk", flat=True))
    audit.record(
        actor=actor,
        action="directory.check.launch",
        obj=check,
        changes={
            "network": network.slug,
            "deadline": deadline.isoformat(),
            "recipients": len(recipients),
            "without_address": len(recipients) - len(to_send),
        },
    )

    def enqueue() -> None:
        from cicte.directory import tasks

        for pk in to_send:
            tasks.send_check_request(pk)

    transaction.on_commit(enqueue)
    return check


def _reminder_address(recipient: CheckRecipient) -> str | None:
    """Where a reminder goes: the address of the first email while it works, else the contact's
    best working address now (their details may have been corrected since)."""
    addresses = deliverable_addresses(recipient.designation.contact)
    if recipient.delivery_failed_at is None and recipient.email in {e.address for e in addresses}:
        return recipient.email
    return addresses[0].address if addresses else None


def next_reminder_at(check: CommunicationCheck, recipient: CheckRecipient) -> dt.datetime | None:
    """When the schedule reminds ``recipient`` next: a day after launch (or half-way to the
    deadline if that comes first), then half-way through the time that remains; at most twice."""
    if recipient.reminders_sent >= MAX_AUTOMATIC_REMINDERS:
        return None
    if recipient.last_reminded_at is None:
        return check.launched_at + min(
            FIRST_REMINDER_AFTER, (check.deadline - check.launched_at) / 2
        )
    return recipient.last_reminded_at + (check.deadline - recipient.last_reminded_at) / 2


def _waiting(check: CommunicationCheck) -> list[CheckRecipient]:
    """Recipients who have not answered and whose first email is not still on its way."""
    return list(
        check.recipients.filter(responded_at=None)
        .exclude(sent_at=None, delivery_failed_at=None)
        .select_related("designation__contact")
        .prefetch_related("designation__contact__emails")
    )


def _send_reminders(
    *, actor: User | None, check: CommunicationCheck, recipients: list[CheckRecipient]
) -> int:
    now = timezone.now()
    chosen = [r for r in recipients if _reminder_address(r)]
    if not chosen:
        return 0
    ids = [r.pk for r in chosen]
    # Counted when decided, not when sent: the schedule must not pick them again meanwhile.
    CheckRecipient.objects.filter(pk__in=ids).update(
        reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
    )
    audit.record(
        actor=actor,
        actor_label=None if actor else SYSTEM,
        action="directory.check.remind",
        obj=check,
        changes={"recipients": len(ids), "automatic": actor is None},
    )

    def enqueue() -> None:
        from cicte.directory import tasks

        for pk in ids:
            tasks.send_check_request(pk, reminder=True)

    transaction.on_commit(enqueue)
    return len(ids)


def _locked_open_check(check: CommunicationCheck) -> CommunicationCheck:
    locked = CommunicationCheck.objects.select_for_update().get(pk=check.pk)
    if locked.status != CheckStatus.OPEN or timezone.now() >= locked.deadline:
        raise ValidationError(_("This check is closed."))
    return locked


@transaction.atomic
def remind_non_responders(*, actor: User, check: CommunicationCheck) -> int:
    """The Secretariat's "send reminders now": every contact who has not answered gets the email
    again, with a new link (except those reminded within the last hour). Returns how many."""
    _require(may_launch_checks(actor))
    check = _locked_open_check(check)
    since = timezone.now() - MIN_REMINDER_INTERVAL
    recipients = [
        r for r in _waiting(check) if r.last_reminded_at is None or r.last_reminded_at < since
    ]
    return _send_reminders(actor=actor, check=check, recipients=recipients)


@transaction.atomic
def close_check(*, actor: User | None, check: CommunicationCheck) -> CommunicationCheck:
    """End a check: its links stop working and it becomes history. The Secretariat may close a
    check early; the schedule (``actor`` None) closes it at its deadline."""
    if actor is not None:
        _require(may_launch_checks(actor))
    check = CommunicationCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == CheckStatus.CLOSED:
        return check
    check.status, check.closed_at = CheckStatus.CLOSED, timezone.now()
    check.save(update_fields=["status", "closed_at"])
    stats = stats_for(check.recipients.all())
    audit.record(
        actor=actor,
        actor_label=None if actor else SYSTEM,
        action="directory.check.close",
        obj=check,
        changes={
            "asked": stats.asked,
            "answered": stats.answered,
            "failed": stats.failed,
            "median_seconds": stats.median_seconds,
        },
    )
    return check


def run_check_schedule() -> tuple[int, int]:
    """The scheduled work on checks: close those past their deadline, and send the automatic
    reminders that are due. Returns (checks closed, reminders sent)."""
    now = timezone.now()
    closed = 0
    for check in CommunicationCheck.objects.filter(status=CheckStatus.OPEN, deadline__lte=now):
        close_check(actor=None, check=check)
        closed += 1
    reminded = 0
    for check in CommunicationCheck.objects.filter(status=CheckStatus.OPEN, deadline__gt=now):
        try:
            with transaction.atomic():
                locked = _locked_open_check(check)
                due = [
                    r
                    for r in _waiting(locked)
                    if (at := next_reminder_at(locked, r)) is not None and at <= now
                ]
                reminded += _send_reminders(actor=None, check=locked, recipients=due)
        except ValidationError:
            continue  # closed meanwhile, by the Secretariat or by its deadline
    return closed, reminded


def send_check_email(recipient_id: int, *, reminder: bool = False) -> bool:
    """Email one recipient their request (or a reminder) with a fresh link; a rejection by the
    mail relay flags the address. Called by the background job; returns whether it was sent.
    Other errors propagate, so the job is retried."""
    from cicte.directory import emails

    recipient = (
        CheckRecipient.objects.select_related(
            "check_run__network",
            "designation__contact__user",
            "designation__contact__organization",
            "designation__network",
            "designation__member_state",
        )
        .prefetch_related("designation__contact__emails", "designation__contact__languages")
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None or recipient.responded_at is not None:
        return False
    check = recipient.check_run
    if check.status != CheckStatus.OPEN or timezone.now() >= check.deadline:
        return False
    if reminder:
        address = _reminder_address(recipient)
    elif recipient.sent_at is None and recipient.delivery_failed_at is None:
        address = recipient.email
    else:
        return False  # already sent: a retried job
    if not address:
        return False
    with transaction.atomic():
        recipient.email = address
        recipient.save(update_fields=["email"])
        url = issue_response_link(recipient)
    try:
        emails.send_check_request(recipient, url=url, reminder=reminder)
    except Exception as exc:
        reason = rejection_reason(exc, address)
        if reason is None:
            raise
        flag_failed_delivery(address=address, reason=reason, source="send")
        return False
    now = timezone.now()
    updates: dict[str, Any] = {"delivery_failed_at": None}
    if recipient.sent_at is None:
        updates["sent_at"] = now
    CheckRecipient.objects.filter(pk=recipient.pk).update(**updates)
    return True


# --- Statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckStats:
    """How a check (or one state's part of it) went."""

    asked: int
    answered: int
    failed: int
    median_seconds: int | None

    @property
    def waiting(self) -> int:
        return self.asked - self.answered - self.failed

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.asked) if self.asked else None


def stats_for(recipients: Iterable[Any]) -> CheckStats:
    """Counts and the median response time (from the first email to the answer) of
    ``recipients`` (anything with ``sent_at``, ``responded_at`` and ``delivery_failed_at``)."""
    asked = answered = failed = 0
    times: list[float] = []
    for recipient in recipients:
        asked += 1
        if recipient.responded_at is not None:
            answered += 1
            if recipient.sent_at is not None:
                times.append((recipient.responded_at - recipient.sent_at).total_seconds())
        elif recipient.delivery_failed_at is not None:
            failed += 1
    median = round(statistics.median(times)) if times else None
    return CheckStats(asked=asked, answered=answered, failed=failed, median_seconds=median)


def format_duration(seconds: float | int | None) -> str:
    """A response time for people: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    minutes, hours = seconds // 60, seconds // 3600
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    if seconds < 3600:
        return _("{minutes} min").format(minutes=minutes)
    if seconds < 48 * 3600:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes % 60)
    return _("{days} d {hours} h").format(days=hours // 24, hours=hours % 24)


# --- Failed deliveries -----------------------------------------------------------------------


def rejection_reason(exc: BaseException, address: str) -> str | None:
    """Why the mail relay refused ``address`` for good, or None when ``exc`` is not such a
    refusal (a temporary failure, a connection problem: the job is retried)."""
    address = address.lower()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {str(k).lower(): v for k, v in exc.recipients.items()}
        code, text = refused.get(address) or next(iter(refused.values()), (550, b""))
        if 400 <= int(code) < 500:
            return None  # greylisting, a full mailbox: try again later
        detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {detail}".strip()[:500]
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(
        exc, smtplib.SMTPSenderRefused
    ):
        if 500 <= exc.smtp_code < 600:
            error = exc.smtp_error
            detail = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
            return f"{exc.smtp_code} {detail}".strip()[:500]
        return None
    if address and address in str(exc).lower():
        return str(exc)[:500]
    return None


@transaction.atomic
def flag_failed_delivery(*, address: str, reason: str, source: str) -> int:
    """Mail to ``address`` cannot be delivered (``source``: "send" for a refusal by the relay,
    "bounce" for a report to the bounce endpoint): every contact address equal to it is flagged,
    and so is every recipient of an open check waiting on it. Returns how many contact addresses
    were flagged."""
    address = address.strip()
    reason = (reason or "").strip()[:500]
    now = timezone.now()
    flagged = list(
        ContactEmail.objects.filter(address__iexact=address).select_related("contact__organization")
    )
    ContactEmail.objects.filter(pk__in=[e.pk for e in flagged]).update(
        bounced_at=now, bounce_reason=reason
    )
    CheckRecipient.objects.filter(
        email__iexact=address,
        responded_at=None,
        delivery_failed_at=None,
        check_run__status=CheckStatus.OPEN,
    ).update(delivery_failed_at=now)
    contacts = {email.contact_id: email.contact for email in flagged}
    for contact in contacts.values():
        audit.record(
            actor=None,
            actor_label="mail relay" if source == "send" else "bounce report",
            action="directory.contact.delivery_failed",
            obj=contact,
            changes={"address": address.lower(), "reason": reason, "source": source},
        )
    if not flagged:
        logger.info("Failed delivery to %s matches no directory address", address)
    return len(flagged)


class BounceRejected(Exception):
    """A bounce report the endpoint does not accept (its message is safe to return)."""


def bounce_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``timestamp.body``, the platform's webhook signature."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_bounce_signature(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Raise :class:`BounceRejected` unless ``signature`` is the right one for ``body`` and
    ``timestamp`` (Unix seconds) is within five minutes of ``now``."""
    if not timestamp or not signature:
        raise BounceRejected("X-CICTE-Timestamp and X-CICTE-Signature are required.")
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise BounceRejected("X-CICTE-Timestamp must be Unix seconds.") from exc
    expected = bounce_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise BounceRejected("The signature does not match.")
    if abs(now - sent) > BOUNCE_MAX_AGE_SECONDS:
        raise BounceRejected("The timestamp is more than five minutes away from now.")


# --- The verification cycle ------------------------------------------------------------------


def _policies() -> dict[int, DirectoryPolicy]:
    return {policy.network_id: policy for policy in DirectoryPolicy.objects.all()}


def designations_due(
    *, now: dt.datetime | None = None, policies: dict[int, DirectoryPolicy] | None = None
) -> Any:
    """Active designations that fall due within their network's reminder window (or are
    overdue) and whose contact has not been reminded in the current cycle."""
    now = now or timezone.now()
    policies = _policies() if policies is None else policies
    default = DirectoryPolicy()
    active = ContactDesignation.objects.filter(status=DesignationStatus.ACTIVE)
    network_ids = set(active.order_by().values_list("network_id", flat=True).distinct())
    condition = Q(pk__in=[])
    for network_id in sorted(network_ids):
        policy = policies.get(network_id, default)
        threshold = now - dt.timedelta(days=policy.verification_days - policy.reminder_days)
        condition |= Q(network_id=network_id, cycle_start__lte=threshold)
    return (
        active.annotate(cycle_start=Coalesce("last_verified_at", "confirmed_at", "designated_at"))
        .filter(condition)
        .filter(Q(reminder_sent_at=None) | Q(reminder_sent_at__lt=F("cycle_start")))
    )


@transaction.atomic
def send_verification_reminders() -> int:
    """The daily verification cycle: for every designation falling due, email its contact a link
    to confirm their details, and its state's coordinators in that network one summary each.
    Each designation is reminded once per cycle, even when several workers run the schedule:
    the rows are locked, and a second run finds them reminded. Returns how many were reminded."""
    now = timezone.now()
    policies = _policies()
    due = list(
        designations_due(now=now, policies=policies)
        .select_for_update(of=("self",))
        .select_related("contact", "network", "member_state")
        .order_by("network_id", "member_state_id", "pk")
    )
    if not due:
        return 0
    ContactDesignation.objects.filter(pk__in=[d.pk for d in due]).update(reminder_sent_at=now)
    by_coordinator: dict[int, list[int]] = defaultdict(list)
    coordinators: dict[tuple[int, int], list[Any]] = {}
    for designation in due:
        if designation.network_id in policies:  # due_at without a query per row
            designation.__dict__["policy"] = policies[designation.network_id]
        key = (designation.network_id, designation.member_state_id)
        if key not in coordinators:
            coordinators[key] = selectors.coordinators_of(
                network_id=designation.network_id, member_state_id=designation.member_state_id
            )
        for user in coordinators[key]:
            by_coordinator[user.pk].append(designation.pk)
        due_at = designation.due_at
        audit.record(
            actor=None,
            actor_label=SYSTEM,
            action="directory.designation.remind",
            obj=designation,
            changes={"due_at": due_at.isoformat() if due_at else None},
        )

    def enqueue() -> None:
        from cicte.directory import tasks

        for designation in due:
            tasks.send_verification_request(designation.pk)
        for user_id, designation_ids in by_coordinator.items():
            tasks.send_verification_summary(user_id, designation_ids)

    transaction.on_commit(enqueue)
    return len(due)


def send_verification_email(designation_id: int) -> int:
    """Email a designated contact, at each of their working institutional and functional
    addresses, the link that confirms their details. Returns how many emails were sent."""
    from cicte.directory import emails

    designation = (
        ContactDesignation.objects.select_related(
            "contact__user", "contact__organization", "network", "member_state"
        )
        .prefetch_related("contact__emails", "contact__languages", "contact__phones")
        .filter(pk=designation_id)
        .first()
    )
    if (
        designation is None
        or designation.status != DesignationStatus.ACTIVE
        or designation.reminder_sent_at is None
    ):
        return 0  # verified or ended since the reminder was decided
    url = verification_url(designation)
    sent = 0
    for email in deliverable_addresses(designation.contact):
        try:
            emails.send_verification_request(designation, url=url, address=email.address)
        except Exception as exc:
            reason = rejection_reason(exc, email.address)
            if reason is None:
                raise
            flag_failed_delivery(address=email.address, reason=reason, source="send")
            continue
        sent += 1
    if not sent:
        logger.warning("Designation %s: no working address for its verification", designation.pk)
    return sent


def send_verification_summary_email(user_id: int, designation_ids: list[int]) -> bool:
    """Email a national coordinator the designations of their state that fall due, with links to
    them; those verified or ended meanwhile are left out."""
    from cicte.directory import emails

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    designations = list(
        ContactDesignation.objects.filter(pk__in=designation_ids, status=DesignationStatus.ACTIVE)
        .exclude(reminder_sent_at=None)
        .select_related("contact", "network", "member_state")
        .prefetch_related("contact__emails")
        .order_by("network__name", "contact__name")
    )
    if not designations:
        return False
    policies = _policies()
    for designation in designations:
        if designation.network_id in policies:  # due_at without a query per row
            designation.__dict__["policy"] = policies[designation.network_id]
        designation.no_working_address = best_address(designation.contact) is None  # type: ignore[attr-defined]
    emails.send_verification_summary(user, designations)
    return True
