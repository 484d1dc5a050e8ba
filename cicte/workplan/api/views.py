"""Views of the work plan API, under /api/workplan/.

The pages' rules and code paths: reads through ``visible_to`` (events and partners: every
signed-in caller; requests for assistance: the Secretariat and the requesting state's
coordinators, anything else answers 404 like absent), writes through
:mod:`cicte.workplan.services` (events: the Secretariat; requests: the pipeline's rules), refusals
answer 403 with the reason, bad input 400 with messages per field. Tokens need ``workplan:read``
to read and ``workplan:write`` to write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.accounts.models import MemberState
from cicte.core.api import error_responses
from cicte.workplan import services
from cicte.workplan.api import serializers
from cicte.workplan.filtersets import AssistanceRequestFilterSet, EventFilterSet
from cicte.workplan.models import (
    AssistanceRequest,
    Event,
    Partner,
    coordinated_states,
    is_secretariat,
)

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)


class WorkplanAPIMixin:
    token_module = "workplan"  # noqa: S105 - a module name, not a secret


def _visible_request_ids(user: Any) -> set[int]:
    if not is_secretariat(user) and not coordinated_states(user):
        return set()
    return set(AssistanceRequest.objects.visible_to(user).values_list("pk", flat=True))


@extend_schema_view(
    list=extend_schema(
        summary="Events",
        description="Every event of the work plan. Filters: `q` (title), `kind`, `modality`, "
        "`program` (id; sub-programs included), `network` (id), `state` (member state id), "
        "`year`.",
    ),
    retrieve=extend_schema(
        summary="One event", responses={200: serializers.EventSerializer, **READ_ERRORS}
    ),
)
class EventViewSet(
    WorkplanAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Event],
):
    """Events: read by every signed-in caller, written by the Secretariat."""

    serializer_class = serializers.EventSerializer
    filterset_class = EventFilterSet

    def get_queryset(self) -> QuerySet[Event]:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return (
            Event.objects.visible_to(self.request.user)
            .select_related("activity")
            .prefetch_related("networks", "target_states", "organisers", "event_partners__partner")
            .order_by("-starts_at", "-pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_requests"] = _visible_request_ids(self.request.user)
        return context

    def _read_back(self, event: Event, code: int) -> Response:
        fresh = self.get_queryset().get(pk=event.pk)
        return Response(
            serializers.EventSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        summary="Create an event",
        request=serializers.EventInputSerializer,
        responses={201: serializers.EventSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        if not is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat runs the work plan."))
        given = serializers.EventInputSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        event = services.create_event(actor=request.user, data=dict(given.validated_data))
        return self._read_back(event, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an event",
        description="Only the fields given change (lists replace the whole list).",
        request=serializers.EventInputSerializer,
        responses={200: serializers.EventSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        if not is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat runs the work plan."))
        given = serializers.EventInputSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        given.is_valid(raise_exception=True)
        services.update_event(actor=request.user, event=event, data=dict(given.validated_data))
        return self._read_back(event, status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="Partners and donors"),
    retrieve=extend_schema(
        summary="One partner", responses={200: serializers.PartnerSerializer, **READ_ERRORS}
    ),
)
class PartnerViewSet(
    WorkplanAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Partner],
):
    serializer_class = serializers.PartnerSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Partner]:
        return Partner.objects.visible_to(self.request.user).order_by("name")


STEP_SERIALIZERS: dict[str, Any] = {
    "triage": serializers.TriageSerializer,
    "decline": serializers.NoteSerializer,
    "plan": serializers.PlanSerializer,
    "deliver": serializers.DeliverSerializer,
    "feedback": serializers.FeedbackSerializer,
    "close": serializers.CloseSerializer,
}


@extend_schema_view(
    list=extend_schema(
        summary="Requests for assistance",
        description="The Secretariat: every request; a national coordinator: their states'. "
        "Filters: `status`, `state` (member state id), `program` (id).",
    ),
    retrieve=extend_schema(
        summary="One request",
        responses={200: serializers.AssistanceRequestSerializer, **READ_ERRORS},
    ),
)
class AssistanceRequestViewSet(
    WorkplanAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[AssistanceRequest],
):
    """Requests for assistance, from the note verbale to the state's feedback and closure."""

    serializer_class = serializers.AssistanceRequestSerializer
    filterset_class = AssistanceRequestFilterSet

    def get_queryset(self) -> QuerySet[AssistanceRequest]:
        if getattr(self, "swagger_fake_view", False):
            return AssistanceRequest.objects.none()
        return (
            AssistanceRequest.objects.visible_to(self.request.user)
            .select_related("member_state", "program", "activity", "created_by")
            .prefetch_related("events")
            .order_by("-received_on", "-pk")
        )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not is_secretariat(request.user) and not coordinated_states(request.user):
            raise PermissionDenied(
                _("Requests for assistance are for the Secretariat and national coordinators.")
            )

    def _read_back(self, item: AssistanceRequest, code: int) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(serializers.AssistanceRequestSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Record a request",
        description="A coordinator for their state (`member_state` needed when they coordinate "
        "several), or the Secretariat for any state.",
        request=serializers.AssistanceRequestInputSerializer,
        responses={201: serializers.AssistanceRequestSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        given = serializers.AssistanceRequestInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        code = str(data.pop("member_state", "") or "").upper()
        states = services.requesting_states(request.user)
        if code:
            state = MemberState.objects.filter(code=code).first()
            if state is None:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"member_state": [_("Unknown member state.")]})
        elif len(states) == 1:
            state = states[0]
        else:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"member_state": [_("Say for which member state.")]})
        item = services.create_request(actor=request.user, member_state=state, data=data)
        return self._read_back(item, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a request",
        request=serializers.AssistanceRequestInputSerializer,
        responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        given = serializers.AssistanceRequestInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        data.pop("member_state", None)
        services.update_request(actor=request.user, request=item, data=data)
        return self._read_back(item, status.HTTP_200_OK)

    def _step(self, request: Request, step: str) -> Response:
        item = self.get_object()
        given = STEP_SERIALIZERS[step](data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        actor = request.user
        if step == "triage":
            services.triage_request(
                actor=actor,
                request=item,
                note=data["note"],
                program=data.get("program"),
                activity=data.get("activity"),
            )
        elif step == "decline":
            services.decline_request(actor=actor, request=item, note=data["note"])
        elif step == "plan":
            events = list(Event.objects.visible_to(actor).filter(pk__in=data["events"]))
            if len(events) != len(set(data["events"])):
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"events": [_("Unknown events.")]})
            services.plan_request(actor=actor, request=item, events=events)
        elif step == "deliver":
            services.deliver_request(
                actor=actor, request=item, delivered_on=data.get("delivered_on")
            )
        elif step == "feedback":
            services.give_feedback(
                actor=actor,
                request=item,
                satisfaction=data["satisfaction"],
                feedback=data.get("feedback", ""),
            )
        else:
            services.close_request(
                actor=actor,
                request=item,
                closed_on=data.get("closed_on"),
                no_feedback=data.get("no_feedback", False),
            )
        return self._read_back(item, status.HTTP_200_OK)

    @extend_schema(summary="Triage (the Secretariat)", request=serializers.TriageSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "triage")

    @extend_schema(summary="Decline (the Secretariat)", request=serializers.NoteSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "decline")

    @extend_schema(summary="Plan: link the events that deliver it (the Secretariat)",
                   request=serializers.PlanSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "plan")

    @extend_schema(summary="Mark delivered (the Secretariat)", request=serializers.DeliverSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "deliver")

    @extend_schema(summary="The state's satisfaction and feedback (its coordinators)",
                   request=serializers.FeedbackSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "feedback")

    @extend_schema(summary="Close (the Secretariat, after the state's feedback or none in time)",
                   request=serializers.CloseSerializer,
                   responses={200: serializers.AssistanceRequestSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "close")
