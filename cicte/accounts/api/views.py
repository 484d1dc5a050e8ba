"""Views of the accounts API: member states, organisations, networks and their members, people,
their roles, and the caller.

Reads go through ``Model.objects.visible_to(request.user)``: what the caller may not see answers
404, like what does not exist. Writes go through :mod:`cicte.accounts.services` with the caller
as the actor; the services decide who may do what (403 for a visible record the caller may not
change) and raise Django's ValidationError for bad input (400, see :mod:`cicte.core.api`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django_filters import FilterSet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cicte.accounts import selectors, services
from cicte.accounts.api import serializers
from cicte.accounts.filtersets import (
    MemberStateFilterSet,
    NetworkFilterSet,
    OrganizationFilterSet,
    OrganizationMembershipFilterSet,
    RoleAssignmentFilterSet,
    UserFilterSet,
)
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    RoleAssignment,
    TOTPDevice,
    User,
)
from cicte.core import audit
from cicte.core.api import error_responses

LIST_ERRORS = error_responses(400, 401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)
CREATE_ERRORS = error_responses(400, 401, 403)
UPDATE_ERRORS = error_responses(400, 401, 403, 404)


def networks_with_visible_members(user: Any) -> list[int]:
    """The networks whose member organisations ``user`` may see."""
    return [
        network.pk
        for network in Network.objects.visible_to(user)
        if selectors.can_see_members(user, network)
    ]


def _role_assignments() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related("role", "network", "organization"),
    )


class AccountsAPIMixin:
    # The token scope every view of this module needs: accounts:read to read, accounts:write
    # to change (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "accounts"  # noqa: S105 - a module name, not a secret


# --- Member states ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the member states",
        description="The 35 member states of the OAS, with ISO 3166 codes and names in the "
        "four official languages. Reference data: every signed-in user sees all of them.",
        responses={200: serializers.MemberStateSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One member state, by ISO 3166-1 alpha-2 code",
        responses={200: serializers.MemberStateSerializer, **DETAIL_ERRORS},
    ),
)
class MemberStateViewSet(AccountsAPIMixin, viewsets.ReadOnlyModelViewSet[MemberState]):
    """The member states of the OAS."""

    serializer_class = serializers.MemberStateSerializer
    filterset_class = MemberStateFilterSet
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"

    def get_queryset(self) -> QuerySet[MemberState]:
        # Public reference data (loaded from ISO 3166 and CLDR): no visibility rule applies.
        return MemberState.objects.all()

    def get_object(self) -> MemberState:
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


# --- Organisations ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List organisations",
        description="The organisations the caller may see: their own, the Secretariat, those "
        "of their member state and those that share a network with them; coordinators and "
        "Secretariat administrators see what they manage.",
        responses={200: serializers.OrganizationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One organisation, by slug",
        responses={200: serializers.OrganizationSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Register an organisation",
        description="Secretariat administrators register any organisation; national "
        "coordinators register their own member state's institutions.",
        request=serializers.OrganizationCreateSerializer,
        responses={201: serializers.OrganizationSerializer, **CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an organisation",
        description="By those who may register it; moving it to another member state needs "
        "rights over both.",
        responses={200: serializers.OrganizationSerializer, **UPDATE_ERRORS},
    ),
)
class OrganizationViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Organization],
):
    """Organisations: institutions of member states, the CICTE Secretariat, partners."""

    filterset_class = OrganizationFilterSet
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Organization]:
        return Organization.objects.visible_to(self.request.user).select_related("member_state")

    def get_serializer_class(self) -> type[BaseSerializer[Organization]]:
        if self.action == "create":
            return serializers.OrganizationCreateSerializer
        return serializers.OrganizationSerializer

    def restrict_filterset(self, filterset: FilterSet) -> None:
        # Filtering by network reveals who belongs to it: only where the caller may see that.
        if "network" in self.request.query_params:
            filterset.filters["network"].queryset = Network.objects.filter(
                pk__in=networks_with_visible_members(self.request.user)
            )

    def perform_create(self, serializer: BaseSerializer[Organization]) -> None:
        serializer.instance = services.create_organization(
            actor=self.request.user,  # type: ignore[arg-type]
            **serializer.validated_data,
        )

    def perform_update(self, serializer: BaseSerializer[Organization]) -> None:
        serializer.instance = services.update_organization(
            actor=self.request.user,  # type: ignore[arg-type]
            organization=serializer.instance,  # type: ignore[arg-type]
            **serializer.validated_data,
        )


# --- Networks and memberships ----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List networks",
        description="Every network; its member organisations are listed only to its members, "
        "coordinators and the Secretariat (otherwise `members` is null).",
        responses={200: serializers.NetworkSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One network, by slug",
        responses={200: serializers.NetworkSerializer, **DETAIL_ERRORS},
    ),
)
class NetworkViewSet(AccountsAPIMixin, viewsets.ReadOnlyModelViewSet[Network]):
    """The networks of the work plan."""

    serializer_class = serializers.NetworkSerializer
    filterset_class = NetworkFilterSet
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Network]:
        return Network.objects.visible_to(self.request.user).prefetch_related(
            Prefetch(
                "organization_memberships",
                queryset=OrganizationMembership.objects.select_related(
                    "organization__member_state", "role"
                ),
            )
        )


@extend_schema_view(
    list=extend_schema(
        summary="List organisations' network memberships",
        description="Memberships in the networks whose members the caller may see.",
        responses={
            200: serializers.OrganizationMembershipSerializer(many=True),
            **LIST_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One membership",
        responses={200: serializers.OrganizationMembershipSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Add an organisation to a network",
        description="By Secretariat administrators, or a national coordinator of the "
        "organisation's member state in that network. If the organisation is already a "
        "member, its role is changed (200).",
        responses={
            201: serializers.OrganizationMembershipSerializer,
            200: serializers.OrganizationMembershipSerializer,
            **CREATE_ERRORS,
        },
    ),
    destroy=extend_schema(
        summary="Remove an organisation from a network",
        responses={204: OpenApiResponse(description="Removed."), **DETAIL_ERRORS},
    ),
)
class OrganizationMembershipViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[OrganizationMembership],
):
    """Organisations' memberships of networks, with the role their people hold there."""

    serializer_class = serializers.OrganizationMembershipSerializer
    filterset_class = OrganizationMembershipFilterSet

    def get_queryset(self) -> QuerySet[OrganizationMembership]:
        return OrganizationMembership.objects.filter(
            network_id__in=networks_with_visible_members(self.request.user)
        ).select_related("organization__member_state", "network", "role")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = OrganizationMembership.objects.filter(
            organization=data["organization"], network=data["network"]
        ).exists()
        membership = services.add_organization_to_network(
            actor=request.user,  # type: ignore[arg-type]
            organization=data["organization"],
            network=data["network"],
            role=data["role"],
        )
        return Response(
            self.get_serializer(membership).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance: OrganizationMembership) -> None:
        services.remove_organization_from_network(actor=self.request.user, membership=instance)  # type: ignore[arg-type]


# --- People and roles ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List accounts",
        description="The accounts the caller may see: their own and their organisation's; "
        "national coordinators their member state's; Secretariat administrators every one.",
        responses={200: serializers.UserSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One account, by id",
        responses={200: serializers.UserSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Open an account",
        description="In an organisation the caller manages. Without a password, the person is "
        "emailed an invitation to choose one.",
        request=serializers.UserCreateSerializer,
        responses={201: serializers.UserSerializer, **CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an account",
        description="Its holder changes their own name, email and language; managers of its "
        "organisation also its organisation and whether it is active (deactivating an "
        "account revokes its API tokens).",
        responses={200: serializers.UserSerializer, **UPDATE_ERRORS},
    ),
)
class UserViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[User],
):
    """People's accounts."""

    filterset_class = UserFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        return (
            User.objects.visible_to(self.request.user)
            .select_related("organization__member_state")
            .prefetch_related(_role_assignments())
            .annotate(
                mfa_enabled=Exists(
                    TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
                )
            )
        )

    def get_serializer_class(self) -> type[BaseSerializer[User]]:
        if self.action == "create":
            return serializers.UserCreateSerializer
        return serializers.UserSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        if user.pk != request.user.pk:
            # Another person's account is personal data: each look at it is on the record.
            audit.record_view(actor=request.user, obj=user)
        return Response(self.get_serializer(user).data)

    def perform_create(self, serializer: BaseSerializer[User]) -> None:
        data = dict(serializer.validated_data)
        data["password"] = data.pop("password", "") or None
        serializer.instance = services.create_user(actor=self.request.user, **data)  # type: ignore[arg-type]

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        serializer.instance = services.update_user(
            actor=self.request.user,  # type: ignore[arg-type]
            user=serializer.instance,  # type: ignore[arg-type]
            **serializer.validated_data,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List role assignments",
        description="The roles of the accounts the caller may see.",
        responses={200: serializers.RoleAssignmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One role assignment",
        responses={200: serializers.RoleAssignmentSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Grant a role",
        description="Each role names the roles whose holders may grant it, and where: "
        "Secretariat administrators anywhere, national coordinators to people of their member "
        "state in their network, organisation administrators to their own people. Granting a "
        "role the person already holds there answers 200 with the existing assignment.",
        responses={
            201: serializers.RoleAssignmentSerializer,
            200: serializers.RoleAssignmentSerializer,
            **CREATE_ERRORS,
        },
    ),
    destroy=extend_schema(
        summary="Revoke a role",
        # 400: nobody revokes their own Secretariat administrator role.
        responses={204: OpenApiResponse(description="Revoked."), **UPDATE_ERRORS},
    ),
)
class RoleAssignmentViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[RoleAssignment],
):
    """People's roles, each in its scope: platform-wide, one network or one organisation."""

    serializer_class = serializers.RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilterSet

    def get_queryset(self) -> QuerySet[RoleAssignment]:
        return RoleAssignment.objects.filter(
            user__in=User.objects.visible_to(self.request.user)
        ).select_related("user", "role", "network", "organization")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        held = set(
            RoleAssignment.objects.filter(user=data["user"], role=data["role"]).values_list(
                "pk", flat=True
            )
        )
        assignment = services.assign_role(
            actor=request.user,  # type: ignore[arg-type]
            user=data["user"],
            role=data["role"],
            network=data.get("network"),
            organization=data.get("organization"),
        )
        return Response(
            self.get_serializer(assignment).data,
            status=status.HTTP_200_OK if assignment.pk in held else status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance: RoleAssignment) -> None:
        services.revoke_role(actor=self.request.user, assignment=instance)  # type: ignore[arg-type]


# --- The caller ------------------------------------------------------------------------------


class MeView(AccountsAPIMixin, generics.GenericAPIView[User]):
    """The caller's account, organisation, member state, roles and networks, and the scopes of the
    token the request was made with."""

    serializer_class = serializers.MeSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[User]:
        return (
            User.objects.visible_to(self.request.user)
            .select_related("organization__member_state")
            .prefetch_related(_role_assignments())
        )

    def get_object(self) -> User:
        return generics.get_object_or_404(self.get_queryset(), pk=self.request.user.pk)

    @extend_schema(
        summary="The caller",
        responses={200: serializers.MeSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
