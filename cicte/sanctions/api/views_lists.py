"""The sanctions lists through the REST API, under /api/sanctions/: ``lists/``, a list's
``versions/`` (each with its changes) and ``entities/``, read through ``visible_to`` like the pages
(a token needs ``sanctions:read``). They read the database as it is: a new version shows at once.

``subscriptions/``: the reporting entities' subscriptions the caller manages (their organisation's
as its administrator, every one as the Secretariat), written through
:mod:`cicte.sanctions.services` like the pages (a token needs ``sanctions:write`` to write);
``notifications/``: who was told of each version, when, and the delays.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cicte.core.api import error_responses
from cicte.sanctions import services
from cicte.sanctions.api import serializers_lists as serializers
from cicte.sanctions.choices import ChangeKind
from cicte.sanctions.filtersets import ListEntityFilterSet
from cicte.sanctions.models import (
    EntityChange,
    ListEntity,
    ListSubscription,
    ListVersion,
    Notification,
    SanctionsList,
)
from cicte.sanctions.services import SubscriptionValues

READ_ERRORS = error_responses(400, 401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)


class SanctionsAPIMixin:
    token_module = "sanctions"  # noqa: S105 - a module name, not a secret

    def _list(self, request: Request, key: str) -> SanctionsList:
        return get_object_or_404(SanctionsList.objects.visible_to(request.user), key=key)


def _lists(user: Any) -> QuerySet[SanctionsList]:
    """The lists ``user`` reads, with their current entry count and last version's key."""
    latest = ListVersion.objects.visible_to(user).filter(sanctions_list=OuterRef("pk"))
    latest = latest.order_by("-number")
    return (
        SanctionsList.objects.visible_to(user)
        .select_related("member_state")
        .annotate(
            current=Count("entities", filter=Q(entities__removed_in__isnull=True)),
            latest_pk=Subquery(latest.values("pk")[:1]),
        )
        .order_by("kind", "key")
    )


def _with_latest(user: Any, lists: list[SanctionsList]) -> list[SanctionsList]:
    """Each list's last version, read in one statement whatever the number of lists."""
    versions = (
        ListVersion.objects.visible_to(user)
        .select_related("sanctions_list")
        .in_bulk(
            [item.latest_pk for item in lists if item.latest_pk]  # type: ignore[attr-defined]
        )
    )
    for item in lists:
        item.latest = versions.get(item.latest_pk)  # type: ignore[attr-defined]
    return lists


@extend_schema_view(
    get=extend_schema(
        summary="Sanctions lists",
        description="The UN and OFAC lists and the member states' domestic lists, each with its "
        "entries listed now and its current version.",
        responses={200: serializers.SanctionsListSerializer(many=True), **READ_ERRORS},
    )
)
class SanctionsListListView(SanctionsAPIMixin, generics.ListAPIView[SanctionsList]):
    serializer_class = serializers.SanctionsListSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SanctionsList]:
        if getattr(self, "swagger_fake_view", False):
            return SanctionsList.objects.none()
        return _lists(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = _with_latest(request.user, list(self.get_queryset()))
        return Response(self.get_serializer(rows, many=True).data)


class SanctionsListDetailView(SanctionsAPIMixin, APIView):
    @extend_schema(
        summary="One sanctions list",
        responses={200: serializers.SanctionsListSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, key: str) -> Response:
        found = _with_latest(request.user, list(_lists(request.user).filter(key=key)))
        if not found:
            raise Http404
        return Response(
            serializers.SanctionsListSerializer(found[0], context={"request": request}).data
        )


@extend_schema_view(
    get=extend_schema(
        summary="A list's versions",
        description="Newest first: each import that changed the list, with its counts.",
        responses={200: serializers.VersionSerializer(many=True), **DETAIL_ERRORS},
    )
)
class VersionListView(SanctionsAPIMixin, generics.ListAPIView[ListVersion]):
    serializer_class = serializers.VersionSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ListVersion]:
        if getattr(self, "swagger_fake_view", False):
            return ListVersion.objects.none()
        sanctions_list = self._list(self.request, self.kwargs["key"])
        return (
            ListVersion.objects.visible_to(self.request.user)
            .filter(sanctions_list=sanctions_list)
            .select_related("sanctions_list")
            .order_by("-number")
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="sanctions_lists_versions_retrieve",
        summary="A version and its changes",
        description="The version (`version`) and its changed entries, paginated (`limit`, "
        "`offset`), filtered by `kind` (added, amended, removed) when given: what the "
        "sanctions.list.changed webhook's `api_url` points to.",
        parameters=[
            OpenApiParameter("kind", str, enum=["added", "amended", "removed"], required=False)
        ],
        responses={200: serializers.ChangeSerializer(many=True), **READ_ERRORS, 404: None},
    )
)
class VersionDetailView(SanctionsAPIMixin, generics.ListAPIView[EntityChange]):
    serializer_class = serializers.ChangeSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[EntityChange]:
        if getattr(self, "swagger_fake_view", False):
            return EntityChange.objects.none()
        sanctions_list = self._list(self.request, self.kwargs["key"])
        self.version = get_object_or_404(
            ListVersion.objects.visible_to(self.request.user).select_related("sanctions_list"),
            sanctions_list=sanctions_list,
            number=self.kwargs["number"],
        )
        changes = (
            EntityChange.objects.visible_to(self.request.user)
            .filter(version=self.version)
            .select_related("entity")
        )
        kind = self.request.query_params.get("kind") or ""
        if kind:
            if kind not in ChangeKind.values:
                raise ValidationError({"kind": [_("Choose added, amended or removed.")]})
            changes = changes.filter(kind=kind)
        return changes.order_by("kind", "entity__caption", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        version = serializers.VersionSerializer(self.version, context={"request": request}).data
        response.data = {"version": version, **response.data}
        return response


@extend_schema_view(
    get=extend_schema(
        summary="A list's entries",
        description="The entries listed now, by name (`q`: part of a name or alias, case and "
        "accents ignored, or a list identifier); with `changed_since` (a version number or an "
        "ISO 8601 date and time), the entries added, amended or removed after it, removed ones "
        "included (with `removed_in`). Paginated (`limit`, `offset`).",
        responses={200: serializers.EntitySerializer(many=True), **READ_ERRORS, 404: None},
    )
)
class EntityListView(SanctionsAPIMixin, generics.ListAPIView[ListEntity]):
    serializer_class = serializers.EntitySerializer
    filterset_class = ListEntityFilterSet

    def get_queryset(self) -> QuerySet[ListEntity]:
        if getattr(self, "swagger_fake_view", False):
            return ListEntity.objects.none()
        sanctions_list = self._list(self.request, self.kwargs["key"])
        return (
            ListEntity.objects.visible_to(self.request.user)
            .filter(sanctions_list=sanctions_list)
            .select_related("first_version", "last_changed_version", "removed_in")
            .defer("properties", "related", "names_text")
            .order_by("caption", "pk")
        )


class EntityDetailView(SanctionsAPIMixin, APIView):
    @extend_schema(
        summary="One entry",
        description="The FollowTheMoney entity (id, schema, properties) with the entities "
        "hanging on it (`related`: Sanction, Identification/Passport, Address) and its versions.",
        responses={200: serializers.EntityDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, key: str, ftm_id: str) -> Response:
        sanctions_list = self._list(request, key)
        entity = get_object_or_404(
            ListEntity.objects.visible_to(request.user).select_related(
                "first_version", "last_changed_version", "removed_in"
            ),
            sanctions_list=sanctions_list,
            ftm_id=ftm_id,
        )
        return Response(serializers.EntityDetailSerializer(entity).data)


# --- Subscriptions and notifications -------------------------------------------------------------

WRITE_ERRORS = error_responses(400, 401, 403, 404)


def _subscriptions(user: Any) -> QuerySet[ListSubscription]:
    return (
        ListSubscription.objects.visible_to(user)
        .select_related("organization", "webhook")
        .prefetch_related("lists")
        .order_by("organization__name", "name", "pk")
    )


def _subscription_input(request: Request, data: dict[str, Any]) -> SubscriptionValues:
    """The serializer's data as the service takes it, list keys read through ``visible_to``."""
    keys = data.get("lists") or []
    found = {
        item.key: item
        for item in SanctionsList.objects.visible_to(request.user).filter(key__in=keys)
    }
    unknown = [key for key in keys if key not in found]
    if unknown:
        raise ValidationError(
            {"lists": [_("No sanctions list with the key {key}.").format(key=unknown[0])]}
        )
    values: dict[str, Any] = {"lists": [found[key] for key in dict.fromkeys(keys)]}
    for name in ("name", "emails", "language", "webhook_url", "is_active"):
        if name in data:
            values[name] = data[name]
    return cast(SubscriptionValues, values)


@extend_schema_view(
    list=extend_schema(
        summary="Subscriptions to the lists",
        description="The subscriptions the caller manages: their organisation's (as its "
        "administrator) or every organisation's (the Secretariat).",
        responses={200: serializers.ListSubscriptionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One subscription",
        responses={200: serializers.ListSubscriptionSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Subscribe an organisation",
        description="Email addresses and/or a webhook URL (a new webhook's signing secret is "
        "in `webhook_secret`, this once). `organization` defaults to the caller's.",
        request=serializers.ListSubscriptionSerializer,
        responses={201: serializers.ListSubscriptionCreatedSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a subscription",
        description="A new webhook URL makes a new endpoint, its secret in `webhook_secret`.",
        request=serializers.ListSubscriptionSerializer,
        responses={200: serializers.ListSubscriptionCreatedSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(summary="Delete a subscription", responses={204: None, **WRITE_ERRORS}),
)
class ListSubscriptionViewSet(
    SanctionsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ListSubscription],
):
    """Reporting entities' subscriptions, written through cicte.sanctions.services."""

    serializer_class = serializers.ListSubscriptionSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ListSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return ListSubscription.objects.none()
        return _subscriptions(self.request.user)

    def _respond(self, subscription: Any, secret: str | None, status_code: int) -> Response:
        subscription = _subscriptions(self.request.user).get(pk=subscription.pk)
        body = serializers.ListSubscriptionSerializer(subscription).data
        return Response({**body, "webhook_secret": secret}, status=status_code)

    def _save(self, request: Request, subscription: ListSubscription | None) -> Response:
        """Create (``subscription`` None) or change a subscription: one path for both, through
        :func:`services.save_subscription`. A change keeps what the request leaves out."""
        given = serializers.ListSubscriptionSerializer(
            data=request.data, partial=subscription is not None
        )
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        slug = (data.pop("organization", None) or {}).get("slug")
        if subscription is None:
            organization = self._organization(request, slug)
            current: dict[str, Any] = {"language": "en"}
        else:
            organization = None
            current = {
                "name": subscription.name,
                "lists": [item.key for item in subscription.lists.all()],
                "emails": subscription.emails,
                "language": subscription.language,
                "webhook_url": subscription.webhook.url if subscription.webhook else "",
                "is_active": subscription.is_active,
            }
            # Defaults the serializer fills in are not changes.
            for name in ("lists", "is_active"):
                if name not in request.data:
                    data.pop(name, None)
        saved, secret = services.save_subscription(
            actor=request.user,
            subscription=subscription,
            organization=organization,
            **_subscription_input(request, {**current, **data}),
        )
        created = subscription is None
        return self._respond(
            saved, secret, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _organization(self, request: Request, slug: str | None) -> Any:
        """The organisation named by ``slug`` among those the caller manages, or their own."""
        user: Any = request.user
        if slug:
            organization = services.manageable_organizations(user).filter(slug=slug).first()
            if organization is None:
                raise ValidationError(
                    {"organization": [_("Choose an organisation whose subscriptions you manage.")]}
                )
            return organization
        if user.organization_id:
            return user.organization
        raise ValidationError({"organization": [_("Give the organisation's slug.")]})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, self.get_object())

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        services.delete_subscription(actor=request.user, subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        summary="Notifications of list changes",
        description="Who was told of each list version, when, and the delays from the change "
        "to the email's sending and to the webhook's delivery: the Secretariat and the "
        "financial intelligence units see all, an organisation its own.",
        responses={200: serializers.NotificationSerializer(many=True), **READ_ERRORS},
    )
)
class NotificationListView(SanctionsAPIMixin, generics.ListAPIView[Notification]):
    serializer_class = serializers.NotificationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return (
            Notification.objects.visible_to(self.request.user)
            .select_related("version__sanctions_list", "organization", "webhook_delivery")
            .order_by("-changed_at", "pk")
        )
