"""The directory's exchange formats: exports (vCard, CSV) and the CSV import.

Exports read only through ``visible_to``, are limited to where the reader holds
``directory.export_contacts`` (:class:`ExportScope`), leave out the sensitive fields (mobile and
24/7 phones, personal emails, OpenPGP key and fingerprint) wherever
:func:`cicte.directory.selectors.can_see_sensitive` says so, flag stale designations, and stream
their rows so that large exports do not sit in memory.

vCards are written with the maintained ``vobject`` library, which writes vCard 3.0 (RFC 2426).
RFC 6350 (vCard 4.0) is what the platform would prefer, but no maintained Python library writes
it; the cards keep to 3.0 and carry the few 4.0 ideas that 3.0 readers tolerate (``LANG``,
``TZ`` as text) and our own ``X-CICTE-*`` properties.

The import takes a CSV file of contacts and their designations (:data:`IMPORT_COLUMNS`), checks
every row through the services, and writes everything or nothing: one bad row and the whole
file is rolled back, with a row-by-row report of what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import pysequoia
import vobject
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import MemberState, Network, Organization, User
from cicte.core import audit
from cicte.core.csvutil import Echo as EchoBuffer
from cicte.core.csvutil import neutralise
from cicte.directory import selectors, services
from cicte.directory.choices import (
    AttributeType,
    Availability,
    ContactKind,
    DesignationRole,
    DesignationStatus,
    EmailKind,
    PhoneKind,
)
from cicte.directory.models import Contact, ContactDesignation, DirectoryPolicy
from cicte.directory.validation import normalize_phone

EXPORT_PERM = "directory.export_contacts"
EXPORT_CHUNK_SIZE = 500
ATTRIBUTE_PREFIX = "attr:"


# --- Who may export what ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportScope:
    """Where a user holds ``directory.export_contacts``: everywhere (a global grant), in some
    networks (network roles: members, national coordinators), or for their organisation's
    contacts (organisation administrators). An export never reaches beyond what the user sees
    (``visible_to``); the scope narrows that further."""

    everything: bool
    network_ids: frozenset[int]
    organization_ids: frozenset[int]

    @classmethod
    def of(cls, user: Any) -> ExportScope:
        return cls(
            everything=permissions.has_global_perm(user, EXPORT_PERM),
            network_ids=frozenset(permissions.networks_with_perm(user, EXPORT_PERM)),
            organization_ids=frozenset(permissions.organizations_with_perm(user, EXPORT_PERM)),
        )

    def __bool__(self) -> bool:
        return self.everything or bool(self.network_ids) or bool(self.organization_ids)

    def restrict(self, designations: QuerySet[ContactDesignation]) -> QuerySet[ContactDesignation]:
        if self.everything:
            return designations
        return designations.filter(
            Q(network_id__in=sorted(self.network_ids))
            | Q(contact__organization_id__in=sorted(self.organization_ids))
        )

    def covers_contact(
        self, user: Any, contact: Contact, designations: Iterable[ContactDesignation]
    ) -> bool:
        """Whether the user may export ``contact`` (one they see), given its designations that
        they see: through one of those designations' networks, the contact's organisation, or,
        for a national coordinator, because the contact is of their own state."""
        if not self:
            return False
        if self.everything or contact.organization_id in self.organization_ids:
            return True
        if contact.user_id is not None and contact.user_id == user.pk:
            return True
        if any(d.network_id in self.network_ids for d in designations):
            return True
        state_id = contact.organization.member_state_id
        return state_id is not None and state_id in permissions.member_states_with_perm(
            user, "directory.manage_designations"
        )


def visible_designations_prefetch(user: Any, lookup: str = "designations") -> Prefetch:
    """The contact's designations that ``user`` sees, as ``visible_designations``: what
    :func:`selectors.can_see_sensitive` weighs."""
    return Prefetch(
        lookup,
        queryset=ContactDesignation.objects.visible_to(user).select_related(
            "network", "member_state"
        ),
        to_attr="visible_designations",
    )


def contact_prefetches(user: Any, prefix: str = "") -> list[Any]:
    """What every export row and API row of a contact reads, in a constant number of queries."""
    return [
        f"{prefix}phones",
        f"{prefix}emails",
        f"{prefix}languages",
        visible_designations_prefetch(user, f"{prefix}designations"),
    ]


def sensitive_for(user: Any, contact: Contact, policies: dict[int, DirectoryPolicy]) -> bool:
    """Whether ``user`` sees the contact's sensitive fields, weighing the designations of it
    that they see (prefetched as ``visible_designations``, or read here)."""
    cached = getattr(contact, "_sensitive_for", None)
    if cached is not None and cached[0] == user.pk:
        return bool(cached[1])
    designations = getattr(contact, "visible_designations", None)
    if designations is None:
        designations = list(ContactDesignation.objects.visible_to(user).filter(contact=contact))
    selectors.attach_policies(designations, policies)
    sensitive = selectors.can_see_sensitive(user, contact, designations)
    contact._sensitive_for = (user.pk, sensitive)  # type: ignore[attr-defined]
    return sensitive


def active_filters(filterset: Any) -> dict[str, Any]:
    """The filters in use, as plain values, for the export's audit event."""
    if not filterset.is_bound or not filterset.is_valid():
        return {}

    def plain(value: Any) -> Any:
        if isinstance(value, MemberState):
            return value.code
        if isinstance(value, (Network, Organization)):
            return value.slug
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, (list, tuple, QuerySet)):
            return [plain(v) for v in value]
        if isinstance(value, (bool, int, float)) or value is None:
            return value
        return str(value)

    return {
        name: plain(value)
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [], ()) and not (isinstance(value, QuerySet) and not value)
    }


# --- What a row shows ------------------------------------------------------------------------


def _phone_text(phone: Any) -> str:
    return f"{phone.number} ext. {phone.extension}" if phone.extension else phone.number


def _availability_text(contact: Contact) -> str:
    if contact.availability == Availability.ALWAYS:
        return _("Available 24 hours a day, 7 days a week.")
    if contact.office_hours_start and contact.office_hours_end:
        return _("Office hours {start} to {end} ({time_zone}).").format(
            start=contact.office_hours_start.strftime("%H:%M"),
            end=contact.office_hours_end.strftime("%H:%M"),
            time_zone=contact.time_zone,
        )
    return _("Office hours ({time_zone}).").format(time_zone=contact.time_zone)


def designation_line(designation: ContactDesignation) -> str:
    """One designation in words, for a vCard's note: network, role, state, status, staleness."""
    line = _("{network}: {role}, designated by {state} ({status})").format(
        network=designation.network.localized_name,
        role=designation.get_role_display(),
        state=designation.member_state.localized_name,
        status=designation.get_status_display(),
    )
    if designation.is_stale:
        line += " · " + _("STALE: verification overdue since {date}").format(
            date=designation.due_at.date().isoformat() if designation.due_at else ""
        )
    return line


# --- vCard -----------------------------------------------------------------------------------

VCARD_PHONE_TYPES = {
    PhoneKind.OFFICE: ["WORK", "VOICE"],
    PhoneKind.MOBILE: ["CELL", "VOICE"],
    PhoneKind.HOTLINE: ["WORK", "VOICE", "X-24-7"],
}
VCARD_EMAIL_TYPES = {
    EmailKind.INSTITUTIONAL: ["INTERNET", "WORK"],
    EmailKind.FUNCTIONAL: ["INTERNET", "WORK"],
    EmailKind.PERSONAL: ["INTERNET", "HOME"],
}


def _pgp_binary(armored: str) -> bytes | None:
    try:
        return bytes(pysequoia.Cert.from_bytes(armored.encode()))
    except Exception:
        # A stored key was valid when saved; one that no longer parses is left out, not fatal.
        return None


def contact_vcard(
    contact: Contact, designations: Iterable[ContactDesignation], *, sensitive: bool
) -> vobject.base.Component:
    """A vCard 3.0 of ``contact`` (vobject writes 3.0; no maintained Python library writes 4.0):
    FN, N, ORG, TITLE, TEL (TYPE work, cell, or X-24-7 for a 24/7 line), EMAIL, LANG, TZ, NOTE
    (availability, each designation's network and role, and the stale flag), and, only where
    the reader may see them, the sensitive phones and emails, KEY (the OpenPGP public key) and
    X-CICTE-FINGERPRINT."""
    designations = list(designations)
    card = vobject.vCard()
    card.add("uid").value = f"urn:cicte:directory:contact:{contact.pk}"
    card.add("fn").value = contact.name
    # Family and given names are not split: the platform keeps names whole, as people write
    # them (two family names, given names first or last); N is required by vCard 3.0.
    if contact.kind == ContactKind.PERSON:
        card.add("n").value = vobject.vcard.Name(family=contact.name)
    else:
        card.add("n").value = vobject.vcard.Name()
        card.add("x-abshowas").value = "COMPANY"
    organization = contact.organization
    card.add("org").value = [organization.name]
    if contact.title:
        card.add("title").value = contact.title
    for phone in selectors.public_phones(contact, sensitive):
        tel = card.add("tel")
        tel.value = _phone_text(phone)
        tel.params["TYPE"] = VCARD_PHONE_TYPES.get(phone.kind, ["VOICE"])
    for email in selectors.public_emails(contact, sensitive):
        item = card.add("email")
        item.value = email.address
        item.params["TYPE"] = VCARD_EMAIL_TYPES.get(email.kind, ["INTERNET"])
    for code in contact.language_codes:
        card.add("lang").value = code
    tz = card.add("tz")
    tz.value = contact.time_zone
    tz.params["VALUE"] = ["text"]
    note = [_availability_text(contact), *(designation_line(d) for d in designations)]
    card.add("note").value = "\n".join(note)
    stale = any(d.is_stale for d in designations)
    card.add("x-cicte-stale").value = "true" if stale else "false"
    if sensitive and contact.pgp_key:
        binary = _pgp_binary(contact.pgp_key)
        if binary is not None:
            key = card.add("key")
            key.value = binary
            key.params["TYPE"] = ["PGP"]
            key.encoding_param = "b"
    if sensitive and contact.pgp_fingerprint:
        card.add("x-cicte-fingerprint").value = contact.pgp_fingerprint
    card.add("rev").value = contact.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return card


def vcard_stream(user: Any, designations: QuerySet[ContactDesignation]) -> Iterator[str]:
    """One vCard per contact of ``designations`` (already visible and in the export scope),
    each noting the designations of the export that name it."""
    policies = selectors.policies_by_network()
    rows = (
        designations.select_related(
            "contact__organization__member_state", "network", "member_state"
        )
        .prefetch_related(*contact_prefetches(user, "contact__"))
        .order_by("contact__name", "contact_id", "network__slug", "role", "pk")
        .iterator(EXPORT_CHUNK_SIZE)
    )
    for _contact_id, group in itertools.groupby(rows, key=lambda d: d.contact_id):
        items = list(group)
        selectors.attach_policies(items, policies)
        contact = items[0].contact
        sensitive = sensitive_for(user, contact, policies)
        yield contact_vcard(contact, items, sensitive=sensitive).serialize()


# --- CSV -------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "designation_id",
    "contact_id",
    "name",
    "kind",
    "title",
    "organization",
    "organization_name",
    "member_state",
    "network",
    "role",
    "status",
    "languages",
    "time_zone",
    "availability",
    "office_phone",
    "mobile_phone",
    "phone_24_7",
    "institutional_email",
    "functional_email",
    "personal_email",
    "pgp_fingerprint",
    "pgp_expires_at",
    "note_verbale_number",
    "note_verbale_date",
    "valid_from",
    "valid_to",
    "effective_from",
    "last_verified_at",
    "due_at",
    "stale",
]
PHONE_COLUMNS = {
    "office_phone": PhoneKind.OFFICE,
    "mobile_phone": PhoneKind.MOBILE,
    "phone_24_7": PhoneKind.HOTLINE,
}
EMAIL_COLUMNS = {
    "institutional_email": EmailKind.INSTITUTIONAL,
    "functional_email": EmailKind.FUNCTIONAL,
    "personal_email": EmailKind.PERSONAL,
}
MULTI_SEPARATOR = "; "


def attribute_keys(policies: Iterable[DirectoryPolicy]) -> list[str]:
    """Every network-specific attribute key, in a stable order (one column each)."""
    keys: list[str] = []
    for policy in sorted(policies, key=lambda p: p.network_id):
        for item in policy.attribute_schema or []:
            if isinstance(item, dict) and item.get("key") and item["key"] not in keys:
                keys.append(str(item["key"]))
    return keys


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def _attribute_text(value: Any) -> str:
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def csv_row(
    designation: ContactDesignation, *, sensitive: bool, attribute_columns: list[str]
) -> list[str]:
    """One designation as a CSV row (:data:`EXPORT_COLUMNS` then ``attr:<key>`` columns); the
    sensitive columns are empty where the reader may not see them."""
    contact = designation.contact
    phones = selectors.public_phones(contact, sensitive)
    emails = selectors.public_emails(contact, sensitive)
    organization = contact.organization
    values: dict[str, Any] = {
        "designation_id": designation.pk,
        "contact_id": contact.pk,
        "name": contact.name,
        "kind": contact.kind,
        "title": contact.title,
        "organization": organization.slug,
        "organization_name": organization.name,
        "member_state": designation.member_state.code,
        "network": designation.network.slug,
        "role": designation.role,
        "status": designation.status,
        "languages": MULTI_SEPARATOR.join(contact.language_codes),
        "time_zone": contact.time_zone,
        "availability": contact.availability,
        "pgp_fingerprint": contact.pgp_fingerprint if sensitive else "",
        "pgp_expires_at": _iso(contact.pgp_expires_at) if sensitive else "",
        "note_verbale_number": designation.note_verbale_number,
        "note_verbale_date": _iso(designation.note_verbale_date),
        "valid_from": _iso(designation.valid_from),
        "valid_to": _iso(designation.valid_to),
        "effective_from": _iso(designation.effective_from),
        "last_verified_at": _iso(designation.last_verified_at),
        "due_at": _iso(designation.due_at),
        "stale": "true" if designation.is_stale else "false",
    }
    for column, phone_kind in PHONE_COLUMNS.items():
        values[column] = MULTI_SEPARATOR.join(
            _phone_text(p) for p in phones if p.kind == phone_kind
        )
    for column, email_kind in EMAIL_COLUMNS.items():
        values[column] = MULTI_SEPARATOR.join(e.address for e in emails if e.kind == email_kind)
    attributes = designation.attributes if isinstance(designation.attributes, dict) else {}
    row = [neutralise(values[column]) for column in EXPORT_COLUMNS]
    row.extend(neutralise(_attribute_text(attributes.get(key))) for key in attribute_columns)
    return row


def csv_stream(user: Any, designations: QuerySet[ContactDesignation]) -> Iterator[str]:
    """The header row, then one row per designation (already visible and in the export scope),
    as CSV lines."""
    policies = selectors.policies_by_network()
    keys = attribute_keys(policies.values())
    writer = csv.writer(EchoBuffer())
    yield writer.writerow([*EXPORT_COLUMNS, *(neutralise(ATTRIBUTE_PREFIX + key) for key in keys)])
    rows = (
        designations.select_related(
            "contact__organization__member_state", "network", "member_state"
        )
        .prefetch_related(*contact_prefetches(user, "contact__"))
        .order_by("network__slug", "member_state__code", "role", "contact__name", "pk")
        .iterator(EXPORT_CHUNK_SIZE)
    )
    for designation in rows:
        selectors.attach_policies([designation], policies)
        sensitive = sensitive_for(user, designation.contact, policies)
        yield writer.writerow(csv_row(designation, sensitive=sensitive, attribute_columns=keys))


# --- Import ----------------------------------------------------------------------------------

# The columns of an import file, in the template's order. Network-specific attributes follow as
# ``attr:<key>`` columns (e.g. ``attr:constituency``, ``attr:expertise_areas``).
IMPORT_COLUMNS = [
    "organization",
    "name",
    "kind",
    "title",
    "languages",
    "time_zone",
    "availability",
    "office_phone",
    "mobile_phone",
    "phone_24_7",
    "institutional_email",
    "functional_email",
    "personal_email",
    "network",
    "role",
    "note_verbale_number",
    "note_verbale_date",
    "valid_from",
]
REQUIRED_COLUMNS = ("organization", "name", "network", "role")
# The columns that describe the contact (rather than its designation): rows that name the same
# contact twice must agree on them, or leave them empty.
CONTACT_COLUMNS = (
    "kind",
    "title",
    "languages",
    "time_zone",
    "availability",
    *PHONE_COLUMNS,
    *EMAIL_COLUMNS,
)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
AVAILABILITY_ALIASES = {"24/7": Availability.ALWAYS, "24x7": Availability.ALWAYS}
# Exports neutralise spreadsheet formulas with a leading apostrophe; an import takes it off again.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, header)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # empty when the message is about the whole row or file
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    contacts_created: list[str] = field(default_factory=list)
    contacts_reused: list[str] = field(default_factory=list)
    designations_created: int = 0
    pending_confirmation: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and self.rows > 0


def template_header(policies: Iterable[DirectoryPolicy] | None = None) -> list[str]:
    """The header row of an import file: :data:`IMPORT_COLUMNS` and every network's
    ``attr:<key>`` columns."""
    if policies is None:
        policies = DirectoryPolicy.objects.all()
    return [*IMPORT_COLUMNS, *(ATTRIBUTE_PREFIX + key for key in attribute_keys(policies))]


def decode_upload(data: bytes, *, max_bytes: int | None = MAX_IMPORT_BYTES) -> str:
    """The file's text: UTF-8, with or without a byte-order mark; anything else is refused with
    a message that says how to save the file."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportFileError(
            _("The file is larger than {size} KB: split it into several files.").format(
                size=max_bytes // 1024
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (the first bad byte is at position {position}). "
                'In your spreadsheet, save it as "CSV UTF-8".'
            ).format(position=exc.start + 1)
        ) from exc
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    return text


def _read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in Spanish, French and Portuguese save "CSV" with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not valid CSV near line {line}: {error}.").format(
                line=reader.line_num, error=exc
            )
        ) from exc
    if not rows:
        raise ImportFileError(
            _("The file is empty: it needs a header row and one row per designation.")
        )
    header = [cell.strip().lstrip("\ufeff").lower() for cell in rows[0]]
    return header, rows[1:]


def _check_header(header: list[str]) -> list[RowError]:
    errors = []
    known = set(IMPORT_COLUMNS)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, _("This column appears twice.")))
        seen.add(name)
        if name in known or (
            name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX)
        ):
            continue
        if name == "":
            errors.append(RowError(1, "", _("A column has no name in the header row.")))
        else:
            errors.append(
                RowError(
                    1,
                    name,
                    _("Unknown column. The columns are: {columns}, and attr:<key>.").format(
                        columns=", ".join(IMPORT_COLUMNS)
                    ),
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, _("This column is required.")))
    return errors


def _cell_value(value: str) -> str:
    return _NEUTRALISED.sub("", value.strip())


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            _("{value} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31.").format(value=value)
        ) from exc


def _phone_entries(value: str, kind: str, region: str | None) -> list[dict[str, str]]:
    entries = []
    for raw in (part.strip() for part in value.split(";")):
        if not raw:
            continue
        number = normalize_phone(raw, region)
        # normalize_phone has just parsed it: only the extension is left to read.
        extension = phonenumbers.parse(raw, region).extension or ""
        entries.append({"kind": kind, "number": number, "extension": extension})
    return entries


def _email_entries(value: str, kind: str) -> list[dict[str, str]]:
    entries = []
    for address in (part.strip() for part in value.split(";")):
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                _("{address} is not a valid email address.").format(address=address)
            ) from exc
        entries.append({"kind": kind, "address": address})
    return entries


# Where a service's field errors belong in the file.
SERVICE_FIELD_COLUMNS = {
    "name": "name",
    "kind": "kind",
    "title": "title",
    "time_zone": "time_zone",
    "availability": "availability",
    "languages": "languages",
    "emails": "institutional_email",
    "role": "role",
    "note_verbale_number": "note_verbale_number",
    "note_verbale_date": "note_verbale_date",
    "valid_from": "valid_from",
    "valid_to": "valid_from",
    "contact": "name",
    "organization": "organization",
}


def _service_errors(row: int, exc: ValidationError, default_column: str = "") -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row, SERVICE_FIELD_COLUMNS.get(name, default_column), str(message))
            for name, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [RowError(row, default_column, str(message)) for message in exc.messages]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class _ParsedRow:
    number: int
    values: dict[str, str]
    organization: Organization | None = None
    network: Network | None = None
    policy: DirectoryPolicy | None = None
    contact_fields: dict[str, Any] = field(default_factory=dict)
    designation_fields: dict[str, Any] = field(default_factory=dict)


class _Importer:
    """One import run: looks records up once, parses each row, then writes through the
    services inside the caller's transaction."""

    def __init__(self, actor: User, header: list[str], result: ImportResult) -> None:
        self.actor = actor
        self.header = header
        self.result = result
        self.organizations = {
            org.slug: org
            for org in Organization.objects.visible_to(actor).select_related("member_state")
        }
        self.networks = {network.slug: network for network in Network.objects.visible_to(actor)}
        self.policies = selectors.policies_by_network()
        # (organisation id, name key) -> (first row number, its contact columns, the contact)
        self.contacts: dict[tuple[int, str], tuple[int, dict[str, str], Contact | None]] = {}
        # The member states whose contacts the file touches, for the audit trail.
        self.state_ids: set[int] = set()

    def error(self, row: int, column: str, message: str) -> None:
        self.result.errors.append(RowError(row, column, message))

    def parse(self, number: int, cells: list[str]) -> _ParsedRow | None:
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            self.error(number, "", _("This row has more cells than the header has columns."))
            return None
        values = {
            name: _cell_value(cells[i]) if i < len(cells) else ""
            for i, name in enumerate(self.header)
        }
        parsed = _ParsedRow(number=number, values=values)
        errors_before = len(self.result.errors)
        for name in REQUIRED_COLUMNS:
            if not values.get(name):
                self.error(number, name, _("This column must not be empty."))

        slug = values.get("organization", "")
        if slug:
            parsed.organization = self.organizations.get(slug.lower())
            if parsed.organization is None:
                self.error(
                    number,
                    "organization",
                    _("No organisation has the short name {slug}.").format(slug=slug),
                )
        region = (
            parsed.organization.member_state.code
            if parsed.organization and parsed.organization.member_state
            else None
        )
        network_slug = values.get("network", "")
        if network_slug:
            parsed.network = self.networks.get(network_slug.lower())
            if parsed.network is None:
                self.error(
                    number,
                    "network",
                    _("No network has the short name {slug}.").format(slug=network_slug),
                )
            else:
                parsed.policy = self.policies.get(parsed.network.pk) or DirectoryPolicy(
                    network=parsed.network
                )

        fields = parsed.contact_fields
        fields["name"] = " ".join(values.get("name", "").split())
        fields["title"] = values.get("title", "")
        kind = values.get("kind", "").lower()
        if kind and kind not in ContactKind.values:
            self.error(
                number,
                "kind",
                _("Write one of: {values}.").format(values=", ".join(ContactKind.values)),
            )
        fields["kind"] = kind or ContactKind.PERSON
        availability = values.get("availability", "").lower()
        availability = AVAILABILITY_ALIASES.get(availability, availability)
        if availability and availability not in Availability.values:
            self.error(
                number,
                "availability",
                _("Write one of: {values}.").format(values=", ".join(Availability.values)),
            )
        fields["availability"] = availability or Availability.OFFICE_HOURS
        fields["time_zone"] = values.get("time_zone", "") or "UTC"
        fields["languages"] = [code.lower() for code in _split(values.get("languages", ""))]
        phones: list[dict[str, str]] = []
        for column, phone_kind in PHONE_COLUMNS.items():
            try:
                phones += _phone_entries(values.get(column, ""), phone_kind, region)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(number, column, message)
        fields["phones"] = phones
        emails: list[dict[str, str]] = []
        for column, email_kind in EMAIL_COLUMNS.items():
            try:
                emails += _email_entries(values.get(column, ""), email_kind)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(number, column, message)
        fields["emails"] = emails

        designation = parsed.designation_fields
        role = values.get("role", "").lower()
        designation["role"] = role
        if role and parsed.policy is not None and role not in dict(parsed.policy.role_choices):
            self.error(
                number,
                "role",
                _("The network {network} does not use the role {role}; it uses: {roles}.").format(
                    network=parsed.network.slug if parsed.network else "",
                    role=role,
                    roles=", ".join(dict(parsed.policy.role_choices)),
                ),
            )
        designation["note_verbale_number"] = values.get("note_verbale_number", "")
        for column in ("note_verbale_date", "valid_from"):
            designation[column] = None
            if values.get(column):
                try:
                    designation[column] = _parse_date(values[column])
                except ValidationError as exc:
                    self.error(number, column, exc.messages[0])
        designation["attributes"] = self._attributes(parsed)
        return parsed if len(self.result.errors) == errors_before else None

    def _attributes(self, parsed: _ParsedRow) -> dict[str, Any]:
        given = {
            name[len(ATTRIBUTE_PREFIX) :]: value
            for name, value in parsed.values.items()
            if name.startswith(ATTRIBUTE_PREFIX) and value
        }
        policy = parsed.policy
        if policy is None:
            return given
        schema = {item["key"]: item for item in policy.attribute_schema or []}
        for key, value in given.items():
            column = ATTRIBUTE_PREFIX + key
            if key not in schema:
                self.error(
                    parsed.number,
                    column,
                    _("The network {network} has no attribute {key}.").format(
                        network=parsed.values.get("network", ""), key=key
                    ),
                )
                continue
            try:
                DirectoryPolicy(
                    attribute_schema=[{**schema[key], "required": False}]
                ).clean_attributes({key: value})
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(parsed.number, column, message)
        for key, item in schema.items():
            if item.get("required") and key not in given:
                self.error(
                    parsed.number,
                    ATTRIBUTE_PREFIX + key,
                    _("The attribute {key} is required.").format(key=key),
                )
        return given

    def write(self, parsed: _ParsedRow) -> None:
        assert parsed.organization is not None and parsed.network is not None
        number = parsed.number
        key = (parsed.organization.pk, _name_key(parsed.contact_fields["name"]))
        columns = {name: parsed.values.get(name, "") for name in CONTACT_COLUMNS}
        seen = self.contacts.get(key)
        if seen is not None:
            first_row, first_columns, contact = seen
            for name, value in columns.items():
                if value and value != first_columns.get(name, ""):
                    self.error(
                        number,
                        name,
                        _("Differs from row {row}, which describes the same contact.").format(
                            row=first_row
                        ),
                    )
            if contact is None:
                return  # its first row failed, and says why
        else:
            contact = self._contact(parsed)
            self.contacts[key] = (number, columns, contact)
            if contact is None:
                return
        if parsed.organization.member_state_id is not None:
            self.state_ids.add(parsed.organization.member_state_id)
        self._designate(parsed, contact)

    def _contact(self, parsed: _ParsedRow) -> Contact | None:
        organization = parsed.organization
        assert organization is not None
        number = parsed.number
        if not services.may_manage_contacts_of(self.actor, organization):
            self.error(
                number,
                "organization",
                _("You may not manage the contacts of {organization}.").format(
                    organization=organization.name
                ),
            )
            return None
        fields = parsed.contact_fields
        existing = (
            Contact.objects.visible_to(self.actor)
            .filter(organization=organization, is_active=True, name__iexact=fields["name"])
            .first()
        )
        if existing is not None:
            self.result.contacts_reused.append(existing.name)
            return existing
        try:
            with transaction.atomic():
                contact = services.create_contact(
                    actor=self.actor, organization=organization, **fields
                )
        except ValidationError as exc:
            for error in _service_errors(number, exc):
                self.result.errors.append(error)
            return None
        except PermissionDenied as exc:
            self.error(number, "organization", str(exc))
            return None
        self.result.contacts_created.append(contact.name)
        return contact

    def _designate(self, parsed: _ParsedRow, contact: Contact) -> None:
        network = parsed.network
        assert network is not None
        fields = parsed.designation_fields
        number = parsed.number
        duplicate = ContactDesignation.objects.filter(
            contact=contact,
            network=network,
            role=fields["role"],
            status__in=[DesignationStatus.ACTIVE, DesignationStatus.PENDING],
        ).first()
        if duplicate is not None:
            self.error(
                number,
                "role",
                _("{name} is already designated to {network} in this role.").format(
                    name=contact.name, network=network.slug
                ),
            )
            return
        try:
            with transaction.atomic():
                designation = services.designate(
                    actor=self.actor, contact=contact, network=network, **fields
                )
        except ValidationError as exc:
            self.result.errors.extend(_service_errors(number, exc))
            return
        except PermissionDenied:
            state = contact.organization.member_state
            self.error(
                number,
                "network",
                _("You may not designate contacts of {state} to {network}.").format(
                    state=state.localized_name if state else contact.organization.name,
                    network=network.slug,
                ),
            )
            return
        self.result.designations_created += 1
        if designation.status == DesignationStatus.PENDING:
            self.result.pending_confirmation += 1


def may_import(actor: Any) -> bool:
    """National coordinators (for their own state) and the Secretariat import contacts."""
    return services.is_secretariat(actor) or bool(
        permissions.member_states_with_perm(actor, "directory.manage_designations")
    )


def import_contacts(
    *,
    actor: User,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    max_bytes: int | None = MAX_IMPORT_BYTES,
    max_rows: int | None = MAX_IMPORT_ROWS,
) -> ImportResult:
    """Import a CSV file of contacts and designations: every row is checked and written through
    the services (which check the actor's rights on each), in one transaction. If any row fails,
    or with ``dry_run``, nothing is kept, and :attr:`ImportResult.errors` says, row by row and
    column by column, what is wrong. A successful import is one audit event (``directory.import``)
    beside the services' own.

    Rows that name the same organisation and contact name are one contact; a contact of that
    name already in the organisation is designated as it is (its details are not changed)."""
    if not may_import(actor):
        raise PermissionDenied(_("You may not import contacts."))
    result = ImportResult(dry_run=dry_run)
    try:
        header, rows = _read_rows(decode_upload(data, max_bytes=max_bytes))
    except ImportFileError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    result.errors.extend(_check_header(header))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    result.rows = len(rows)
    if not rows and not result.errors:
        result.errors.append(RowError(0, "", _("The file has a header row but no designations.")))
    if max_rows is not None and len(rows) > max_rows:
        result.errors.append(
            RowError(
                0,
                "",
                _("The file has {count} rows; import at most {limit} at a time.").format(
                    count=len(rows), limit=max_rows
                ),
            )
        )
    if result.errors:
        return result
    importer = _Importer(actor, header, result)
    with transaction.atomic():
        # Numbered as a spreadsheet shows them: the header is row 1.
        for number, cells in enumerate(rows, start=2):
            parsed = importer.parse(number, cells)
            if parsed is not None:
                importer.write(parsed)
        result.errors.sort(key=lambda e: (e.row, e.column))
        if result.errors or dry_run:
            transaction.set_rollback(True)
            return result
        states = importer.state_ids
        audit.record(
            actor=actor,
            action="directory.import",
            object_repr=filename[:200] or "import",
            changes={
                "file": filename,
                "rows": result.rows,
                "contacts_created": len(result.contacts_created),
                "contacts_reused": len(result.contacts_reused),
                "designations_created": result.designations_created,
            },
            subject_member_state_id=next(iter(states)) if len(states) == 1 else None,
        )
    return result


def import_summary(result: ImportResult) -> list[str]:
    """The outcome in sentences, for the page and the command."""
    lines = [
        _("{rows} rows read.").format(rows=result.rows),
        _("{count} contacts created.").format(count=len(result.contacts_created)),
        _(
            "{count} designations created, {pending} of them awaiting Secretariat confirmation."
        ).format(count=result.designations_created, pending=result.pending_confirmation),
    ]
    if result.contacts_reused:
        lines.append(
            _(
                "Designated as they are, without changing their details, because they already "
                "exist: {names}."
            ).format(names=", ".join(sorted(set(result.contacts_reused))))
        )
    if result.dry_run:
        lines.append(_("This was a check only: nothing was written."))
    return lines


def import_column_docs() -> list[tuple[str, bool, str]]:
    """Each import column: its name, whether it is required, and what to write in it."""
    roles = ", ".join(DesignationRole.values)
    return [
        (
            "organization",
            True,
            _(
                "The organisation's short name, e.g. minseg-ar. National coordinators import "
                "for their own state's organisations only."
            ),
        ),
        ("name", True, _("The person's full name, or the name of the duty desk.")),
        ("kind", False, _("person (the default) or functional (a duty desk, a watch office).")),
        ("title", False, _("Title or function.")),
        ("languages", False, _("ISO 639-1 codes separated by semicolons, e.g. es;en.")),
        ("time_zone", False, _("An IANA time zone, e.g. America/Bogota (UTC when empty).")),
        ("availability", False, _("24_7 (or 24/7), or office_hours (the default).")),
        (
            "office_phone",
            False,
            _(
                "With the country code, e.g. +54 11 4342-6000; an extension as ext. 123; "
                "several numbers separated by semicolons."
            ),
        ),
        ("mobile_phone", False, _("Like office_phone. Sensitive: shown as the network allows.")),
        ("phone_24_7", False, _("The 24/7 line, like office_phone. Sensitive.")),
        ("institutional_email", False, _("Work addresses, separated by semicolons.")),
        ("functional_email", False, _("A shared mailbox, such as a duty desk's.")),
        ("personal_email", False, _("Sensitive: shown as the network allows.")),
        ("network", True, _("The network's short name, e.g. csirtamericas.")),
        (
            "role",
            True,
            _("The designation role, one the network uses (see below): {roles}.").format(
                roles=roles
            ),
        ),
        ("note_verbale_number", False, _("The number of the note verbale that designates.")),
        ("note_verbale_date", False, _("Its date, as YYYY-MM-DD.")),
        ("valid_from", False, _("YYYY-MM-DD; today when empty.")),
    ]


def network_role_docs() -> list[tuple[str, str, str]]:
    """Each network's short name, name, and the designation roles it uses."""
    policies = {p.network_id: p for p in DirectoryPolicy.objects.all()}
    docs = []
    for network in Network.objects.filter(is_active=True).order_by("name"):
        policy = policies.get(network.pk) or DirectoryPolicy(network=network)
        docs.append((network.slug, network.localized_name, ", ".join(dict(policy.role_choices))))
    return docs


def attribute_docs() -> list[tuple[str, str, str]]:
    """The ``attr:<key>`` columns: column name, network, and the attribute's label and type."""
    docs = []
    for policy in DirectoryPolicy.objects.select_related("network").order_by("network__name"):
        for item in policy.attribute_schema or []:
            if isinstance(item, dict) and item.get("key"):
                label = policy.attribute_label(item["key"], (get_language() or "en")[:2])
                kind = dict(AttributeType.choices).get(str(item.get("type")), item.get("type"))
                docs.append(
                    (
                        ATTRIBUTE_PREFIX + str(item["key"]),
                        policy.network.localized_name,
                        f"{label} ({kind})",
                    )
                )
    return docs
