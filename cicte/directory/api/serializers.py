"""Serializers of the directory API.

Relations travel as natural keys: organisations and networks by slug, member states by ISO
3166-1 alpha-2 code; contacts and designations by id. Records the caller may not see cannot be
named (their fields choose among ``visible_to(user)``), so a hidden one is reported like an
absent one.

The sensitive fields of a contact (mobile and 24/7 phones, personal emails, the OpenPGP key with
its fingerprint and expiry) are included only where
:func:`cicte.directory.selectors.can_see_sensitive` allows: otherwise those phones and emails are
left out of their lists, and ``pgp`` is null.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.accounts.api.serializers import VisibleSlugRelatedField
from cicte.accounts.models import MemberState, Network, Organization
from cicte.directory import exchange, selectors
from cicte.directory.choices import (
    Availability,
    ContactKind,
    DesignationRole,
    EmailKind,
    PhoneKind,
)
from cicte.directory.models import (
    Contact,
    ContactDesignation,
    ContactEmail,
    ContactPhone,
    DirectoryPolicy,
)
from cicte.directory.validation import display_phone


def _policies(context: dict[str, Any]) -> dict[int, DirectoryPolicy]:
    """Every network's policy, read once per response."""
    policies = context.get("policies")
    if policies is None:
        policies = context["policies"] = selectors.policies_by_network()
    return policies


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation named by id, chosen only among the records the caller may see."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        kwargs["queryset"] = model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.visible_to(_user(self.context))


# --- Reading ---------------------------------------------------------------------------------


class PhoneSerializer(serializers.ModelSerializer[ContactPhone]):
    display = serializers.SerializerMethodField(
        help_text="The number written the international way, e.g. +54 11 4342-6000."
    )

    class Meta:
        model = ContactPhone
        fields = ["kind", "number", "extension", "display"]
        read_only_fields = fields

    def get_display(self, obj: ContactPhone) -> str:
        return display_phone(obj.number)


class EmailSerializer(serializers.ModelSerializer[ContactEmail]):
    delivery_failed = serializers.SerializerMethodField(
        help_text="Whether mail to this address has bounced or been refused."
    )

    class Meta:
        model = ContactEmail
        fields = ["kind", "address", "delivery_failed"]
        read_only_fields = fields

    def get_delivery_failed(self, obj: ContactEmail) -> bool:
        return obj.bounced_at is not None


class PGPKeySerializer(serializers.ModelSerializer[Contact]):
    fingerprint = serializers.CharField(source="pgp_fingerprint", read_only=True)
    expires_at = serializers.DateTimeField(source="pgp_expires_at", read_only=True, allow_null=True)
    user_ids = serializers.ListField(
        source="pgp_user_ids", child=serializers.CharField(), read_only=True
    )
    key = serializers.CharField(
        source="pgp_key", read_only=True, help_text="The ASCII-armoured public key."
    )

    class Meta:
        model = Contact
        fields = ["fingerprint", "expires_at", "user_ids", "key"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer[Contact]):
    """A contact: a person or a functional contact (a duty desk) of an organisation."""

    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    member_state = serializers.SerializerMethodField()
    languages = serializers.ListField(
        source="language_codes",
        child=serializers.CharField(),
        read_only=True,
        help_text="ISO 639-1 codes.",
    )
    phones = serializers.SerializerMethodField()
    emails = serializers.SerializerMethodField()
    secure_channels = serializers.ListField(
        child=serializers.JSONField(),
        read_only=True,
        help_text='Items such as {"kind": "signal", "address": "..."}.',
    )
    pgp = serializers.SerializerMethodField()
    sensitive_included = serializers.SerializerMethodField(
        help_text="Whether the caller sees this contact's sensitive fields (mobile and 24/7 "
        "phones, personal emails, OpenPGP key)."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "kind",
            "title",
            "organization",
            "organization_name",
            "member_state",
            "languages",
            "time_zone",
            "availability",
            "office_hours_start",
            "office_hours_end",
            "office_days",
            "phones",
            "emails",
            "secure_channels",
            "pgp",
            "sensitive_included",
            "notes",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields

    def _sensitive(self, obj: Contact) -> bool:
        user = _user(self.context)
        if user is None:
            return False
        return exchange.sensitive_for(user, obj, _policies(self.context))

    @extend_schema_field(OpenApiTypes.STR)
    def get_member_state(self, obj: Contact) -> str | None:
        state = obj.organization.member_state
        return state.code if state else None

    @extend_schema_field(PhoneSerializer(many=True))
    def get_phones(self, obj: Contact) -> Any:
        phones = selectors.public_phones(obj, self._sensitive(obj))
        return PhoneSerializer(phones, many=True, context=self.context).data

    @extend_schema_field(EmailSerializer(many=True))
    def get_emails(self, obj: Contact) -> Any:
        emails = selectors.public_emails(obj, self._sensitive(obj))
        return EmailSerializer(emails, many=True, context=self.context).data

    @extend_schema_field(PGPKeySerializer(allow_null=True))
    def get_pgp(self, obj: Contact) -> Any:
        if not obj.pgp_fingerprint or not self._sensitive(obj):
            return None
        return PGPKeySerializer(obj, context=self.context).data

    def get_sensitive_included(self, obj: Contact) -> bool:
        return self._sensitive(obj)


class ContactDesignationSerializer(serializers.ModelSerializer[ContactDesignation]):
    """Member state X designated contact C to network N in a role. ``stale`` says that the
    verification of the contact's details is overdue (``due_at`` passed)."""

    contact = ContactSerializer(read_only=True)
    network: serializers.SlugRelatedField[Network] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    member_state: serializers.SlugRelatedField[MemberState] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    due_at = serializers.SerializerMethodField(
        help_text="When the contact's details must next be verified (active designations)."
    )
    stale = serializers.SerializerMethodField(
        help_text="Whether the verification is overdue: the designation is flagged stale."
    )

    class Meta:
        model = ContactDesignation
        fields = [
            "id",
            "contact",
            "network",
            "member_state",
            "role",
            "status",
            "note_verbale_number",
            "note_verbale_date",
            "valid_from",
            "valid_to",
            "effective_from",
            "attributes",
            "replaces",
            "designated_at",
            "confirmed_at",
            "ended_at",
            "end_reason",
            "last_verified_at",
            "due_at",
            "stale",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ContactDesignation) -> Any:
        selectors.attach_policies([instance], _policies(self.context))
        return super().to_representation(instance)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_due_at(self, obj: ContactDesignation) -> Any:
        due = obj.due_at
        return serializers.DateTimeField().to_representation(due) if due else None

    def get_stale(self, obj: ContactDesignation) -> bool:
        return obj.is_stale


# --- Writing ---------------------------------------------------------------------------------


class PhoneInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PhoneKind.choices, default=PhoneKind.OFFICE)
    number = serializers.CharField(
        max_length=40, help_text="With the country code, e.g. +54 11 4342-6000."
    )
    extension = serializers.CharField(max_length=10, required=False, allow_blank=True)


class EmailInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=EmailKind.choices, default=EmailKind.INSTITUTIONAL)
    address = serializers.CharField(max_length=254)


class ContactUpdateSerializer(serializers.Serializer[Any]):
    """A change to a contact: only the fields given change. ``phones``, ``emails`` and
    ``languages``, when given, replace the contact's whole list. A contact changing their own
    record may not change ``kind`` or ``is_active``."""

    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ContactKind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="An IANA time zone, e.g. America/Bogota."
    )
    availability = serializers.ChoiceField(choices=Availability.choices, required=False)
    office_hours_start = serializers.TimeField(required=False, allow_null=True)
    office_hours_end = serializers.TimeField(required=False, allow_null=True)
    office_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        required=False,
        help_text="ISO weekdays, 1 (Monday) to 7 (Sunday).",
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, help_text="ISO 639-1 codes."
    )
    phones = PhoneInputSerializer(many=True, required=False)
    emails = EmailInputSerializer(many=True, required=False)
    secure_channels = serializers.ListField(child=serializers.DictField(), required=False)
    pgp_key = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="An ASCII-armoured OpenPGP public key; empty to remove the key.",
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ContactCreateSerializer(ContactUpdateSerializer):
    """A new contact of an organisation the caller manages (their own state's, for a national
    coordinator). It needs at least one phone number or email address."""

    organization = VisibleSlugRelatedField(Organization, help_text="Organisation slug.")
    name = serializers.CharField(max_length=200)
    is_active = None  # type: ignore[assignment]  # a new contact is active


class DesignateSerializer(serializers.Serializer[Any]):
    """The contact's member state designates it to a network, in a role the network uses.
    Where the network requires it, the designation awaits Secretariat confirmation."""

    contact = VisiblePrimaryKeyRelatedField(Contact, help_text="Contact id.")
    network = VisibleSlugRelatedField(Network, help_text="Network slug.")
    role = serializers.ChoiceField(choices=DesignationRole.choices)
    note_verbale_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note_verbale_date = serializers.DateField(required=False, allow_null=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    attributes = serializers.DictField(
        required=False, help_text="The network's own attributes, by key."
    )
    replaces = VisiblePrimaryKeyRelatedField(
        ContactDesignation,
        required=False,
        allow_null=True,
        help_text="Id of the active designation of the same state and network it replaces.",
    )


class WithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    on = serializers.DateField(
        required=False, allow_null=True, help_text="The last day in force; today when omitted."
    )


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, help_text="Why, for the designating state.")
