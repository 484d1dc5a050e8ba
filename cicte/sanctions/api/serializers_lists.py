"""Serializers of the sanctions lists' read API (lists, versions, changes, entries) and of the
reporting entities' subscriptions and notifications (:mod:`cicte.sanctions.api.views_lists`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from cicte.accounts.choices import Language

# --- Lists, versions, entries (read) -------------------------------------------------------------


class VersionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    imported_at = serializers.DateTimeField(help_text="When the change was made on the platform.")
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="The source file's own date, if it has one."
    )
    source_name = serializers.CharField()
    source_sha256 = serializers.CharField()
    entity_count = serializers.IntegerField()
    added = serializers.IntegerField(source="added_count")
    amended = serializers.IntegerField(source="amended_count")
    removed = serializers.IntegerField(source="removed_count")
    url = serializers.SerializerMethodField(help_text="The version's API address.")

    def get_url(self, version: Any) -> str:
        request = self.context.get("request")
        path = reverse(
            "sanctions-version-detail", args=[version.sanctions_list.key, version.number]
        )
        return request.build_absolute_uri(path) if request else path


class SanctionsListSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="un, ofac or a domestic list's lower-case ISO code.")
    title = serializers.CharField()
    kind = serializers.CharField(help_text="official or domestic.")
    member_state = serializers.CharField(
        source="member_state.code", allow_null=True, default=None, help_text="Domestic lists."
    )
    entity_count = serializers.IntegerField(source="current", help_text="Entries listed now.")
    current_version = VersionSerializer(source="latest", allow_null=True)
    last_fetch_at = serializers.DateTimeField(allow_null=True)
    last_fetch_status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, sanctions_list: Any) -> str:
        request = self.context.get("request")
        path = reverse("sanctions-list-detail", args=[sanctions_list.key])
        return request.build_absolute_uri(path) if request else path


class ChangeSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="added, amended or removed.")
    source_id = serializers.CharField(source="entity.source_id")
    ftm_id = serializers.CharField(source="entity.ftm_id")
    caption = serializers.CharField(source="entity.caption")
    schema = serializers.CharField(source="entity.schema")
    diff = serializers.DictField(
        help_text="For amended and removed entries: {property: [values before, values after]} "
        "(a related entity's property as Schema.property)."
    )


class EntitySerializer(serializers.Serializer[Any]):
    id = serializers.CharField(source="ftm_id", help_text="The FollowTheMoney id.")
    schema = serializers.CharField()
    caption = serializers.CharField()
    source_id = serializers.CharField(help_text="The list's own identifier.")
    first_version = serializers.IntegerField(source="first_version.number")
    last_changed_version = serializers.IntegerField(source="last_changed_version.number")
    removed_in = serializers.IntegerField(source="removed_in.number", allow_null=True, default=None)


class EntityDetailSerializer(EntitySerializer):
    properties = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The FtM properties.",
    )
    related = serializers.ListField(
        child=serializers.DictField(),
        help_text="The FtM entities hanging on it: Sanction, Identification/Passport, Address.",
    )


# --- Subscriptions -------------------------------------------------------------------------------


class ListSubscriptionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(
        source="organization.slug",
        required=False,
        help_text="The subscribing organisation's slug; by default the caller's.",
    )
    name = serializers.CharField(max_length=100)
    lists = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=list,
        help_text="List keys; none: every list, domestic lists added later included.",
    )
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    webhook_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Empty: no webhook."
    )
    is_active = serializers.BooleanField(required=False, default=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "organization": instance.organization.slug,
            "name": instance.name,
            "lists": sorted(item.key for item in instance.lists.all()),
            "emails": instance.emails,
            "language": instance.language,
            "webhook_url": instance.webhook.url if instance.webhook else "",
            "is_active": instance.is_active,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }


class ListSubscriptionCreatedSerializer(ListSubscriptionSerializer):
    webhook_secret = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="A new webhook's signing secret, in this response only; null otherwise.",
    )


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    list = serializers.CharField(source="version.sanctions_list.key")
    version = serializers.IntegerField(source="version.number")
    organization = serializers.CharField(source="organization.slug")
    subscription = serializers.IntegerField(source="subscription_id", allow_null=True)
    changed_at = serializers.DateTimeField()
    email_sent_at = serializers.DateTimeField(allow_null=True)
    email_attempts = serializers.IntegerField()
    email_error = serializers.CharField()
    email_delay_seconds = serializers.SerializerMethodField()
    webhook_status = serializers.CharField(
        source="webhook_delivery.status", allow_null=True, default=None
    )
    webhook_delivered_at = serializers.DateTimeField(allow_null=True)
    webhook_delay_seconds = serializers.SerializerMethodField()

    def get_email_delay_seconds(self, notification: Any) -> float | None:
        delay = notification.email_delay
        return None if delay is None else round(delay.total_seconds(), 3)

    def get_webhook_delay_seconds(self, notification: Any) -> float | None:
        delay = notification.webhook_delay
        return None if delay is None else round(delay.total_seconds(), 3)
