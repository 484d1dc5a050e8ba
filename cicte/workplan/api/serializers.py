"""Serializers of the work plan API: events and requests for assistance.

Related records are named the way people know them: networks by slug, member states by ISO code,
organisers by username, the activity by id, partners by id with their role. The services validate
and write; input serializers only resolve names to records (among those the caller may see) and
say what is wrong, field by field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.utils.translation import gettext as _
from rest_framework import serializers

from cicte.accounts.models import MemberState, Network, User
from cicte.workplan.choices import ActivityStatus, EventKind, Modality, PartnerRole
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    Partner,
    Program,
    WorkPlan,
)
from cicte.workplan.services import EVENT_EDITABLE


class EventPartnerSerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField(help_text="Partner id (GET /api/workplan/partners/).")
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=PartnerRole.choices)


class EventSerializer(serializers.ModelSerializer[Event]):
    """An event as everyone signed in sees it (participants are not here)."""

    activity = serializers.CharField(source="activity.code", read_only=True, default=None)
    activity_id = serializers.IntegerField(read_only=True, allow_null=True)
    networks = serializers.SerializerMethodField()
    target_states = serializers.SerializerMethodField()
    organisers = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    request = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "translations",
            "activity_id",
            *EVENT_EDITABLE,
            "partners",
            "request",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_networks(self, event: Event) -> list[str]:
        return sorted(n.slug for n in event.networks.all())

    def get_target_states(self, event: Event) -> list[str]:
        return sorted(s.code for s in event.target_states.all())

    def get_organisers(self, event: Event) -> list[str]:
        return sorted(u.username for u in event.organisers.all())

    def get_partners(self, event: Event) -> list[dict[str, Any]]:
        return [
            {"partner": ep.partner_id, "name": ep.partner.name, "role": ep.role}
            for ep in sorted(event.event_partners.all(), key=lambda ep: (ep.role, ep.partner_id))
        ]

    def get_request(self, event: Event) -> int | None:
        """The request for assistance it delivers, for those who may see it."""
        visible = self.context.get("visible_requests")
        if event.request_id is None or visible is None or event.request_id not in visible:
            return None
        return event.request_id


class EventInputSerializer(serializers.Serializer[Any]):
    """What an event is made of; on PATCH, only the fields given change."""

    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True
    )
    modality = serializers.ChoiceField(choices=Modality.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(required=False, max_length=64)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=300)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    currency = serializers.CharField(required=False, max_length=3)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, required=False)
    networks = serializers.ListField(child=serializers.CharField(), required=False)
    target_states = serializers.ListField(child=serializers.CharField(), required=False)
    organisers = serializers.ListField(child=serializers.CharField(), required=False)
    partners = EventPartnerSerializer(many=True, required=False)

    def _resolve(self, model: Any, queryset: Any, field: str, values: list[str]) -> list[Any]:
        found = {getattr(o, field): o for o in queryset.filter(**{f"{field}__in": values})}
        missing = [v for v in values if v not in found]
        if missing:
            raise serializers.ValidationError(
                _("Unknown: {values}.").format(values=", ".join(missing))
            )
        return [found[v] for v in values]

    def validate_networks(self, value: list[str]) -> list[Network]:
        user = self.context["request"].user
        return self._resolve(Network, Network.objects.visible_to(user), "slug", value)

    def validate_target_states(self, value: list[str]) -> list[MemberState]:
        return self._resolve(
            MemberState, MemberState.objects.all(), "code", [v.upper() for v in value]
        )

    def validate_organisers(self, value: list[str]) -> list[User]:
        user = self.context["request"].user
        return self._resolve(User, User.objects.visible_to(user), "username", value)

    def validate_country(self, value: str) -> str:
        return value.upper()

    def validate_partners(self, value: list[dict[str, Any]]) -> list[tuple[Partner, str]]:
        partners = Partner.objects.in_bulk([item["partner"] for item in value])
        missing = [str(item["partner"]) for item in value if item["partner"] not in partners]
        if missing:
            raise serializers.ValidationError(
                _("Unknown partners: {ids}.").format(ids=", ".join(missing))
            )
        return [(partners[item["partner"]], item["role"]) for item in value]


class AssistanceRequestSerializer(serializers.ModelSerializer[AssistanceRequest]):
    member_state = serializers.CharField(source="member_state.code", read_only=True)
    program = serializers.CharField(source="program.code", read_only=True, default=None)
    activity = serializers.CharField(source="activity.code", read_only=True, default=None)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    events = serializers.SerializerMethodField()

    class Meta:
        model = AssistanceRequest
        fields = [
            "id",
            "member_state",
            "title",
            "description",
            "note_verbale",
            "received_on",
            "status",
            "program",
            "activity",
            "triage_note",
            "triaged_on",
            "events",
            "planned_on",
            "delivered_on",
            "satisfaction",
            "feedback",
            "closed_on",
            "closure",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_events(self, request: AssistanceRequest) -> list[int]:
        return sorted(e.pk for e in request.events.all())


def _current_plan() -> Any:
    return Subquery(WorkPlan.objects.order_by("-period_start").values("pk")[:1])


class PlanRefsMixin(serializers.Serializer[Any]):
    """Program and activity by code, in the current plan (the latest period)."""

    program = serializers.SlugRelatedField(
        slug_field="code", queryset=Program.objects.filter(work_plan=_current_plan()), required=False, allow_null=True,
        help_text="Program code (A, D.1...) of the current plan.",
    )  # fmt: skip
    activity = serializers.SlugRelatedField(
        slug_field="code", queryset=Activity.objects.filter(program__work_plan=_current_plan()),
        required=False, allow_null=True, help_text="Activity code (A.1, D.1.3...).",
    )  # fmt: skip


class AssistanceRequestInputSerializer(PlanRefsMixin):
    member_state = serializers.CharField(
        required=False, help_text="ISO code; needed when the caller may request for several."
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField()
    note_verbale = serializers.CharField(required=False, allow_blank=True, max_length=100)
    received_on = serializers.DateField(required=False)


class TriageSerializer(PlanRefsMixin):
    note = serializers.CharField()


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField()


class PlanSerializer(serializers.Serializer[Any]):
    events = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class DeliverSerializer(serializers.Serializer[Any]):
    delivered_on = serializers.DateField(required=False)


class FeedbackSerializer(serializers.Serializer[Any]):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    feedback = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer[Any]):
    closed_on = serializers.DateField(required=False)
    no_feedback = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Close without the state's feedback, once WORKPLAN_FEEDBACK_DAYS have passed "
        "since the delivery.",
    )


class PartnerSerializer(serializers.ModelSerializer[Partner]):
    class Meta:
        model = Partner
        fields = ["id", "name", "iati_ref", "country"]
        read_only_fields = fields
