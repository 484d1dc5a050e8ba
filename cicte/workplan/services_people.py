"""Every write of the participant registry: people (deduplicated), registrations, attendance,
completion and test scores, certificates and their revocation, and the import of a participant
list. Each is atomic and audited.

Who: the Secretariat (``workplan.manage_workplan``) for everything; an event's organisers for
the participants of their events (the people registered for them, and the certificates of those
registrations). Anybody else gets ``PermissionDenied``. Merging two records of one person
(:func:`merge_people`) is the Secretariat's alone.

A person registered with the email of a platform account is linked to it (``Person.user``): the
holder then finds their certificates under "My certificates". Only an active account whose
address is verified (``User.email_verified_at``: its holder followed a link mailed to it) is
linked, since anybody may type any address into their own profile: an account that takes a
participant's address is linked to nobody until its holder proves they receive that mail.
When an account's address is verified (the ``email_verified`` signal of the accounts app), the
participant with that address, if not linked yet, is linked to it (:func:`link_verified_account`,
audited ``workplan.person.link_account``). When an account's address changes, participants
linked to it by the old address stay linked (their certificates were theirs); no new link is
made until the new address is verified. A participant whose own email is corrected follows the
verified account of the new address, or is unlinked when there is none.

A revoked certificate may be re-issued: a new certificate with a new code; the old one stays
revoked.

The audit trail is read by national coordinators for their state's part: the events written
here name a participant by their id only (``participant #12``) and list the names of the fields
that changed, never their values, so that no personal data reaches readers of the trail who
may not see the registry.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts.models import MemberState, User
from cicte.core import audit
from cicte.workplan.choices import RegistrationStatus, Sex
from cicte.workplan.models import (
    Certificate,
    Event,
    Person,
    Registration,
    is_secretariat,
)

PERSON_FIELDS = ("full_name", "sex", "email", "organization_name", "member_state", "position")
# Statuses that count as having taken part; a certificate needs a completion.
COMPLETED = RegistrationStatus.COMPLETED
# The import's column of each field a service may refuse.
COLUMN_OF = {"full_name": "name", "organization_name": "organisation"}


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You may not do this."))


# --- Deduplication keys ------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-folded text with single spaces: "  José  PÉREZ " -> "jose perez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def email_key(email: str) -> str:
    """The deduplication key of an email address: trimmed and case-folded, or empty."""
    return (email or "").strip().casefold()


def name_key(full_name: str, member_state: MemberState | None, organization_name: str) -> str:
    """The deduplication key without an email: folded name, member state code and folded
    organisation name."""
    code = member_state.code if member_state is not None else ""
    return f"{fold(full_name)}|{code}|{fold(organization_name)}"[:300]


def find_person(
    *, full_name: str, email: str, member_state: MemberState | None, organization_name: str
) -> Person | None:
    """The registered person these details describe, if any: the one with the same case-folded
    email; else the one with the same folded name, member state and organisation (only among
    people without an email when an email is given: two different emails are two people)."""
    key = email_key(email)
    if key:
        found = Person.objects.filter(email_key=key).first()
        if found is not None:
            return found
    candidates = Person.objects.filter(
        name_key=name_key(full_name, member_state, organization_name)
    )
    if key:
        candidates = candidates.filter(email_key="")
    return candidates.order_by("pk").first()


# --- Permissions -------------------------------------------------------------------------------


def may_manage_participants(actor: Any, event: Event) -> bool:
    """The Secretariat and the event's organisers."""
    return event.can_see_participants(actor)


def may_edit_person(actor: Any, person: Person) -> bool:
    return Person.objects.visible_to(actor).filter(pk=person.pk).exists()


def _repr(obj: Person | Registration | Certificate) -> str:
    """How the audit trail names a record of the registry: by id, never by personal data."""
    if isinstance(obj, Person):
        return f"participant #{obj.pk}"
    if isinstance(obj, Registration):
        return f"registration #{obj.pk} (participant #{obj.person_id}, event #{obj.event_id})"
    return f"certificate #{obj.pk} (registration #{obj.registration_id})"


def _audit(*, actor: Any, action: str, obj: Any, changes: dict[str, Any] | None = None) -> None:
    audit.record(actor=actor, action=action, obj=obj, changes=changes, object_repr=_repr(obj))


# --- People ------------------------------------------------------------------------------------


@dataclass
class PersonDetails:
    """What is known of a participant; empty values leave an existing record's value alone."""

    full_name: str
    sex: str
    email: str = ""
    organization_name: str = ""
    member_state: MemberState | None = None
    position: str = ""

    def cleaned(self) -> PersonDetails:
        errors: dict[str, str] = {}
        full_name = " ".join((self.full_name or "").split())
        if not full_name:
            errors["full_name"] = _("Give the person's name.")
        elif len(full_name) > 200:
            errors["full_name"] = _("The name is longer than 200 characters.")
        if self.sex not in Sex.values:
            errors["sex"] = _("Choose female, male, other or prefer not to say.")
        email = (self.email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("{email} is not an email address.").format(email=email)
        organization_name = " ".join((self.organization_name or "").split())
        if len(organization_name) > 300:
            errors["organization_name"] = _("The organisation is longer than 300 characters.")
        position = " ".join((self.position or "").split())
        if len(position) > 200:
            errors["position"] = _("The position is longer than 200 characters.")
        if errors:
            raise ValidationError(errors)
        return PersonDetails(
            full_name, self.sex, email, organization_name, self.member_state, position
        )


def _rekey(person: Person) -> list[str]:
    """Recompute the deduplication keys after a change; the fields to save."""
    person.email_key = email_key(person.email)
    person.name_key = name_key(person.full_name, person.member_state, person.organization_name)
    return ["email_key", "name_key"]


def account_with_email(email: str) -> User | None:
    """The active platform account whose verified address is this one (case-insensitive), if
    any. An unverified address says nothing of who holds the account (see the module's
    docstring)."""
    key = email_key(email)
    if not key:
        return None
    return (
        User.objects.filter(email__iexact=key, is_active=True, email_verified_at__isnull=False)
        .order_by("pk")
        .first()
    )


def _link_account(person: Person, *, relink: bool = False) -> list[str]:
    """Link the person to the account that has their email (the certificate holder then finds
    their certificates under "My certificates"); ``relink`` follows a changed email (and drops
    the link when no account has the new one). The fields to save."""
    if person.user_id is not None and not relink:
        return []
    account = account_with_email(person.email)
    new = account.pk if account is not None else None
    if new == person.user_id:
        return []
    person.user_id = new
    return ["user"]


@transaction.atomic
def link_verified_account(*, actor: Any, user: User) -> list[Person]:
    """Link the participants registered with ``user``'s address, and not linked to an account
    yet, to ``user`` once that address is verified; each link is audited
    (``workplan.person.link_account``, by ids). Called on the accounts app's
    ``email_verified`` signal, inside the verification's transaction; the actor is the holder
    who proved the address. Nothing for an unverified or inactive account. Returns the people
    linked."""
    key = email_key(user.email)
    if not key or not user.is_active or user.email_verified_at is None:
        return []
    linked = []
    for person in Person.objects.select_for_update().filter(email_key=key, user__isnull=True):
        person.user = user
        person.save(update_fields=["user"])
        _audit(
            actor=actor,
            action="workplan.person.link_account",
            obj=person,
            changes={"fields": ["user"]},
        )
        linked.append(person)
    return linked


def on_email_verified(sender: Any, *, user: User, actor: Any = None, **kwargs: Any) -> None:
    """Receiver of :data:`cicte.accounts.signals.email_verified` (connected in
    :class:`cicte.workplan.apps.WorkplanConfig`)."""
    link_verified_account(actor=actor or user, user=user)


def _changed_fields(person: Person, details: PersonDetails) -> list[str]:
    """Apply ``details`` to ``person`` (empty values keep what is there); the fields changed."""
    changed = []
    for name in PERSON_FIELDS:
        value = getattr(details, name)
        if value in ("", None):
            continue
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        changed += _rekey(person)
    return changed


def _check_email_free(person: Person | None, details: PersonDetails) -> None:
    key = email_key(details.email)
    if not key:
        return
    clash = Person.objects.filter(email_key=key)
    if person is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError(
            {"email": _("Another participant of the registry has this email address.")}
        )


@transaction.atomic
def add_or_update_person(
    *, actor: User, details: PersonDetails, event: Event | None = None
) -> tuple[Person, bool]:
    """The registry's record of this person, created or completed with ``details``
    (deduplicated: same email, else same name, member state and organisation). Returns it and
    whether it was created. The Secretariat may add anyone; an event's organisers add people
    through their event (``event``), which they then register with :func:`register_person`."""
    _require(is_secretariat(actor) or (event is not None and may_manage_participants(actor, event)))
    details = details.cleaned()
    person = find_person(
        full_name=details.full_name,
        email=details.email,
        member_state=details.member_state,
        organization_name=details.organization_name,
    )
    if person is None:
        person = Person(
            full_name=details.full_name,
            sex=details.sex,
            email=details.email,
            email_key=email_key(details.email),
            organization_name=details.organization_name,
            member_state=details.member_state,
            position=details.position,
            name_key=name_key(details.full_name, details.member_state, details.organization_name),
        )
        _link_account(person)
        person.save()
        _audit(
            actor=actor,
            action="workplan.person.create",
            obj=person,
            changes={"fields": [n for n in PERSON_FIELDS if getattr(details, n) not in ("", None)]},
        )
        return person, True
    changed = _changed_fields(person, details) + _link_account(person)
    if changed:
        person.save(update_fields=changed)
        _audit(
            actor=actor,
            action="workplan.person.update",
            obj=person,
            changes={"fields": sorted(set(changed) - {"email_key", "name_key"})},
        )
    return person, False


@transaction.atomic
def update_person(*, actor: User, person: Person, details: PersonDetails) -> Person:
    """Correct a participant's record (the Secretariat, or the organisers of their events).
    Unlike the import, an empty email, organisation or position here clears it."""
    _require(may_edit_person(actor, person))
    details = details.cleaned()
    _check_email_free(person, details)
    changed = []
    for name in PERSON_FIELDS:
        value = getattr(details, name)
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        linked = _link_account(person, relink="email" in changed)
        person.save(update_fields=[*changed, *_rekey(person), *linked])
        _audit(
            actor=actor,
            action="workplan.person.update",
            obj=person,
            changes={"fields": [*changed, *linked]},
        )
    return person


# --- Registrations -----------------------------------------------------------------------------


def _score(value: Any, field_name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value))
    except ArithmeticError:
        score = Decimal("NaN")
    if not score.is_finite() or score < 0 or score > 100 or score != round(score, 2):
        raise ValidationError(
            {field_name: _("A score is a number from 0 to 100, with at most two decimals.")}
        )
    return score


@transaction.atomic
def register_person(
    *,
    actor: User,
    event: Event,
    person: Person,
    status: str = RegistrationStatus.REGISTERED,
    pre_score: Any = None,
    post_score: Any = None,
) -> Registration:
    """Register ``person`` for ``event`` (the Secretariat or the event's organisers)."""
    _require(may_manage_participants(actor, event))
    if Registration.objects.filter(event=event, person=person).exists():
        raise ValidationError(_("This person is already registered for this event."))
    if status not in RegistrationStatus.values:
        raise ValidationError({"status": _("Choose a registration status.")})
    registration = Registration.objects.create(
        event=event,
        person=person,
        status=status,
        pre_score=_score(pre_score, "pre_score"),
        post_score=_score(post_score, "post_score"),
    )
    _audit(
        actor=actor,
        action="workplan.registration.create",
        obj=registration,
        changes={"status": status},
    )
    return registration


@transaction.atomic
def record_participation(
    *,
    actor: User,
    registration: Registration,
    status: str,
    pre_score: Any = None,
    post_score: Any = None,
) -> Registration:
    """Record attendance or completion and the pre- and post-test scores (0 to 100). A
    registration with a valid certificate stays completed: revoke the certificate first."""
    _require(may_manage_participants(actor, registration.event))
    if status not in RegistrationStatus.values:
        raise ValidationError({"status": _("Choose a registration status.")})
    before = audit.snapshot(registration, ["status", "pre_score", "post_score"])
    registration.status = status
    registration.pre_score = _score(pre_score, "pre_score")
    registration.post_score = _score(post_score, "post_score")
    if status != COMPLETED:
        certificate = Certificate.objects.filter(
            registration=registration, revoked_at__isnull=True
        ).first()
        if certificate is not None:
            raise ValidationError(
                {"status": _("This participant holds a valid certificate: revoke it first.")}
            )
    changes = audit.diff(registration, before, ["status", "pre_score", "post_score"])
    if changes:
        registration.save(update_fields=["status", "pre_score", "post_score"])
        _audit(
            actor=actor,
            action="workplan.registration.update",
            obj=registration,
            changes={"fields": sorted(changes), "status": status},
        )
    return registration


# --- Certificates ------------------------------------------------------------------------------


@transaction.atomic
def issue_certificate(*, actor: User, registration: Registration) -> Certificate:
    """A certificate for a completed registration, with a fresh verification code. When the
    registration's certificate was revoked, this re-issues it: a new certificate with a new
    code; the old one stays revoked (its public page says so)."""
    _require(may_manage_participants(actor, registration.event))
    if registration.status != COMPLETED:
        raise ValidationError(_("Only a participant who completed the event gets a certificate."))
    # Lock the registration: two clicks must not issue two valid certificates.
    Registration.objects.select_for_update().filter(pk=registration.pk).first()
    issued = list(Certificate.objects.filter(registration=registration).order_by("pk"))
    if any(c.is_valid for c in issued):
        raise ValidationError(_("This participant already has a certificate for this event."))
    certificate = Certificate.objects.create(registration=registration, issued_by=actor)
    if issued:
        _audit(
            actor=actor,
            action="workplan.certificate.reissue",
            obj=certificate,
            changes={"replaces": issued[-1].pk},
        )
    else:
        _audit(actor=actor, action="workplan.certificate.issue", obj=certificate)
    return certificate


@transaction.atomic
def revoke_certificate(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate; its public verification page then says so, with the reason."""
    _require(may_manage_participants(actor, certificate.registration.event))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("The reason is longer than 300 characters.")})
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    # The reason is public on the verification page; the trail keeps it too.
    _audit(
        actor=actor,
        action="workplan.certificate.revoke",
        obj=certificate,
        changes={"reason": reason},
    )
    return certificate


# --- Merging duplicate records -------------------------------------------------------------------

# How much a registration says the person took part: the better one stays when two records of
# the same person were both registered for an event.
STATUS_RANK: dict[str, int] = {
    RegistrationStatus.COMPLETED: 4,
    RegistrationStatus.ATTENDED: 3,
    RegistrationStatus.REGISTERED: 2,
    RegistrationStatus.ABSENT: 1,
    RegistrationStatus.WITHDRAWN: 0,
}
# The fields of the kept record that the merged record fills when they are blank.
MERGE_FIELDS = ("email", "organization_name", "organization", "member_state", "position", "user")
MERGE_REVOKE_REASON = "Duplicate participant records merged: another certificate stands."


def _standing(registration: Registration) -> tuple[Any, ...]:
    """Better attendance or completion first, then a valid certificate, then the scores."""
    return (
        STATUS_RANK.get(registration.status, 0),
        any(c.is_valid for c in registration.certificates.all()),
        registration.post_score if registration.post_score is not None else Decimal(-1),
        registration.pre_score if registration.pre_score is not None else Decimal(-1),
    )


def mailbox_key(email: str) -> str:
    """An email's mailbox without its "+tag" (ana+cicte@x.org is ana@x.org): the same
    mailbox under two addresses points at one person."""
    local, _at, domain = email_key(email).partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if domain else ""


def likely_duplicates(people: Iterable[Person]) -> list[tuple[str, list[Person]]]:
    """Groups of records that may be one person: the same folded name and organisation
    (whatever the member state), or the same mailbox; each group with why it was found.
    (The registry never holds the same email twice: ``find_person`` and its constraint.)"""
    by_name: dict[tuple[str, str], list[Person]] = {}
    by_mailbox: dict[str, list[Person]] = {}
    for person in people:
        by_name.setdefault((fold(person.full_name), fold(person.organization_name)), []).append(
            person
        )
        mailbox = mailbox_key(person.email)
        if mailbox:
            by_mailbox.setdefault(mailbox, []).append(person)
    same_name = _("Same name and organisation")
    same_mailbox = _("Same email address")
    groups = [(str(same_name), group) for group in by_name.values() if len(group) > 1]
    groups += [(str(same_mailbox), group) for group in by_mailbox.values() if len(group) > 1]
    return sorted(groups, key=lambda item: (fold(item[1][0].full_name), item[1][0].pk))


@dataclass
class MergeSummary:
    """What a merge did (ids only)."""

    moved: list[int] = field(default_factory=list)  # registrations moved to the kept record
    conflicts: list[int] = field(default_factory=list)  # events both were registered for
    certificates_moved: list[int] = field(default_factory=list)
    certificates_revoked: list[int] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # the kept record's blanks filled


def _resolve_conflict(
    keep: Person, ours: Registration, theirs: Registration, summary: MergeSummary
) -> None:
    """Both records were registered for the event: the registration with the better
    attendance or completion stays (the kept record's on a tie), with the other's certificates
    (a second valid one is revoked: one valid certificate per registration) and its scores
    where the staying one has none."""
    winner, loser = (theirs, ours) if _standing(theirs) > _standing(ours) else (ours, theirs)
    summary.conflicts.append(ours.event_id)
    has_valid = any(c.is_valid for c in winner.certificates.all())
    for certificate in loser.certificates.order_by("pk"):
        fields = ["registration"]
        if certificate.is_valid and has_valid:
            certificate.revoked_at = timezone.now()
            certificate.revoked_reason = MERGE_REVOKE_REASON
            fields += ["revoked_at", "revoked_reason"]
            summary.certificates_revoked.append(certificate.pk)
        has_valid = has_valid or certificate.is_valid
        certificate.registration = winner
        certificate.save(update_fields=fields)
        summary.certificates_moved.append(certificate.pk)
    filled = [
        name
        for name in ("pre_score", "post_score")
        if getattr(winner, name) is None and getattr(loser, name) is not None
    ]
    for name in filled:
        setattr(winner, name, getattr(loser, name))
    loser.delete()
    if winner.person_id != keep.pk:
        winner.person = keep
        filled.append("person")
    if filled:
        winner.save(update_fields=filled)


@transaction.atomic
def merge_people(*, actor: User, keep: Person, merge: Person) -> MergeSummary:
    """The Secretariat merges two records of the same person into ``keep``: ``merge``'s
    registrations (and their certificates) move to it; where both were registered for the same
    event, the better attendance or completion stays; ``keep``'s blank fields take ``merge``'s
    values; ``merge`` is deleted. Audited by ids (``workplan.person.merge``)."""
    _require(is_secretariat(actor), _("Only the Secretariat merges participant records."))
    if keep.pk == merge.pk:
        raise ValidationError(_("Choose two different records to merge."))
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the records no longer exists."))
    keep, merge = locked[keep.pk], locked[merge.pk]
    summary = MergeSummary()
    ours = {
        r.event_id: r
        for r in Registration.objects.filter(person=keep).prefetch_related("certificates")
    }
    for registration in Registration.objects.filter(person=merge).prefetch_related("certificates"):
        if registration.event_id in ours:
            _resolve_conflict(keep, ours[registration.event_id], registration, summary)
        else:
            registration.person = keep
            registration.save(update_fields=["person"])
            summary.moved.append(registration.pk)
    for name in MERGE_FIELDS:
        attname = Person._meta.get_field(name).attname  # type: ignore[union-attr]
        if getattr(keep, attname) in ("", None) and getattr(merge, attname) not in ("", None):
            setattr(keep, attname, getattr(merge, attname))
            summary.fields.append(name)
    merged_pk = merge.pk
    merge.delete()  # first: its email moves to the kept record (one record per email)
    keep.save(update_fields=[*summary.fields, *_rekey(keep), *_link_account(keep)])
    _audit(
        actor=actor,
        action="workplan.person.merge",
        obj=keep,
        changes={
            "merged": f"participant #{merged_pk}",
            "registrations_moved": summary.moved,
            "conflicting_events": summary.conflicts,
            "certificates_moved": summary.certificates_moved,
            "certificates_revoked": summary.certificates_revoked,
            "fields": summary.fields,
        },
    )
    return summary


# --- Import ------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did."""

    people_created: int = 0
    people_updated: int = 0
    registrations_created: int = 0
    registrations_updated: int = 0
    person_ids: list[int] = field(default_factory=list)


def _import_row(actor: User, event: Event, row: Any, summary: ImportSummary) -> None:
    existing = find_person(
        full_name=row.details.full_name,
        email=row.details.email,
        member_state=row.details.member_state,
        organization_name=row.details.organization_name,
    )
    before = audit.snapshot(existing, PERSON_FIELDS) if existing is not None else None
    person, created = add_or_update_person(actor=actor, details=row.details, event=event)
    if created:
        summary.people_created += 1
    elif before is not None and audit.diff(person, before, PERSON_FIELDS):
        summary.people_updated += 1
    summary.person_ids.append(person.pk)
    registration = Registration.objects.filter(event=event, person=person).first()
    if registration is None:
        register_person(
            actor=actor,
            event=event,
            person=person,
            status=row.status,
            pre_score=row.pre_score,
            post_score=row.post_score,
        )
        summary.registrations_created += 1
    else:
        record_participation(
            actor=actor,
            registration=registration,
            status=row.status,
            pre_score=row.pre_score if row.pre_score is not None else registration.pre_score,
            post_score=(row.post_score if row.post_score is not None else registration.post_score),
        )
        summary.registrations_updated += 1


class ImportRejected(Exception):
    """Rows that cannot be applied: ``errors`` is a list of (line, column, reason)."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(errors)} rejected rows")
        self.errors = errors


def _first_message(error: ValidationError) -> tuple[str, str]:
    if hasattr(error, "error_dict"):
        name, messages = next(iter(error.message_dict.items()))
        return name, str(messages[0])
    return "", str(error.messages[0])


@transaction.atomic
def import_participants(*, actor: User, event: Event, rows: Iterable[Any]) -> ImportSummary:
    """Apply a validated participant list (``cicte.workplan.people_import.ParticipantRow``s)
    to ``event``, all or nothing: each person is found or created, then registered, or their
    registration updated with the list's status and scores. A row that the registry refuses
    (an update that would undo a certified completion...) rejects the whole list:
    :class:`ImportRejected` with every such row, and nothing is written."""
    _require(may_manage_participants(actor, event))
    summary = ImportSummary()
    errors: list[tuple[int, str, str]] = []
    for row in rows:
        try:
            with transaction.atomic():
                _import_row(actor, event, row, summary)
        except ValidationError as error:
            name, message = _first_message(error)
            errors.append((row.line, COLUMN_OF.get(name, name), message))
    if errors:
        raise ImportRejected(errors)
    audit.record(
        actor=actor,
        action="workplan.participants.import",
        obj=event,
        changes={
            "people_created": summary.people_created,
            "people_updated": summary.people_updated,
            "registrations_created": summary.registrations_created,
            "registrations_updated": summary.registrations_updated,
        },
    )
    return summary
