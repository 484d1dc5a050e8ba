"""Every write of the directory: keyword-only, ``actor`` first, atomic, audited.

Who may do what: national coordinators designate, replace and withdraw their own state's
contacts in the networks they coordinate; the Secretariat confirms designations where a network
requires it (and may act for any state); contacts keep their own details up to date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import Network, Organization, User
from cicte.core import audit
from cicte.directory.choices import (
    Availability,
    ContactKind,
    DesignationStatus,
    EmailKind,
    PhoneKind,
)
from cicte.directory.models import (
    Contact,
    ContactDesignation,
    ContactEmail,
    ContactLanguage,
    ContactPhone,
    DirectoryPolicy,
)
from cicte.directory.validation import normalize_phone, parse_pgp_key

CONTACT_FIELDS = (
    "kind",
    "name",
    "title",
    "time_zone",
    "availability",
    "office_hours_start",
    "office_hours_end",
    "office_days",
    "secure_channels",
    "notes",
    "is_active",
)
# The fields a contact may change on their own record (not their organisation or status).
SELF_SERVICE_FIELDS = frozenset(CONTACT_FIELDS) - {"kind", "is_active"}
LANGUAGE_CODES = frozenset(
    ["en", "es", "fr", "pt", "nl", "ht", "ar", "zh", "ru", "de", "it", "ja", "ko"]
)  # official OAS languages first; others contacts commonly work in
ALLOWED_DOCUMENT_TYPES = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("You do not have permission to do this."))


def policy_for(network: Network) -> DirectoryPolicy:
    return DirectoryPolicy.objects.get_or_create(network=network)[0]


def is_secretariat(actor: User) -> bool:
    return permissions.has_global_perm(actor, "directory.manage_designations")


def may_manage_contacts_of(actor: User, organization: Organization) -> bool:
    """Coordinators manage the contacts of their own state's organisations; the Secretariat all."""
    if is_secretariat(actor):
        return True
    state_id = organization.member_state_id
    return state_id is not None and permissions.can(
        actor, "directory.manage_designations", member_state_id=state_id
    )


def may_designate(actor: User, *, member_state_id: int, network: Network) -> bool:
    """A national coordinator designates for their own state in a network they coordinate."""
    return is_secretariat(actor) or permissions.can(
        actor,
        "directory.manage_designations",
        member_state_id=member_state_id,
        network_id=network.pk,
    )


def may_edit_contact(actor: User, contact: Contact) -> bool:
    return contact.user_id == actor.pk or may_manage_contacts_of(actor, contact.organization)


# --- Contacts ------------------------------------------------------------------------------


def _clean_languages(languages: list[str] | None) -> list[str]:
    codes = sorted(
        {(code or "").strip().lower() for code in languages or [] if (code or "").strip()}
    )
    unknown = [code for code in codes if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(
            {
                "languages": _(
                    "Unknown language codes: {codes}. Use ISO 639-1 codes such as en, es, fr, pt."
                ).format(codes=", ".join(unknown))
            }
        )
    return codes


def _clean_phones(phones: list[dict[str, Any]] | None, region: str | None) -> list[ContactPhone]:
    cleaned, errors = [], []
    for item in phones or []:
        kind = item.get("kind") or PhoneKind.OFFICE
        if kind not in PhoneKind.values:
            errors.append(_("Unknown phone kind {kind}.").format(kind=kind))
            continue
        try:
            number = normalize_phone(str(item.get("number", "")), region)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        cleaned.append(
            ContactPhone(kind=kind, number=number, extension=str(item.get("extension") or "")[:10])
        )
    if errors:
        raise ValidationError({"phones": errors})
    return cleaned


def _clean_emails(emails: list[dict[str, Any]] | None) -> list[ContactEmail]:
    from django.core.validators import validate_email

    cleaned, errors = [], []
    for item in emails or []:
        kind = item.get("kind") or EmailKind.INSTITUTIONAL
        address = str(item.get("address", "")).strip()
        if kind not in EmailKind.values:
            errors.append(_("Unknown email kind {kind}.").format(kind=kind))
            continue
        try:
            validate_email(address)
        except ValidationError:
            errors.append(_("{address} is not a valid email address.").format(address=address))
            continue
        cleaned.append(ContactEmail(kind=kind, address=address.lower()))
    if errors:
        raise ValidationError({"emails": errors})
    return cleaned


def _apply_pgp(contact: Contact, pgp_key: str | None) -> None:
    if pgp_key is None:
        return
    if not pgp_key.strip():
        contact.pgp_key, contact.pgp_fingerprint, contact.pgp_expires_at, contact.pgp_user_ids = (
            "",
            "",
            None,
            [],
        )
        return
    key = parse_pgp_key(pgp_key)
    contact.pgp_key = key.armored
    contact.pgp_fingerprint = key.fingerprint
    contact.pgp_expires_at = key.expires_at
    contact.pgp_user_ids = key.user_ids


def _replace_related(
    contact: Contact,
    phones: list[ContactPhone] | None,
    emails: list[ContactEmail] | None,
    languages: list[str] | None,
) -> None:
    if phones is not None:
        contact.phones.all().delete()
        for phone in phones:
            phone.contact = contact
        ContactPhone.objects.bulk_create(phones)
    if emails is not None:
        existing = {e.address: e for e in contact.emails.all()}
        contact.emails.all().delete()
        for email in emails:
            email.contact = contact
            # A known bad address stays flagged until someone confirms it works again.
            previous = existing.get(email.address)
            if previous is not None:
                email.bounced_at, email.bounce_reason = previous.bounced_at, previous.bounce_reason
        ContactEmail.objects.bulk_create(emails)
    if languages is not None:
        contact.languages.all().delete()
        ContactLanguage.objects.bulk_create(
            [ContactLanguage(contact=contact, code=code) for code in languages]
        )


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    data = audit.snapshot(contact, CONTACT_FIELDS)
    data["phones"] = sorted(f"{p.kind}:{p.number}" for p in contact.phones.all())
    data["emails"] = sorted(f"{e.kind}:{e.address}" for e in contact.emails.all())
    data["languages"] = sorted(contact.languages.values_list("code", flat=True))
    data["pgp_fingerprint"] = contact.pgp_fingerprint
    return data


def _contact_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: [audit._jsonable(before.get(key)), audit._jsonable(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


@transaction.atomic
def create_contact(
    *,
    actor: User,
    organization: Organization,
    name: str,
    kind: str = ContactKind.PERSON,
    title: str = "",
    time_zone: str = "UTC",
    availability: str = Availability.OFFICE_HOURS,
    office_hours_start: dt.time | None = None,
    office_hours_end: dt.time | None = None,
    office_days: list[int] | None = None,
    languages: list[str] | None = None,
    phones: list[dict[str, Any]] | None = None,
    emails: list[dict[str, Any]] | None = None,
    secure_channels: list[dict[str, Any]] | None = None,
    pgp_key: str | None = None,
    notes: str = "",
    user: User | None = None,
) -> Contact:
    """Record a contact of an organisation the actor manages."""
    _require(may_manage_contacts_of(actor, organization))
    region = organization.member_state.code if organization.member_state else None
    contact = Contact(
        organization=organization,
        name=name.strip(),
        kind=kind,
        title=title.strip(),
        time_zone=time_zone,
        availability=availability,
        office_hours_start=office_hours_start,
        office_hours_end=office_hours_end,
        office_days=office_days if office_days is not None else [1, 2, 3, 4, 5],
        secure_channels=secure_channels or [],
        notes=notes,
        user=user,
    )
    _apply_pgp(contact, pgp_key)
    cleaned_languages = _clean_languages(languages)
    cleaned_phones = _clean_phones(phones, region)
    cleaned_emails = _clean_emails(emails)
    if not cleaned_emails and not cleaned_phones:
        raise ValidationError({"emails": _("Give at least one email address or phone number.")})
    contact.full_clean()
    contact.save()
    _replace_related(contact, cleaned_phones, cleaned_emails, cleaned_languages)
    audit.record(
        actor=actor,
        action="directory.contact.create",
        obj=contact,
        changes=_contact_changes({}, _contact_snapshot(contact)),
    )
    return contact


@transaction.atomic
def update_contact(
    *,
    actor: User,
    contact: Contact,
    languages: list[str] | None = None,
    phones: list[dict[str, Any]] | None = None,
    emails: list[dict[str, Any]] | None = None,
    pgp_key: str | None = None,
    **fields: Any,
) -> Contact:
    """Change a contact's details: by the contact themselves (their own details) or by a
    manager of their organisation's contacts."""
    manager = may_manage_contacts_of(actor, contact.organization)
    _require(manager or contact.user_id == actor.pk)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown contact fields: {sorted(unknown)}")
    if not manager and not set(fields) <= SELF_SERVICE_FIELDS:
        raise PermissionDenied(_("Only your coordinator can change this."))
    before = _contact_snapshot(contact)
    for field, value in fields.items():
        setattr(contact, field, value)
    _apply_pgp(contact, pgp_key)
    region = contact.organization.member_state.code if contact.organization.member_state else None
    cleaned_phones = _clean_phones(phones, region) if phones is not None else None
    cleaned_emails = _clean_emails(emails) if emails is not None else None
    cleaned_languages = _clean_languages(languages) if languages is not None else None
    contact.full_clean()
    contact.save()
    _replace_related(contact, cleaned_phones, cleaned_emails, cleaned_languages)
    changes = _contact_changes(before, _contact_snapshot(contact))
    if changes:
        audit.record(actor=actor, action="directory.contact.update", obj=contact, changes=changes)
    # Details updated by the contact or their coordinator count as verified.
    ContactDesignation.objects.filter(contact=contact, status=DesignationStatus.ACTIVE).update(
        last_verified_at=timezone.now(), reminder_sent_at=None
    )
    return contact


# --- Designations --------------------------------------------------------------------------


def _check_document(document: UploadedFile | None) -> None:
    if document is None:
        return
    from django.conf import settings

    if document.size is not None and document.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            {
                "document": _("The document is larger than {size} MB.").format(
                    size=settings.MAX_UPLOAD_SIZE // 1048576
                )
            }
        )
    name = (document.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    magic = ALLOWED_DOCUMENT_TYPES.get(extension)
    head = document.read(8)
    document.seek(0)
    if magic is None or not head.startswith(magic):
        raise ValidationError({"document": _("The document must be a PDF, PNG or JPEG file.")})


def _activate(designation: ContactDesignation, *, on: dt.date) -> None:
    """Put a designation in force, ending the one it replaces."""
    designation.status = DesignationStatus.ACTIVE
    designation.effective_from = max(designation.valid_from, on)
    designation.last_verified_at = timezone.now()
    old = designation.replaces
    if old is not None and old.status == DesignationStatus.ACTIVE:
        old.status = DesignationStatus.REPLACED
        old.valid_to = max(designation.effective_from, old.effective_from or old.valid_from)
        old.ended_at = timezone.now()
        old.ended_by = designation.confirmed_by or designation.designated_by
        old.end_reason = _("Replaced")
        old.save(update_fields=["status", "valid_to", "ended_at", "ended_by", "end_reason"])


@transaction.atomic
def designate(
    *,
    actor: User,
    contact: Contact,
    network: Network,
    role: str,
    note_verbale_number: str = "",
    note_verbale_date: dt.date | None = None,
    document: UploadedFile | None = None,
    valid_from: dt.date | None = None,
    attributes: dict[str, Any] | None = None,
    replaces: ContactDesignation | None = None,
) -> ContactDesignation:
    """Member state (the contact's) designates ``contact`` to ``network`` in ``role``. Where the
    network requires it, the designation waits for Secretariat confirmation; otherwise (or when
    the Secretariat itself designates) it is in force from ``valid_from``."""
    state = contact.organization.member_state
    if state is None:
        raise ValidationError(
            {"contact": _("Only contacts of a member state's institutions can be designated.")}
        )
    _require(may_designate(actor, member_state_id=state.pk, network=network))
    policy = policy_for(network)
    if role not in dict(policy.role_choices):
        raise ValidationError({"role": _("This network does not use that designation role.")})
    if replaces is not None and (
        replaces.network_id != network.pk
        or replaces.member_state_id != state.pk
        or replaces.status != DesignationStatus.ACTIVE
    ):
        raise ValidationError(
            {
                "replaces": _(
                    "Only an active designation of the same state in the same network can be replaced."
                )
            }
        )
    if not contact.is_active:
        raise ValidationError({"contact": _("This contact is inactive.")})
    _check_document(document)
    today = timezone.localdate()
    designation = ContactDesignation(
        contact=contact,
        network=network,
        member_state=state,
        role=role,
        note_verbale_number=note_verbale_number.strip(),
        note_verbale_date=note_verbale_date,
        valid_from=valid_from or today,
        attributes=policy.clean_attributes(attributes),
        replaces=replaces,
        designated_by=actor,
    )
    if document is not None:
        designation.document = document
    designation.full_clean(exclude=["document"])
    secretariat = is_secretariat(actor)
    if policy.requires_confirmation and not secretariat:
        designation.status = DesignationStatus.PENDING
        designation.save()
    else:
        if secretariat and policy.requires_confirmation:
            designation.confirmed_by, designation.confirmed_at = actor, timezone.now()
        designation.save()
        _activate(
            designation, on=today if designation.valid_from < today else designation.valid_from
        )
        designation.save()
    audit.record(
        actor=actor,
        action="directory.designation.create",
        obj=designation,
        changes={
            "contact": contact.name,
            "network": network.slug,
            "role": role,
            "status": designation.status,
            "note_verbale": designation.note_verbale_number,
            "replaces": replaces.pk if replaces else None,
        },
    )
    if designation.status == DesignationStatus.PENDING:
        from cicte.directory import tasks

        pk = designation.pk
        transaction.on_commit(lambda: tasks.notify_pending_designation(pk))
    return designation


@transaction.atomic
def confirm_designation(*, actor: User, designation: ContactDesignation) -> ContactDesignation:
    """The Secretariat confirms a pending designation: it is in force from then (or from its
    valid-from date if later)."""
    _require(permissions.has_global_perm(actor, "directory.confirm_designations"))
    if designation.status != DesignationStatus.PENDING:
        raise ValidationError(_("Only a designation awaiting confirmation can be confirmed."))
    designation.confirmed_by, designation.confirmed_at = actor, timezone.now()
    _activate(designation, on=timezone.localdate())
    designation.save()
    audit.record(actor=actor, action="directory.designation.confirm", obj=designation)
    return designation


@transaction.atomic
def reject_designation(
    *, actor: User, designation: ContactDesignation, reason: str
) -> ContactDesignation:
    _require(permissions.has_global_perm(actor, "directory.confirm_designations"))
    if designation.status != DesignationStatus.PENDING:
        raise ValidationError(_("Only a designation awaiting confirmation can be rejected."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the designating state.")})
    designation.status = DesignationStatus.REJECTED
    designation.ended_by, designation.ended_at, designation.end_reason = (
        actor,
        timezone.now(),
        reason.strip(),
    )
    designation.save(update_fields=["status", "ended_by", "ended_at", "end_reason"])
    audit.record(
        actor=actor,
        action="directory.designation.reject",
        obj=designation,
        changes={"reason": reason},
    )
    return designation


@transaction.atomic
def withdraw_designation(
    *, actor: User, designation: ContactDesignation, reason: str = "", on: dt.date | None = None
) -> ContactDesignation:
    """End a designation (the state withdraws it); it stays in the history."""
    _require(
        may_designate(
            actor, member_state_id=designation.member_state_id, network=designation.network
        )
    )
    if designation.status not in (DesignationStatus.ACTIVE, DesignationStatus.PENDING):
        raise ValidationError(_("This designation has already ended."))
    end = on or timezone.localdate()
    if designation.status == DesignationStatus.ACTIVE:
        start = designation.effective_from or designation.valid_from
        if end < start:
            raise ValidationError({"on": _("A designation cannot end before it came into force.")})
        designation.valid_to = end
    designation.status = DesignationStatus.WITHDRAWN
    designation.ended_by, designation.ended_at, designation.end_reason = (
        actor,
        timezone.now(),
        reason.strip(),
    )
    designation.save(update_fields=["status", "valid_to", "ended_by", "ended_at", "end_reason"])
    audit.record(
        actor=actor,
        action="directory.designation.withdraw",
        obj=designation,
        changes={"reason": reason, "valid_to": end.isoformat()},
    )
    return designation


@transaction.atomic
def verify_designation(*, actor: User, designation: ContactDesignation) -> ContactDesignation:
    """The contact or their coordinator confirms that the details are still right."""
    _require(
        designation.contact.user_id == actor.pk
        or may_designate(
            actor, member_state_id=designation.member_state_id, network=designation.network
        )
    )
    if designation.status != DesignationStatus.ACTIVE:
        raise ValidationError(_("Only an active designation can be verified."))
    designation.last_verified_at, designation.reminder_sent_at = timezone.now(), None
    designation.save(update_fields=["last_verified_at", "reminder_sent_at"])
    audit.record(actor=actor, action="directory.designation.verify", obj=designation)
    return designation


@transaction.atomic
def update_policy(*, actor: User, network: Network, **fields: Any) -> DirectoryPolicy:
    """The Secretariat sets how a network keeps its directory (and how soon the secure exchange
    escalates its unacknowledged immediate messages: ``exchange_escalate_after_minutes``, None for
    the platform default). Only the fields given change."""
    _require(permissions.has_global_perm(actor, "accounts.manage_networks"))
    policy = policy_for(network)
    names = (
        "requires_confirmation",
        "verification_days",
        "reminder_days",
        "sensitive_fields",
        "roles",
        "attribute_schema",
        "exchange_escalate_after_minutes",
    )
    unknown = set(fields) - set(names)
    if unknown:
        raise ValueError(f"Unknown policy fields: {sorted(unknown)}")
    before = audit.snapshot(policy, names)
    for field, value in fields.items():
        setattr(policy, field, value)
    policy.full_clean()
    policy.save()
    audit.record(
        actor=actor,
        action="directory.policy.update",
        obj=policy,
        changes=audit.diff(policy, before, names),
    )
    return policy
