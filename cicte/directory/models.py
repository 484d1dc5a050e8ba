"""The networks' directory of designated points of contact.

A *contact* is a person or a functional contact (a duty desk) of an organisation. A *contact
designation* (not to be confused with a sanctions designation) is a member state's act of
designating a contact to a network in a role, with its note verbale and period of validity;
designations are never deleted, so the point of contact of any state on any past date can be
answered. Directory records carry no TLP label: a network's directory is visible to its members
and the Secretariat (``visible_to``), and its sensitive fields follow the network's
:class:`DirectoryPolicy`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cicte.directory.choices import (
    EFFECTIVE_STATUSES,
    AttributeType,
    Availability,
    CheckStatus,
    ContactKind,
    DesignationRole,
    DesignationStatus,
    EmailKind,
    PhoneKind,
    SensitiveFieldsPolicy,
)


def _private_storage() -> FileSystemStorage:
    """Designation documents live outside the web root and are served only by an authorised view."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


# How long a network may give an addressed state to acknowledge an immediate message before it
# escalates: at least a minute (the worker runs every minute), at most a week.
ESCALATION_MINUTES_MIN = 1
ESCALATION_MINUTES_MAX = 7 * 24 * 60
ESCALATION_MINUTES_ERROR = _(
    "Enter a number of minutes from 1 to 10080 (one week), or leave it empty for the platform "
    "default."
)


class DirectoryPolicy(models.Model):
    """How one network keeps its directory: confirmation, verification cycle, who sees the
    sensitive fields, which designation roles it uses and which attributes its contacts carry
    (expertise areas for experts, certifications for instructors, constituency for CSIRTs);
    and how soon the secure exchange escalates its unacknowledged immediate messages."""

    network = models.OneToOneField(
        "accounts.Network",
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="directory_policy",
    )
    requires_confirmation = models.BooleanField(
        _("designations need Secretariat confirmation"), default=False
    )
    verification_days = models.PositiveSmallIntegerField(
        _("verification cycle (days)"), default=180
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminders start (days before a designation falls due)"), default=14
    )
    sensitive_fields = models.CharField(
        _("who sees sensitive fields"),
        max_length=20,
        choices=SensitiveFieldsPolicy.choices,
        default=SensitiveFieldsPolicy.SAME_STATE,
    )
    roles = models.JSONField(_("designation roles"), default=list, blank=True)
    attribute_schema = models.JSONField(
        _("network-specific attributes"),
        default=list,
        blank=True,
        help_text=_('A list of {"key", "type", "label": {"en", "es", "fr", "pt"}, "required"}.'),
    )
    # Read by cicte.messaging.escalation for the messages of this network; empty: the platform
    # default (settings.EXCHANGE_ESCALATE_AFTER_MINUTES).
    exchange_escalate_after_minutes = models.PositiveIntegerField(
        _("escalate unacknowledged immediate messages after (minutes)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(ESCALATION_MINUTES_MIN, message=ESCALATION_MINUTES_ERROR),
            MaxValueValidator(ESCALATION_MINUTES_MAX, message=ESCALATION_MINUTES_ERROR),
        ],
        help_text=_(
            "Secure exchange: an immediate message that an addressed state has not acknowledged "
            "goes to its alternates and 24/7 contacts after this many minutes, and as long again "
            "later to the Secretariat's duty officers. Empty: the platform default."
        ),
    )

    class Meta:
        verbose_name = _("directory policy")
        verbose_name_plural = _("directory policies")
        permissions = [("view_all_directories", "Can see every network's directory")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exchange_escalate_after_minutes__isnull=True)
                | Q(
                    exchange_escalate_after_minutes__gte=ESCALATION_MINUTES_MIN,
                    exchange_escalate_after_minutes__lte=ESCALATION_MINUTES_MAX,
                ),
                name="directory_policy_escalation_minutes_range",
                violation_error_message=ESCALATION_MINUTES_ERROR,
            ),
        ]

    def __str__(self) -> str:
        return str(self.network)

    def clean(self) -> None:
        valid_roles = set(DesignationRole.values)
        if not isinstance(self.roles, list) or not set(self.roles) <= valid_roles:
            raise ValidationError({"roles": _("Roles must be a list of known designation roles.")})
        keys = set()
        for item in self.attribute_schema if isinstance(self.attribute_schema, list) else [None]:
            if (
                not isinstance(item, dict)
                or not item.get("key")
                or item.get("type") not in AttributeType.values
            ):
                raise ValidationError(
                    {"attribute_schema": _("Each attribute needs a key and a known type.")}
                )
            if item["key"] in keys:
                raise ValidationError({"attribute_schema": _("Attribute keys must be unique.")})
            keys.add(item["key"])

    @property
    def role_choices(self) -> list[tuple[str, Any]]:
        allowed = self.roles or DesignationRole.values
        return [(value, label) for value, label in DesignationRole.choices if value in allowed]

    def clean_attributes(self, attributes: Any) -> dict[str, Any]:
        """Validate a designation's attributes against the schema; return them normalised."""
        if attributes in (None, ""):
            attributes = {}
        if not isinstance(attributes, dict):
            raise ValidationError(
                {"attributes": _("Attributes must be an object of key and value.")}
            )
        schema = {item["key"]: item for item in self.attribute_schema}
        unknown = sorted(set(attributes) - set(schema))
        if unknown:
            raise ValidationError(
                {
                    "attributes": _("Unknown attributes for this network: {keys}.").format(
                        keys=", ".join(unknown)
                    )
                }
            )
        cleaned: dict[str, Any] = {}
        for key, item in schema.items():
            value = attributes.get(key)
            if value in (None, "", []):
                if item.get("required"):
                    raise ValidationError(
                        {"attributes": _("The attribute {key} is required.").format(key=key)}
                    )
                continue
            kind = item["type"]
            if kind == AttributeType.LIST:
                if isinstance(value, str):
                    value = [v.strip() for v in value.split(";") if v.strip()]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValidationError(
                        {"attributes": _("{key} must be a list of texts.").format(key=key)}
                    )
            elif kind == AttributeType.DATE:
                try:
                    value = dt.date.fromisoformat(str(value)).isoformat()
                except ValueError as exc:
                    raise ValidationError(
                        {"attributes": _("{key} must be a date (YYYY-MM-DD).").format(key=key)}
                    ) from exc
            elif kind == AttributeType.BOOLEAN:
                if isinstance(value, str):
                    value = value.strip().lower() in {"1", "true", "yes", "sí", "si", "oui", "sim"}
                value = bool(value)
            else:
                value = str(value).strip()
            cleaned[key] = value
        return cleaned

    def attribute_label(self, key: str, language: str = "en") -> str:
        for item in self.attribute_schema:
            if item.get("key") == key:
                label = item.get("label") or {}
                return str(label.get(language) or label.get("en") or key)
        return key


class ContactQuerySet(models.QuerySet["Contact"]):
    def visible_to(self, user: Any) -> ContactQuerySet:
        """Contacts a user may see: those with a designation in a network whose directory the user
        sees (see :meth:`ContactDesignationQuerySet.visible_to`), their own contact record, and,
        for a national coordinator, the contacts of their own state's organisations."""
        from cicte.accounts import permissions

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "directory.view_all_directories"):
            return self.all()
        designations = ContactDesignation.objects.visible_to(user).filter(contact_id=OuterRef("pk"))
        condition = Q(Exists(designations)) | Q(user_id=user.pk)
        states = permissions.member_states_with_perm(user, "directory.manage_designations")
        if states:
            condition |= Q(organization__member_state_id__in=states)
        return self.filter(condition)


class Contact(models.Model):
    """A person or a functional contact (a duty desk, a 24/7 watch office) in an organisation."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=ContactKind.choices, default=ContactKind.PERSON
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    title = models.CharField(_("title or function"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    availability = models.CharField(
        _("availability"),
        max_length=14,
        choices=Availability.choices,
        default=Availability.OFFICE_HOURS,
    )
    office_hours_start = models.TimeField(_("office hours start"), null=True, blank=True)
    office_hours_end = models.TimeField(_("office hours end"), null=True, blank=True)
    office_days = models.JSONField(
        _("office days"),
        default=list,
        blank=True,
        help_text=_("ISO weekdays, 1 (Monday) to 7 (Sunday)."),
    )
    secure_channels = models.JSONField(_("secure channels"), default=list, blank=True)
    pgp_key = models.TextField(_("OpenPGP public key"), blank=True)
    pgp_fingerprint = models.CharField(_("OpenPGP fingerprint"), max_length=64, blank=True)
    pgp_expires_at = models.DateTimeField(_("OpenPGP key expiry"), null=True, blank=True)
    pgp_user_ids = models.JSONField(_("OpenPGP user IDs"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        help_text=_("The contact's own account, with which they keep their details up to date."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["availability"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError(
                {"time_zone": _("Choose a time zone from the list (e.g. America/Bogota).")}
            )
        if self.availability == Availability.OFFICE_HOURS and bool(self.office_hours_start) != bool(
            self.office_hours_end
        ):
            raise ValidationError(
                {"office_hours_end": _("Give both the start and the end of office hours.")}
            )
        if not isinstance(self.office_days, list) or not all(
            isinstance(d, int) and 1 <= d <= 7 for d in self.office_days
        ):
            raise ValidationError(
                {"office_days": _("Office days are weekday numbers from 1 (Monday) to 7.")}
            )

    @property
    def member_state_id(self) -> int | None:
        return self.organization.member_state_id

    @property
    def is_24_7(self) -> bool:
        return self.availability == Availability.ALWAYS

    @cached_property
    def language_codes(self) -> list[str]:
        return sorted(language.code for language in self.languages.all())


class ContactLanguage(models.Model):
    """A language a contact works in (ISO 639-1)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=8)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "code"], name="contact_language_unique")
        ]
        indexes = [models.Index(fields=["code", "contact"])]

    def __str__(self) -> str:
        return self.code


class ContactPhone(models.Model):
    """A phone number in E.164 (validated with the phonenumbers library). Mobile and 24/7
    numbers are sensitive."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(
        _("kind"), max_length=8, choices=PhoneKind.choices, default=PhoneKind.OFFICE
    )
    number = models.CharField(_("number (E.164)"), max_length=20)
    extension = models.CharField(_("extension"), max_length=10, blank=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("phone")

    def __str__(self) -> str:
        return self.number + (f" x{self.extension}" if self.extension else "")

    @property
    def is_sensitive(self) -> bool:
        return self.kind in (PhoneKind.MOBILE, PhoneKind.HOTLINE)


class ContactEmail(models.Model):
    """An email address; a personal one is sensitive. A failed delivery flags it."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(
        _("kind"), max_length=14, choices=EmailKind.choices, default=EmailKind.INSTITUTIONAL
    )
    address = models.EmailField(_("address"), db_index=True)
    bounced_at = models.DateTimeField(_("delivery failed"), null=True, blank=True)
    bounce_reason = models.CharField(_("delivery failure"), max_length=500, blank=True)

    class Meta:
        ordering = ["kind", "address"]
        verbose_name = _("email address")

    def __str__(self) -> str:
        return self.address

    @property
    def is_sensitive(self) -> bool:
        return self.kind == EmailKind.PERSONAL


def own_contact_ids(user: Any) -> list[int]:
    """The ids of the contact records that are ``user``'s own (one indexed query)."""
    return sorted(Contact.objects.filter(user_id=user.pk).order_by().values_list("pk", flat=True))


class ContactDesignationQuerySet(models.QuerySet["ContactDesignation"]):
    def visible_to(self, user: Any) -> ContactDesignationQuerySet:
        """A network's directory is visible to its members and to the Secretariat. Designations
        still awaiting confirmation, or rejected, are seen only by the designating state's
        coordinators (and the Secretariat)."""
        from cicte.accounts import permissions
        from cicte.accounts.selectors import network_ids_for

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "directory.view_all_directories"):
            return self.all()
        condition = Q(network_id__in=sorted(network_ids_for(user)), status__in=EFFECTIVE_STATUSES)
        # A contact sees their own designations, so that they can keep them current. Their own
        # contacts' ids are read first (usually none): a join to every designation's contact
        # would keep the database from using an index for the condition (docs/benchmarks.md).
        own = own_contact_ids(user)
        if own:
            condition |= Q(contact_id__in=own)
        for grant in permissions.grants_for(user):
            if (
                "directory.manage_designations" in grant.perms
                and grant.member_state_id
                and grant.network_id
            ):
                condition |= Q(member_state_id=grant.member_state_id, network_id=grant.network_id)
        return self.filter(condition)

    def in_force_on(self, day: dt.date) -> ContactDesignationQuerySet:
        """The designations in force on ``day``: the answer to "who was the point of contact"."""
        return self.filter(status__in=EFFECTIVE_STATUSES, effective_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def current(self) -> ContactDesignationQuerySet:
        return self.filter(status=DesignationStatus.ACTIVE)

    def with_due(self) -> ContactDesignationQuerySet:
        """Annotate ``due_at``-related flags is left to Python: the cycle is per network."""
        return self.select_related("network__directory_policy")


class ContactDesignation(models.Model):
    """Member state X designates contact C to network N in a role, by a note verbale, from a
    date (on Secretariat confirmation where the network requires it) until replaced or
    withdrawn. Never deleted: the history answers who the contact was on any date."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="designations"
    )
    network = models.ForeignKey(
        "accounts.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("designating member state"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    role = models.CharField(_("role"), max_length=20, choices=DesignationRole.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DesignationStatus.choices,
        default=DesignationStatus.PENDING,
        db_index=True,
    )
    note_verbale_number = models.CharField(_("note verbale number"), max_length=100, blank=True)
    note_verbale_date = models.DateField(_("note verbale date"), null=True, blank=True)
    document = models.FileField(
        _("designation document"),
        upload_to="designations/%Y/",
        storage=_private_storage,
        blank=True,
    )
    valid_from = models.DateField(_("valid from"), default=dt.date.today)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True, db_index=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    designated_at = models.DateTimeField(_("designated"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=500, blank=True)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("verification reminder sent"), null=True, blank=True)

    objects = ContactDesignationQuerySet.as_manager()

    class Meta:
        ordering = ["network", "member_state", "role", "-effective_from"]
        verbose_name = _("contact designation")
        verbose_name_plural = _("contact designations")
        permissions = [
            ("manage_designations", "Can designate, replace and withdraw contacts"),
            ("confirm_designations", "Can confirm designations"),
            ("export_contacts", "Can export contacts"),
        ]
        indexes = [
            models.Index(fields=["network", "member_state", "status"]),
            models.Index(fields=["network", "status", "role"]),
            # Overdue verification: status and network, then a range of last verification.
            models.Index(fields=["network", "status", "last_verified_at"]),
            models.Index(fields=["contact", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="designation_valid_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_role_display()} · {self.network}"

    @cached_property
    def policy(self) -> DirectoryPolicy:
        """The network's policy (every network has one from its migration; the defaults apply to
        one created since, until the Secretariat saves it)."""
        policy = DirectoryPolicy.objects.filter(network_id=self.network_id).first()
        return policy or DirectoryPolicy(network_id=self.network_id)

    @property
    def due_at(self) -> dt.datetime | None:
        """When the contact's details must next be verified."""
        if self.status != DesignationStatus.ACTIVE:
            return None
        start = self.last_verified_at or self.confirmed_at or self.designated_at
        return start + dt.timedelta(days=self.policy.verification_days)

    @property
    def is_stale(self) -> bool:
        due = self.due_at
        return due is not None and due < timezone.now()


class CommunicationCheckQuerySet(models.QuerySet["CommunicationCheck"]):
    def visible_to(self, user: Any) -> CommunicationCheckQuerySet:
        """Checks are seen by the Secretariat and by the coordinators of the network's states."""
        from cicte.accounts import permissions

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "directory.view_all_directories"):
            return self.all()
        networks = permissions.networks_with_perm(user, "directory.manage_designations")
        return self.filter(network_id__in=sorted(networks))


class CommunicationCheck(models.Model):
    """A communication check ("ping"): every contact designated to a network is asked to confirm
    with one click that the channel works; response rates and times are kept as history."""

    network = models.ForeignKey(
        "accounts.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="communication_checks",
    )
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    launched_at = models.DateTimeField(_("launched"), default=timezone.now)
    deadline = models.DateTimeField(_("answer by"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=CheckStatus.choices, default=CheckStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = CommunicationCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-launched_at"]
        verbose_name = _("communication check")
        verbose_name_plural = _("communication checks")
        permissions = [("launch_checks", "Can launch communication checks")]

    def __str__(self) -> str:
        return f"{self.network} · {self.launched_at:%Y-%m-%d}"


class CheckRecipient(models.Model):
    """One contact asked by a check, with a single-use link (only a digest of its nonce is kept)."""

    check_run = models.ForeignKey(
        CommunicationCheck, on_delete=models.CASCADE, related_name="recipients"
    )
    designation = models.ForeignKey(ContactDesignation, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("sent to"))
    nonce_digest = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivery_failed_at = models.DateTimeField(_("delivery failed"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["designation__member_state__name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_run", "designation"], name="check_recipient_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def response_time(self) -> dt.timedelta | None:
        if self.responded_at and self.sent_at:
            return self.responded_at - self.sent_at
        return None
