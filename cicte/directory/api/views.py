"""Views of the directory API, under /api/directory/.

Reads go through ``visible_to(request.user)``: a designation or contact the caller may not see
answers 404, like one that does not exist; lists take the filters of the directory's search
(:class:`ContactDesignationFilterSet`). Writes go through :mod:`cicte.directory.services` with the
caller as the actor: the services decide who may do what (403 for a visible record the caller
may not change) and raise Django's ValidationError for bad input (400, see
:mod:`cicte.core.api`). Every look at one contact's details is an audit event.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core import audit
from cicte.core.api import error_responses
from cicte.directory import exchange, services
from cicte.directory.api import serializers
from cicte.directory.filtersets import ContactDesignationFilterSet
from cicte.directory.models import Contact, ContactDesignation

LIST_ERRORS = error_responses(400, 401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)
CREATE_ERRORS = error_responses(400, 401, 403)
UPDATE_ERRORS = error_responses(400, 401, 403, 404)


class DirectoryAPIMixin:
    # Tokens need directory:read to read and directory:write to change
    # (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "directory"  # noqa: S105 - a module name, not a secret


def _designations(user: Any) -> QuerySet[ContactDesignation]:
    """What the caller sees, with everything a row shows, in a constant number of queries."""
    return (
        ContactDesignation.objects.visible_to(user)
        .select_related("contact__organization__member_state", "network", "member_state")
        .prefetch_related(*exchange.contact_prefetches(user, "contact__"))
        .order_by("network__slug", "member_state__code", "role", "contact__name", "pk")
    )


def _designation_action(summary: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: serializers.ContactDesignationSerializer, **UPDATE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Search the directory",
        description="The designations the caller may see (the directories of their networks; "
        "the designating state's coordinators also see those awaiting confirmation), with the "
        "search's filters: `q`, `member_state`, `network`, `role`, `organization`, "
        "`language`, `always_available`, `stale`, `status`, and `on` (in force on a date). "
        "Sensitive fields follow each network's policy.",
        responses={200: serializers.ContactDesignationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One designation",
        responses={200: serializers.ContactDesignationSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Designate a contact",
        description="National coordinators designate their own state's contacts in the "
        "networks they coordinate; the Secretariat any. Where the network requires it, the "
        "designation awaits Secretariat confirmation (`status` pending).",
        request=serializers.DesignateSerializer,
        responses={201: serializers.ContactDesignationSerializer, **CREATE_ERRORS},
    ),
)
class ContactDesignationViewSet(
    DirectoryAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ContactDesignation],
):
    """Contact designations: who each member state designated to each network, and when."""

    serializer_class = serializers.ContactDesignationSerializer
    filterset_class = ContactDesignationFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ContactDesignation]:
        return _designations(self.request.user)

    def _respond(self, designation: ContactDesignation, code: int = status.HTTP_200_OK) -> Response:
        # Read back as a list row is read: visible, with its prefetches.
        fresh = _designations(self.request.user).filter(pk=designation.pk).first()
        data = self.get_serializer(fresh or designation).data
        return Response(data, status=code)

    def _input(self, serializer_class: type[Any]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(serializers.DesignateSerializer)
        designation = services.designate(actor=request.user, **data)  # type: ignore[arg-type]
        return self._respond(designation, status.HTTP_201_CREATED)

    @_designation_action(
        "Confirm a designation",
        "The Secretariat confirms a designation awaiting confirmation: it is in force from "
        "then (or from its valid-from date, if later), and replaces the one it names.",
        request=None,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        designation = services.confirm_designation(
            actor=request.user,  # type: ignore[arg-type]
            designation=self.get_object(),
        )
        return self._respond(designation)

    @_designation_action(
        "Reject a designation",
        "The Secretariat rejects a designation awaiting confirmation, saying why.",
        request=serializers.RejectSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        designation = self.get_object()
        data = self._input(serializers.RejectSerializer)
        designation = services.reject_designation(
            actor=request.user,  # type: ignore[arg-type]
            designation=designation,
            **data,
        )
        return self._respond(designation)

    @_designation_action(
        "Withdraw a designation",
        "The designating state's coordinator (or the Secretariat) ends a designation; it "
        "stays in the history, in force until `on` (today when omitted).",
        request=serializers.WithdrawSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        designation = self.get_object()
        data = self._input(serializers.WithdrawSerializer)
        designation = services.withdraw_designation(
            actor=request.user,  # type: ignore[arg-type]
            designation=designation,
            reason=data.get("reason") or "",
            on=data.get("on"),
        )
        return self._respond(designation)

    @_designation_action(
        "Verify a designation",
        "The contact or their coordinator confirms that the contact's details are still "
        "right: the verification cycle starts again and the designation is no longer stale.",
        request=None,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        designation = services.verify_designation(
            actor=request.user,  # type: ignore[arg-type]
            designation=self.get_object(),
        )
        return self._respond(designation)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One contact",
        description="A contact the caller may see: one designated to a network whose "
        "directory they see, their own, or (for coordinators) one of their state's. Each "
        "look is recorded in the audit trail.",
        responses={200: serializers.ContactSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Record a contact",
        description="In an organisation the caller manages: national coordinators their own "
        "state's, the Secretariat any.",
        request=serializers.ContactCreateSerializer,
        responses={201: serializers.ContactSerializer, **CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a contact",
        description="By a manager of its organisation's contacts, or by the contact "
        "themselves (their own details; not `kind` or `is_active`). Lists given replace the "
        "whole list. The contact's active designations count as verified.",
        request=serializers.ContactUpdateSerializer,
        responses={200: serializers.ContactSerializer, **UPDATE_ERRORS},
    ),
)
class ContactViewSet(
    DirectoryAPIMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Contact],
):
    """Contacts: people and functional contacts (duty desks) of organisations."""

    serializer_class = serializers.ContactSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Contact]:
        user = self.request.user
        return (
            Contact.objects.visible_to(user)
            .select_related("organization__member_state")
            .prefetch_related(*exchange.contact_prefetches(user))
        )

    def _respond(self, contact: Contact, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=contact.pk).first()
        return Response(self.get_serializer(fresh or contact).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        if contact.user_id != request.user.pk:
            audit.record_view(actor=request.user, obj=contact)
        return Response(self.get_serializer(contact).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = serializers.ContactCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        contact = services.create_contact(
            actor=request.user,  # type: ignore[arg-type]
            **serializer.validated_data,
        )
        return self._respond(contact, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        serializer = serializers.ContactUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        contact = services.update_contact(
            actor=request.user,  # type: ignore[arg-type]
            contact=contact,
            **serializer.validated_data,
        )
        return self._respond(contact)
