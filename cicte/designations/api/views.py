"""Views of the designations API, under /api/sanctions/designations/.

The pages' rules and code paths: reads through ``visible_to`` (officials of the designating
state see every field and action; every other caller listed and delisted designations' public
fields; hidden answers 404 like absent), writes through :mod:`cicte.designations.services`
(four eyes, permissions for the state: refusals answer 403 with the reason, invalid payloads 400
with the messages per field). Tokens need ``sanctions:read`` to read and ``sanctions:write`` to
propose and decide.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.accounts.models import MemberState
from cicte.core import audit
from cicte.core.api import error_responses
from cicte.designations import exports, services
from cicte.designations.api import serializers
from cicte.designations.filtersets import ActionFilterSet, DesignationFilterSet
from cicte.designations.models import Action, Designation, official_states

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)


class SanctionsAPIMixin:
    token_module = "sanctions"  # noqa: S105 - a module name, not a secret

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()  # type: ignore[misc]
        context["official_states"] = official_states(self.request.user)  # type: ignore[attr-defined]
        return context


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise drf_serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return dict(data)


@extend_schema_view(
    list=extend_schema(
        summary="Designations",
        description="Officials of a designating state: their state's designations in every "
        "status; every other caller: listed and delisted designations, public fields only. "
        "Filters: `q` (name or reference), `status`, `kind`, `freeze_status`.",
    ),
    retrieve=extend_schema(
        summary="One designation", responses={200: serializers.DesignationSerializer, **READ_ERRORS}
    ),
)
class DesignationViewSet(
    SanctionsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Designation],
):
    """Domestic sanctions designations (UNSCR 1373)."""

    serializer_class = serializers.DesignationSerializer
    filterset_class = DesignationFilterSet
    lookup_field = "reference"
    lookup_value_regex = r"[A-Z]{2}-1373-\d{4}-\d{4,}"

    def get_queryset(self) -> QuerySet[Designation]:
        if getattr(self, "swagger_fake_view", False):
            return Designation.objects.none()
        actions = Action.objects.select_related("proposed_by", "decided_by", "list_version")
        return (
            Designation.objects.visible_to(self.request.user)
            .select_related("member_state")
            .prefetch_related(Prefetch("actions", queryset=actions.order_by("proposed_at", "pk")))
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: Any) -> Any:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _read_back(self, designation: Designation, code: int) -> Response:
        fresh = self.get_queryset().get(pk=designation.pk)
        return Response(
            serializers.DesignationSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        summary="Propose a designation",
        description="A new designation for the caller's state (a designation officer), in "
        "status proposed, with its designate action awaiting a second official's approval.",
        request=serializers.DesignationInputSerializer,
        responses={201: serializers.DesignationSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = _object(request.data)
        states = services.proposing_states(request.user)
        code = str(data.pop("member_state", "") or "").upper()
        if not states:
            raise PermissionDenied(
                _("Proposing a designation needs the role of a designation officer of your state.")
            )
        state: MemberState | None = (
            states[0] if not code else next((s for s in states if s.code == code), None)
        )
        if state is None:
            raise PermissionDenied(
                _("You may not propose designations for {code}.").format(code=code)
            )
        action_ = services.propose_designation(actor=request.user, member_state=state, data=data)
        return self._read_back(action_.designation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Propose a change",
        description="An amendment, a delisting or an unfreezing, awaiting a second official.",
        request=serializers.ActionInputSerializer,
        responses={201: serializers.ActionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def propose(self, request: Request, reference: str | None = None) -> Response:
        designation = self.get_object()
        if not designation.is_official(request.user):
            raise PermissionDenied(
                _("Proposing a change needs the role of a designation officer of the state.")
            )
        given = serializers.ActionInputSerializer(data=_object(request.data))
        given.is_valid(raise_exception=True)
        created = services.propose_action(
            actor=request.user,
            designation=designation,
            kind=given.validated_data["kind"],
            data=given.validated_data["payload"],
        )
        return Response(serializers.ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Listing proposal to the UN committees",
        description="The standard form's sections (identifying information, basis for "
        "listing, statement of case, narrative summary, points of contact) as JSON "
        "(`export.json`) or as XML in the UN consolidated list's structure (`export.xml`). "
        "Officials of the designating state only; audited.",
        responses={
            (200, "application/json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="The form as JSON."
            ),
            (200, "application/xml"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The form as XML."
            ),
            **READ_ERRORS,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"export\.(?P<fmt>json|xml)")
    def export(self, request: Request, reference: str | None = None, fmt: str = "json") -> Any:
        designation = self.get_object()
        if not designation.is_official(request.user):
            raise PermissionDenied(
                _("Only the designating state's officials export listing proposals.")
            )
        now = timezone.now()
        audit.record_export(
            actor=request.user,
            what="designations.designation",
            count=1,
            filters={"format": fmt, "reference": designation.reference},
        )
        if fmt == "json":
            body = json.dumps(
                exports.proposal(designation, actor=request.user, generated=now),
                ensure_ascii=False,
            )
        else:
            body = "".join(exports.proposal_xml(designation, actor=request.user, generated=now))
        return HttpResponse(body, content_type=exports.FORMATS[fmt])


@extend_schema_view(
    list=extend_schema(
        summary="Designation actions",
        description="The actions of the designations of the caller's state (officials only; "
        "empty for anyone else). Filters: `kind`, `status`.",
    ),
    retrieve=extend_schema(summary="One action"),
)
class ActionViewSet(
    SanctionsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Action],
):
    """Proposed changes and their decisions (four eyes)."""

    serializer_class = serializers.ActionSerializer
    filterset_class = ActionFilterSet

    def get_queryset(self) -> QuerySet[Action]:
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return (
            Action.objects.visible_to(self.request.user)
            .select_related("designation", "proposed_by", "decided_by", "list_version")
            .order_by("-proposed_at", "-pk")
        )

    def filter_queryset(self, queryset: Any) -> Any:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _decide(self, request: Request, decision: str) -> Response:
        action_ = self.get_object()
        given = serializers.DecisionSerializer(data=_object(request.data or {}))
        given.is_valid(raise_exception=True)
        note = given.validated_data["note"]
        deciders: dict[str, Callable[..., Action]] = {
            "approve": services.approve,
            "reject": services.reject,
            "withdraw": services.withdraw,
        }
        service = deciders[decision]
        done = service(actor=request.user, action=action_, note=note)
        fresh = self.get_queryset().get(pk=done.pk)
        return Response(serializers.ActionSerializer(fresh).data)

    @extend_schema(
        summary="Approve",
        description="A second official (never the proposer) with the approver role for the "
        "state: the change applies and the domestic list is published at once.",
        request=serializers.DecisionSerializer,
        responses={200: serializers.ActionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, "approve")

    @extend_schema(
        summary="Reject",
        description="A second official with the approver role, with a note saying why.",
        request=serializers.DecisionSerializer,
        responses={200: serializers.ActionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, "reject")

    @extend_schema(
        summary="Withdraw",
        description="The proposer takes back a proposal that awaits a decision.",
        request=serializers.DecisionSerializer,
        responses={200: serializers.ActionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, "withdraw")
