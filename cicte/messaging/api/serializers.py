"""Serializers of the exchange API: what the pages show, and the fields the services take
(networks by slug, member states by ISO code)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.accounts.models import MemberState, Network
from cicte.core.choices import TLP
from cicte.messaging import escalation
from cicte.messaging.choices import EscalationLevel, MessageKind, Urgency
from cicte.messaging.models import Attachment, Delivery, Message

SENDABLE_KINDS = [(k, label) for k, label in MessageKind.choices if k != MessageKind.RESPONSE]


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj: Attachment) -> str:
        path = reverse("messaging-api:message-attachment", args=[obj.message_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MessageSerializer(serializers.ModelSerializer[Message]):
    """A message as lists show it (no text)."""

    network: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sender_state: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    addressed_states = serializers.SerializerMethodField()
    thread: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    in_reply_to: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    kind = serializers.ChoiceField(choices=MessageKind.choices, read_only=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, read_only=True)
    tlp = serializers.ChoiceField(choices=TLP.choices, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "reference",
            "network",
            "kind",
            "urgency",
            "tlp",
            "subject",
            "language",
            "sender_state",
            "whole_network",
            "addressed_states",
            "thread",
            "in_reply_to",
            "due_at",
            "sent_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_addressed_states(self, obj: Message) -> list[str]:
        return sorted(d.member_state.code for d in obj.deliveries.all())


class MessageDetailSerializer(MessageSerializer):
    """A message with its text and attachments."""

    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "body", "attachments"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer[Any]):
    network = serializers.SlugRelatedField(slug_field="slug", queryset=Network.objects.all())
    kind = serializers.ChoiceField(choices=SENDABLE_KINDS)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=100_000)
    language = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    sender_state = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MemberState.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The member state sent for (ISO code); null or absent: the only state the "
        "caller speaks for, or the Secretariat for its members.",
    )
    whole_network = serializers.BooleanField(default=False)
    states = serializers.SlugRelatedField(
        slug_field="code", queryset=MemberState.objects.all(), many=True, required=False
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class ReplySerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=100_000)
    subject = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    tlp = serializers.ChoiceField(
        choices=TLP.choices, required=False, allow_null=True, default=None
    )
    language = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class EscalationStepSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=EscalationLevel.choices)
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    after_minutes = serializers.IntegerField(allow_null=True)
    recipients = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_recipients(self, obj: Any) -> int:
        return len(obj.recipients)


def _name(user: Any) -> str | None:
    return user.get_full_name() if user is not None else None


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    member_state: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    read_by = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    answered_by = serializers.SerializerMethodField()
    escalation_level = serializers.ChoiceField(choices=EscalationLevel.choices, read_only=True)
    escalations = EscalationStepSerializer(many=True, read_only=True)
    escalates_at = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "member_state",
            "notified_at",
            "read_at",
            "read_by",
            "acknowledged_at",
            "acknowledged_by",
            "answered_at",
            "answered_by",
            "escalation_level",
            "escalations",
            "escalates_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_escalates_at(self, obj: Delivery) -> str | None:
        """When the next escalation step falls due if nobody acknowledges (None: none will)."""
        if obj.acknowledged_at is not None or obj.message.urgency != Urgency.IMMEDIATE:
            return None
        minutes = self.context.get("delays", {}).get(obj.message.network_id)
        if minutes is None:
            minutes = escalation.minutes_for(obj.message.network_id)
        at = escalation.next_step_at(obj.message, obj, minutes)
        return serializers.DateTimeField().to_representation(at) if at else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_read_by(self, obj: Delivery) -> str | None:
        return _name(obj.read_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, obj: Delivery) -> str | None:
        return _name(obj.acknowledged_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_answered_by(self, obj: Delivery) -> str | None:
        return _name(obj.answered_by)


class MetricsQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(required=False, allow_null=True, default=None)
    end = serializers.DateField(required=False, allow_null=True, default=None)
    network = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Network.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class FiguresSerializer(serializers.Serializer[Any]):
    network = serializers.CharField(source="network.slug")
    member_state = serializers.CharField(source="member_state.code", allow_null=True, default=None)
    addressed = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    median_seconds_to_acknowledge = serializers.IntegerField(
        source="median_ack_seconds", allow_null=True
    )
    answered = serializers.IntegerField()
    median_seconds_to_answer = serializers.IntegerField(
        source="median_answer_seconds", allow_null=True
    )
