"""Serializers of the advisories API.

Reading: an advisory with its own text and ``text``, the text in the reader's language (the
request's ``Accept-Language``, as the pages) when a translation exists; the detail adds its
translations, the summary of its versions and the actions the caller may take.

Writing: the fields the services take, checked here for shape (lists of affected products,
http(s) references) and by the services for the rest; networks and collections are chosen only
among those the caller may see (a network by slug) or write (a collection by id), so that a
hidden one is reported like an absent one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.accounts.api.serializers import VisibleSlugRelatedField
from cicte.accounts.models import Network
from cicte.advisories import stix as advisory_stix
from cicte.advisories.choices import LANGUAGES, Severity
from cicte.advisories.models import Advisory, AdvisoryTranslation, AdvisoryVersion
from cicte.core.choices import TLP
from cicte.intel.models import Collection

MAX_AFFECTED = 200
AFFECTED_PARTS = ("cve", "vendor", "product", "versions")
MAX_REFERENCES = 100


# --- Reading ---------------------------------------------------------------------------------


class TextSerializer(serializers.Serializer[Any]):
    """Title, summary and recommendations in one language."""

    language = serializers.ChoiceField(choices=LANGUAGES, read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    recommendations = serializers.CharField(read_only=True)


class AffectedSerializer(serializers.Serializer[Any]):
    """An affected product: a CVE id, a vendor, a product, versions (any may be empty, not all)."""

    cve = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="A CVE id such as CVE-2026-12345.",
    )
    vendor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    product = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    versions = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_cve(self, value: str) -> str:
        value = value.strip().upper()
        if value and not advisory_stix.CVE.match(value):
            raise serializers.ValidationError(
                _("{cve} is not a CVE id such as CVE-2026-12345.").format(cve=value)
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        values = {key: str(attrs.get(key, "")).strip() for key in AFFECTED_PARTS}
        if not any(values.values()):
            raise serializers.ValidationError(
                _("Give at least one of cve, vendor, product and versions.")
            )
        return values


class AdvisoryTranslationSerializer(serializers.ModelSerializer[AdvisoryTranslation]):
    """The advisory's text in another of the four languages."""

    class Meta:
        model = AdvisoryTranslation
        fields = ["language", "title", "summary", "recommendations"]
        read_only_fields = fields


class AdvisoryVersionSummarySerializer(serializers.ModelSerializer[AdvisoryVersion]):
    """One version as published (version 1) or changed after publication."""

    class Meta:
        model = AdvisoryVersion
        fields = ["number", "note", "created_at"]
        read_only_fields = fields


class AdvisoryVersionSerializer(serializers.ModelSerializer[AdvisoryVersion]):
    """One version with the advisory as it was then (``snapshot``: its text, translations,
    severity, TLP, affected products and references)."""

    snapshot = serializers.JSONField(read_only=True)

    class Meta:
        model = AdvisoryVersion
        fields = ["number", "note", "created_at", "snapshot"]
        read_only_fields = fields


class AdvisorySerializer(serializers.ModelSerializer[Advisory]):
    """An advisory the caller may see. ``title``, ``summary`` and ``recommendations`` are in
    the advisory's own ``language``; ``text`` is in the reader's language when there is a
    translation (else the advisory's own). ``stix_report_id`` is its STIX report in
    ``collection``, once published there."""

    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    owner_organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    text = serializers.SerializerMethodField()
    affected = AffectedSerializer(many=True, read_only=True)
    references = serializers.ListField(child=serializers.URLField(), read_only=True)
    stix_report_id = serializers.CharField(source="stix_id", read_only=True)

    class Meta:
        model = Advisory
        fields = [
            "id",
            "reference",
            "status",
            "network",
            "owner_organization",
            "tlp",
            "severity",
            "language",
            "title",
            "summary",
            "recommendations",
            "text",
            "affected",
            "references",
            "version",
            "collection",
            "stix_report_id",
            "created_at",
            "updated_at",
            "published_at",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(TextSerializer)
    def get_text(self, obj: Advisory) -> dict[str, Any]:
        return obj.in_language()


class ActionsSerializer(serializers.Serializer[Any]):
    """What the caller may do to the advisory now (the services' rules)."""

    edit = serializers.BooleanField(read_only=True)
    translate = serializers.BooleanField(read_only=True)
    submit = serializers.BooleanField(read_only=True)
    approve = serializers.BooleanField(read_only=True)
    send_back = serializers.BooleanField(read_only=True)
    withdraw = serializers.BooleanField(read_only=True)


class AdvisoryDetailSerializer(AdvisorySerializer):
    """An advisory with its translations, its versions (newest first) and the caller's
    actions."""

    translations = AdvisoryTranslationSerializer(many=True, read_only=True)
    versions = AdvisoryVersionSummarySerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(AdvisorySerializer.Meta):
        fields = [*AdvisorySerializer.Meta.fields, "translations", "versions", "actions"]
        read_only_fields = fields

    @extend_schema_field(ActionsSerializer)
    def get_actions(self, obj: Advisory) -> dict[str, bool]:
        from cicte.advisories.views_edit import actions_for

        request = self.context.get("request")
        return actions_for(getattr(request, "user", None), obj)


# --- Writing ---------------------------------------------------------------------------------


class WritableCollectionField(serializers.PrimaryKeyRelatedField):
    """A collection named by id, chosen only among those the caller may write to."""

    def get_queryset(self) -> QuerySet[Collection]:
        request = self.context.get("request")
        return Collection.objects.writable_by(getattr(request, "user", None)).filter(
            network__isnull=False
        )


def _references(values: list[str]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    urls: list[str] = []
    for position, value in enumerate(values, start=1):
        url = value.strip()
        try:
            validate(url)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                _("Item {number} is not an http(s) address.").format(number=position)
            ) from exc
        if url not in urls:
            urls.append(url)
    return urls


class AdvisoryContentSerializer(serializers.Serializer[Any]):
    """The content of an advisory, as the services take it."""

    title = serializers.CharField(max_length=300)
    summary = serializers.CharField()
    recommendations = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    affected = AffectedSerializer(many=True, required=False)
    references = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        max_length=MAX_REFERENCES,
        help_text="http(s) addresses.",
    )

    def validate_affected(self, value: list[dict[str, str]]) -> list[dict[str, str]]:
        if len(value) > MAX_AFFECTED:
            raise serializers.ValidationError(
                _("At most {count} affected products.").format(count=MAX_AFFECTED)
            )
        return value

    def validate_references(self, value: list[str]) -> list[str]:
        return _references(value)


class AdvisoryCreateSerializer(AdvisoryContentSerializer):
    """A new draft in a network where the caller may write advisories (by slug), optionally
    with a collection of that network that they may write to, where its STIX report goes when
    it is published."""

    network = VisibleSlugRelatedField(Network, help_text="Network slug.")
    collection = WritableCollectionField(
        queryset=Collection.objects.none(),
        required=False,
        allow_null=True,
        pk_field=serializers.UUIDField(),
        help_text="Id of a collection of the same network that the caller may write to.",
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    language = serializers.ChoiceField(choices=LANGUAGES, default="en")
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.GREEN)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        collection, network = attrs.get("collection"), attrs.get("network")
        if collection is not None and network is not None and collection.network_id != network.pk:
            raise serializers.ValidationError(
                {"collection": [_("Choose a collection of the advisory's network.")]}
            )
        return attrs


class AdvisoryUpdateSerializer(AdvisoryContentSerializer):
    """A change: only the fields given change (``affected`` and ``references``, when given,
    replace the whole list). Changing a published advisory publishes a new version, sent to the
    subscribers with ``note``; changing one under review returns it to draft."""

    title = serializers.CharField(max_length=300, required=False)
    summary = serializers.CharField(required=False)
    note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="What changed (for a published advisory: sent with the new version).",
    )


class TranslationInputSerializer(serializers.Serializer[Any]):
    """The advisory's text in another of the four languages (replaces the one there is)."""

    language = serializers.ChoiceField(choices=LANGUAGES)
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField()
    recommendations = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer[Any]):
    """For a TLP:RED advisory under four-eyes review, the colleague who reviews it (by
    username): it reaches only the people named."""

    reviewer = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="Username of a colleague of the same organisation who may review it.",
    )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, help_text="Why (told to the readers).")
