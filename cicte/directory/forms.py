"""Forms of the directory's pages.

Plain forms rather than ModelForms, as in the accounts app: the services validate the models,
compare old and new values for the audit trail and check the actor's rights; their
ValidationError is shown on the form. The forms check what they can before (a phone number, an
OpenPGP key, a date) so that a mistake is shown next to the field that holds it, and they offer
only the choices their actor may use.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any, cast

from babel import Locale, UnknownLocaleError
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cicte.accounts.forms_manage import OrganizationChoiceField
from cicte.accounts.models import Network, Organization, User
from cicte.directory import services
from cicte.directory.choices import (
    AttributeType,
    Availability,
    ContactKind,
    DesignationStatus,
    EmailKind,
    PhoneKind,
    SecureChannelKind,
    SensitiveFieldsPolicy,
)
from cicte.directory.models import (
    ESCALATION_MINUTES_ERROR,
    ESCALATION_MINUTES_MAX,
    ESCALATION_MINUTES_MIN,
    Contact,
    ContactDesignation,
    DirectoryPolicy,
)
from cicte.directory.validation import display_phone, normalize_phone, parse_pgp_key

DATE_INPUT = {"type": "date"}
ATTRIBUTE_PREFIX = "attr_"
# The official languages of the OAS first, then the others in the order of their names.
OAS_LANGUAGES = ("en", "es", "fr", "pt")
WEEKDAY_CHOICES = [(number, WEEKDAYS[number - 1]) for number in range(1, 8)]
DOCUMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


# --- Names for codes ---------------------------------------------------------------------------


def language_name(code: str, language: str | None = None) -> str:
    """The name of a language (ISO 639-1) in the reader's language, from CLDR (Babel)."""
    try:
        locale = Locale.parse((language or get_language() or "en")[:2])
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    name = locale.languages.get(code)
    return name[:1].upper() + name[1:] if name else code


def language_choices() -> list[tuple[str, str]]:
    """The languages a contact may work in, named in the reader's language."""
    others = sorted(
        (code for code in services.LANGUAGE_CODES if code not in OAS_LANGUAGES),
        key=lambda code: language_name(code).casefold(),
    )
    return [(code, language_name(code)) for code in (*OAS_LANGUAGES, *others)]


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA time zones, those of the Americas first."""
    zones = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if ("/" in zone or zone == "UTC") and not zone.startswith(("posix/", "right/"))
    )
    americas = [zone for zone in zones if zone.startswith("America/")]
    rest = [zone for zone in zones if zone not in americas]
    return [(zone, zone.replace("_", " ")) for zone in (*americas, *rest)]


def weekday_names(days: Iterable[int]) -> list[str]:
    return [str(WEEKDAYS[day - 1]) for day in sorted(days) if 1 <= day <= 7]


def apply_validation_error(form: forms.Form, error: ValidationError, **sections: Any) -> None:
    """Show a service's ValidationError on ``form``: under the field it names when the form has
    it, in a section (``sections``: error key -> a :class:`RowsFormSet`) for repeated fields,
    above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field in sections:
            sections[field].section_errors.extend(e for item in errors for e in item.messages)
        elif field in form.fields and field != NON_FIELD_ERRORS:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


# --- Repeated rows: phones, emails, secure channels, attributes --------------------------------


class RowForm(forms.Form):
    """One row of a repeated group; a row left blank is ignored (that is how a row is removed)."""

    key_field = ""

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not str(data.get(self.key_field) or "").strip()


class PhoneForm(RowForm):
    key_field = "number"
    kind = forms.ChoiceField(label=_("Kind"), choices=PhoneKind.choices)
    number = forms.CharField(
        label=_("Number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    extension = forms.CharField(label=_("Extension"), max_length=10, required=False)


class EmailForm(RowForm):
    key_field = "address"
    kind = forms.ChoiceField(label=_("Kind"), choices=EmailKind.choices)
    address = forms.EmailField(
        label=_("Address"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )


class SecureChannelForm(RowForm):
    key_field = "address"
    kind = forms.ChoiceField(label=_("Channel"), choices=SecureChannelKind.choices)
    address = forms.CharField(
        label=_("Handle or address"),
        max_length=200,
        required=False,
        help_text=_("The number, user name or address on that channel."),
    )


class AttributeDefinitionForm(RowForm):
    """One attribute of a network's directory (expertise areas, certifications...)."""

    key_field = "key"
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_("Lower-case letters, digits and underscores, e.g. expertise_areas."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    label_en = forms.CharField(label=_("Label in English"), max_length=100, required=False)
    label_es = forms.CharField(label=_("Label in Spanish"), max_length=100, required=False)
    label_fr = forms.CharField(label=_("Label in French"), max_length=100, required=False)
    label_pt = forms.CharField(label=_("Label in Portuguese"), max_length=100, required=False)

    def clean_key(self) -> str:
        key = (self.cleaned_data.get("key") or "").strip()
        if key and not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValidationError(
                _("Use lower-case letters, digits and underscores, starting with a letter.")
            )
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key") and not (data.get("label_en") or "").strip():
            self.add_error("label_en", _("Give at least the English label."))
        return data


class RowsFormSet(forms.BaseFormSet):
    """A formset whose blank rows are ignored, with room for errors the service reports about
    the group as a whole (``section_errors``)."""

    legend: Any = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_errors: list[str] = []

    def filled(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.forms if not form.is_blank()]

    @property
    def all_errors(self) -> list[str]:
        return [*(str(e) for e in self.non_form_errors()), *self.section_errors]


def rows_formset(form: type[RowForm], *, extra: int) -> type[RowsFormSet]:
    return cast(
        type[RowsFormSet],
        forms.formset_factory(form, formset=RowsFormSet, extra=extra, max_num=20),
    )


# --- Contacts ----------------------------------------------------------------------------------


def organizations_for_contacts(actor: User) -> QuerySet[Organization]:
    """The active organisations whose contacts ``actor`` records: every one for the
    Secretariat, their own state's for national coordinators."""
    from cicte.accounts import permissions

    queryset = Organization.objects.select_related("member_state").filter(is_active=True)
    if services.is_secretariat(actor):
        return queryset
    return queryset.filter(
        member_state_id__in=permissions.member_states_with_perm(
            actor, "directory.manage_designations"
        )
    )


class ContactForm(forms.Form):
    """Record a contact, or change one. A contact editing their own record (``self_service``)
    sees only the fields the service lets them change: not the organisation, kind or status."""

    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Kind of contact"), choices=ContactKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title or function"), max_length=200, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    availability = forms.ChoiceField(
        label=_("Availability"), choices=Availability.choices, widget=forms.RadioSelect
    )
    office_hours_start = forms.TimeField(
        label=_("Office hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the contact's time zone."),
    )
    office_hours_end = forms.TimeField(
        label=_("Office hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    office_days = forms.TypedMultipleChoiceField(
        label=_("Office days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pgp_key = forms.CharField(
        label=_("OpenPGP public key"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "Paste the ASCII-armoured public key (-----BEGIN PGP PUBLIC KEY BLOCK----- ...). "
            "Empty the field to remove the key."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    account = forms.CharField(
        label=_("Platform account (username)"),
        max_length=150,
        required=False,
        help_text=_(
            "The contact's own account on the platform, if they have one: with it they keep "
            "their details up to date."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive contact stays on record but cannot be designated again."),
    )

    PhoneFormSet = rows_formset(PhoneForm, extra=2)
    EmailFormSet = rows_formset(EmailForm, extra=2)
    ChannelFormSet = rows_formset(SecureChannelForm, extra=1)

    def __init__(
        self,
        data: Any = None,
        *,
        actor: User,
        instance: Contact | None = None,
        self_service: bool = False,
        initial_organization: int | None = None,
    ) -> None:
        self.actor, self.instance, self.self_service = actor, instance, self_service
        initial: dict[str, Any] = {
            "kind": ContactKind.PERSON,
            "availability": Availability.OFFICE_HOURS,
            "office_days": [1, 2, 3, 4, 5],
            "time_zone": "UTC",
            "organization": initial_organization,
        }
        phones: list[dict[str, Any]] = []
        emails: list[dict[str, Any]] = []
        channels: list[dict[str, Any]] = []
        if instance is not None:
            initial.update(
                {field: getattr(instance, field) for field in services.CONTACT_FIELDS},
                languages=instance.language_codes,
                pgp_key=instance.pgp_key,
            )
            phones = [
                {"kind": p.kind, "number": display_phone(p.number), "extension": p.extension}
                for p in instance.phones.all()
            ]
            emails = [{"kind": e.kind, "address": e.address} for e in instance.emails.all()]
            channels = [
                {"kind": c.get("kind", SecureChannelKind.OTHER), "address": c.get("address", "")}
                for c in instance.secure_channels
                if isinstance(c, dict)
            ]
        super().__init__(data, initial=initial)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["languages"].choices = language_choices()  # type: ignore[attr-defined]
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = organizations_for_contacts(actor)
        if instance is not None:
            # The service keeps a contact in its organisation; a new contact is recorded instead.
            for name in ("organization", "account"):
                del self.fields[name]
        else:
            del self.fields["is_active"]
        if self_service:
            for name in ("kind", "is_active"):
                self.fields.pop(name, None)
        self.phones = self.PhoneFormSet(data, initial=phones, prefix="phones")
        self.emails = self.EmailFormSet(data, initial=emails, prefix="emails")
        self.channels = self.ChannelFormSet(data, initial=channels, prefix="channels")
        self.phones.legend = _("Phones")
        self.emails.legend = _("Email addresses")
        self.channels.legend = _("Secure channels")

    @property
    def formsets(self) -> list[RowsFormSet]:
        return [self.phones, self.emails, self.channels]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # Every group is validated and shows its errors, not only those before the first bad one.
        groups = [formset.is_valid() for formset in self.formsets]
        valid = all(groups) and valid
        return self._check_phones() and valid

    def _check_phones(self) -> bool:
        """Each number, read in the context of the organisation's country, with its error on
        its own row (the service checks them again)."""
        organization = (self.cleaned_data or {}).get("organization") or (
            self.instance.organization if self.instance else None
        )
        if organization is None and "organization" in self.fields:
            return True  # the organisation's own error is shown; numbers are checked after
        state = organization.member_state if organization is not None else None
        region = state.code if state is not None else None
        valid = True
        for form in self.phones.forms:
            if not form.is_valid() or form.is_blank():
                continue
            try:
                normalize_phone(form.cleaned_data["number"], region)
            except ValidationError as error:
                form.add_error("number", error)
                valid = False
        return valid

    def clean_pgp_key(self) -> str | None:
        """The key when it was given or changed (``None``: leave it as it is)."""
        text = (self.cleaned_data.get("pgp_key") or "").replace("\r\n", "\n").strip()
        current = (self.instance.pgp_key if self.instance else "").replace("\r\n", "\n").strip()
        if text == current:
            return None
        if text:
            parse_pgp_key(text)  # a clear message next to the field; the service parses again
        return text

    def clean_account(self) -> User | None:
        username = (self.cleaned_data.get("account") or "").strip()
        if not username:
            return None
        user = User.objects.visible_to(self.actor).filter(username=username).first()
        if user is None:
            raise ValidationError(_("No account you can see has this username."))
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account = data.get("account")
        organization = data.get("organization")
        if (
            account is not None
            and organization is not None
            and account.organization_id != organization.pk
        ):
            self.add_error("account", _("This account belongs to another organisation."))
        if data.get("availability") == Availability.ALWAYS:
            # Office hours mean nothing for a contact reachable around the clock.
            data["office_hours_start"] = data["office_hours_end"] = None
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of ``create_contact`` or ``update_contact``."""
        data = self.cleaned_data
        fields = [name for name in services.CONTACT_FIELDS if name in self.fields]
        kwargs: dict[str, Any] = {name: data[name] for name in fields}
        kwargs["name"] = data["name"].strip()
        kwargs["title"] = data["title"].strip()
        kwargs["secure_channels"] = [
            {"kind": row["kind"], "address": row["address"].strip()}
            for row in self.channels.filled()
        ]
        kwargs["languages"] = list(data["languages"])
        kwargs["phones"] = [
            {"kind": row["kind"], "number": row["number"], "extension": row["extension"]}
            for row in self.phones.filled()
        ]
        kwargs["emails"] = [
            {"kind": row["kind"], "address": row["address"]} for row in self.emails.filled()
        ]
        if data["pgp_key"] is not None:
            kwargs["pgp_key"] = data["pgp_key"]
        if self.instance is None:
            kwargs["organization"] = data["organization"]
            kwargs["user"] = data.get("account")
        return kwargs

    def show_error(self, error: ValidationError) -> None:
        apply_validation_error(
            self,
            error,
            phones=self.phones,
            emails=self.emails,
            secure_channels=self.channels,
        )


# --- Designations ------------------------------------------------------------------------------


class ContactChoiceField(forms.ModelChoiceField):
    """Contacts named with their organisation: two people may share a name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.organization}"


class NetworkChoiceForm(forms.Form):
    """The first step of a designation when the network is not known yet (a GET form)."""

    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.none(), to_field_name="slug"
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["network"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = networks


def _attribute_field(item: dict[str, Any], language: str) -> forms.Field:
    label = item.get("label") or {}
    text = str(label.get(language) or label.get("en") or item["key"])
    required = bool(item.get("required"))
    kind = item.get("type")
    if kind == AttributeType.DATE:
        return forms.DateField(
            label=text, required=required, widget=forms.DateInput(attrs=DATE_INPUT)
        )
    if kind == AttributeType.BOOLEAN:
        return forms.BooleanField(label=text, required=False)
    if kind == AttributeType.LIST:
        return forms.CharField(
            label=text,
            required=required,
            max_length=1000,
            help_text=_("Separate the values with semicolons."),
        )
    return forms.CharField(label=text, required=required, max_length=500)


def attribute_initial(policy: DirectoryPolicy, attributes: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for item in policy.attribute_schema:
        value = attributes.get(item["key"])
        if isinstance(value, list):
            value = "; ".join(value)
        initial[ATTRIBUTE_PREFIX + item["key"]] = value
    return initial


class DesignationForm(forms.Form):
    """Designate a contact of the actor's state to a network, in one of the roles the network
    uses, with the note verbale and its document; the network's own attributes follow."""

    contact = ContactChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=())
    note_verbale_number = forms.CharField(
        label=_("Note verbale number"), max_length=100, required=False
    )
    note_verbale_date = forms.DateField(
        label=_("Note verbale date"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    document = forms.FileField(
        label=_("Designation document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs=DATE_INPUT))

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        network: Network,
        policy: DirectoryPolicy,
        contacts: QuerySet[Contact] | None,
        replaces: ContactDesignation | None = None,
    ) -> None:
        initial: dict[str, Any] = {"valid_from": timezone.localdate()}
        if replaces is not None:
            initial["role"] = replaces.role
            initial.update(attribute_initial(policy, replaces.attributes))
        super().__init__(data, files, initial=initial)
        self.network, self.policy = network, policy
        if contacts is None:
            del self.fields["contact"]
        else:
            field = self.fields["contact"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = contacts.select_related("organization")
        self.fields["role"].choices = policy.role_choices  # type: ignore[attr-defined]
        self.fields["document"].help_text = _(
            "The note verbale or letter of designation: PDF, PNG or JPEG, up to {size} MB."
        ).format(size=settings.MAX_UPLOAD_SIZE // 1048576)
        language = (get_language() or "en")[:2]
        for item in policy.attribute_schema:
            self.fields[ATTRIBUTE_PREFIX + item["key"]] = _attribute_field(item, language)

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ATTRIBUTE_PREFIX)]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(ATTRIBUTE_PREFIX)]

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document and document.size and document.size > settings.MAX_UPLOAD_SIZE:
            raise ValidationError(
                _("The document is larger than {size} MB.").format(
                    size=settings.MAX_UPLOAD_SIZE // 1048576
                )
            )
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number_date = data.get("note_verbale_date")
        if number_date and number_date > timezone.localdate():
            self.add_error("note_verbale_date", _("A note verbale cannot be dated in the future."))
        return data

    def attributes(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in self.policy.attribute_schema:
            value = self.cleaned_data.get(ATTRIBUTE_PREFIX + item["key"])
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value in (None, "", False) and item.get("type") != AttributeType.BOOLEAN:
                continue
            values[item["key"]] = value
        return values

    def show_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "attributes" in error.error_dict:
            messages = [m for e in error.error_dict.pop("attributes") for m in e.messages]
            self.add_error(None, messages)
            if not error.error_dict:
                return
        apply_validation_error(self, error)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the designating state"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reject_%s")
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    on = forms.DateField(
        label=_("Last day in force"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT),
        help_text=_("Today if left empty."),
    )

    def __init__(self, *args: Any, designation: ContactDesignation, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "withdraw_%s")
        super().__init__(*args, **kwargs)
        if designation.status == DesignationStatus.PENDING:
            # A designation never in force has no last day.
            del self.fields["on"]


# --- Network policies --------------------------------------------------------------------------

ESCALATION_HELP = _(
    "Secure exchange: an immediate message that an addressed state has not acknowledged goes to "
    "its alternates and 24/7 contacts after this many minutes, and as long again later to the "
    "Secretariat's duty officers. Empty: the platform default ({minutes} minutes)."
)


class PolicyForm(forms.Form):
    """How a network keeps its directory (the Secretariat's)."""

    requires_confirmation = forms.BooleanField(
        label=_("Designations need Secretariat confirmation"), required=False
    )
    verification_days = forms.IntegerField(
        label=_("Verification cycle (days)"),
        min_value=7,
        max_value=3650,
        help_text=_("A designation not verified for this long is flagged stale."),
    )
    reminder_days = forms.IntegerField(
        label=_("Reminders start (days before a designation falls due)"),
        min_value=0,
        max_value=365,
    )
    sensitive_fields = forms.ChoiceField(
        label=_(
            "Who sees sensitive fields (mobile and 24/7 phones, personal emails, OpenPGP keys)"
        ),
        choices=SensitiveFieldsPolicy.choices,
        widget=forms.RadioSelect,
    )
    roles = forms.MultipleChoiceField(
        label=_("Designation roles"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every role."),
    )

    exchange_escalate_after_minutes = forms.IntegerField(
        label=_("Escalate unacknowledged immediate messages after (minutes)"),
        required=False,
        min_value=ESCALATION_MINUTES_MIN,
        max_value=ESCALATION_MINUTES_MAX,
        error_messages={
            "min_value": ESCALATION_MINUTES_ERROR,
            "max_value": ESCALATION_MINUTES_ERROR,
            "invalid": ESCALATION_MINUTES_ERROR,
        },
    )

    AttributeFormSet = rows_formset(AttributeDefinitionForm, extra=2)
    FIELDS = (
        "requires_confirmation",
        "verification_days",
        "reminder_days",
        "sensitive_fields",
        "roles",
        "exchange_escalate_after_minutes",
    )

    def __init__(self, data: Any = None, *, policy: DirectoryPolicy) -> None:
        from cicte.directory.choices import DesignationRole

        super().__init__(data, initial={field: getattr(policy, field) for field in self.FIELDS})
        self.fields["roles"].choices = DesignationRole.choices  # type: ignore[attr-defined]
        self.fields["exchange_escalate_after_minutes"].help_text = str(ESCALATION_HELP).format(
            minutes=settings.EXCHANGE_ESCALATE_AFTER_MINUTES
        )
        rows = []
        for item in policy.attribute_schema:
            label = item.get("label") or {}
            rows.append(
                {
                    "key": item.get("key", ""),
                    "type": item.get("type", AttributeType.TEXT),
                    "required": bool(item.get("required")),
                    **{f"label_{code}": label.get(code, "") for code in OAS_LANGUAGES},
                }
            )
        self.attributes = self.AttributeFormSet(data, initial=rows, prefix="attributes")
        self.attributes.legend = _("Network-specific attributes")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.attributes.is_valid() and valid

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = {field: self.cleaned_data[field] for field in self.FIELDS}
        kwargs["roles"] = list(kwargs["roles"])
        kwargs["attribute_schema"] = [
            {
                "key": row["key"],
                "type": row["type"],
                "required": bool(row["required"]),
                "label": {
                    code: row[f"label_{code}"].strip()
                    for code in OAS_LANGUAGES
                    if row[f"label_{code}"].strip()
                },
            }
            for row in self.attributes.filled()
        ]
        return kwargs

    def show_error(self, error: ValidationError) -> None:
        apply_validation_error(self, error, attribute_schema=self.attributes)
