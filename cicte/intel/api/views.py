"""Views of the intel API, under /api/intel/.

Reads go through :meth:`Collection.objects.readable_by` and
:meth:`StixObject.objects.readable_by`: what the caller may not read answers 404, like what does
not exist. Object lists take the filters of the intel pages (:class:`StixObjectFilterSet`);
each look at one object is an audit event. A bundle posted to a collection goes through
:func:`cicte.intel.services.submit` and answers 202 with the ingest, whose status the caller (and
only they) then follows at ``/api/intel/ingests/<id>/``. Tokens need ``intel:read`` to read and
``intel:write`` to post.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core import audit
from cicte.core.api import error_responses
from cicte.intel import services
from cicte.intel.api import serializers
from cicte.intel.filtersets import StixObjectFilterSet
from cicte.intel.forms import envelope_objects
from cicte.intel.models import Collection, Ingest, StixObject

LIST_ERRORS = error_responses(400, 401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)
POST_ERRORS = error_responses(400, 401, 403, 404)


class IntelAPIMixin:
    # Tokens need intel:read to read and intel:write to post
    # (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "intel"  # noqa: S105 - a module name, not a secret


@extend_schema_view(
    list=extend_schema(
        summary="Collections",
        description="The collections the caller may read, with how many objects of each they "
        "see and whether they may add to it.",
        responses={200: serializers.CollectionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One collection",
        responses={200: serializers.CollectionSerializer, **DETAIL_ERRORS},
    ),
)
class CollectionViewSet(
    IntelAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Collection],
):
    """STIX collections: a network's, or a sharing group's."""

    serializer_class = serializers.CollectionSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Collection]:
        return Collection.objects.readable_by(self.request.user).select_related("network")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        context["writable"] = set(Collection.objects.writable_by(user).values_list("pk", flat=True))
        counts = StixObject.objects.readable_by(user).order_by()
        if self.kwargs.get("pk"):
            counts = counts.filter(collection_id=self.kwargs["pk"])
        context["counts"] = dict(
            counts.values_list("collection_id").annotate(count=Count("stix_id", distinct=True))
        )
        return context

    @extend_schema(
        summary="Post a bundle to a collection",
        description="A STIX 2.1 bundle or a TAXII 2.1 envelope. The answer (202) is the "
        "ingest, pending until the worker has validated and stored each object; follow it at "
        "`/api/intel/ingests/<id>/`. Each invalid object is refused with a reason in "
        "`failures`; the valid ones are stored. 403 when the caller may read but not write "
        "the collection.",
        request=serializers.BundleSerializer,
        responses={202: serializers.IngestSerializer, **POST_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="objects")
    def objects(self, request: Request, pk: Any = None) -> Response:
        collection = self.get_object()
        if not services.may_write(request.user, collection):  # type: ignore[arg-type]
            raise PermissionDenied(_("You may not add objects to this collection."))
        objects = envelope_objects(request.data)
        ingest = services.submit(
            actor=request.user,  # type: ignore[arg-type]
            collection=collection,
            objects=objects,
        )
        location = reverse("intel-ingest-detail", args=[ingest.pk])
        return Response(
            serializers.IngestSerializer(ingest).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(location)},
        )


@extend_schema_view(
    list=extend_schema(
        summary="STIX objects",
        description="The object versions the caller may read (TLP and the collections' read "
        "rights), newest first, with the filters `collection`, `type` (repeated or "
        "comma-separated), `tlp`, `created_by_ref`, `organization` (slug of the sharing "
        "organisation), `added_from`, `added_to` (dates), `revoked`, `q` (in the name), "
        "`value` (an indicator value: the indicators whose pattern contains it and the "
        "observables that carry it) and `versions` (`latest`, the default, or `all`).",
        responses={200: serializers.StixObjectSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One object version",
        description="Each look is recorded in the audit trail.",
        responses={200: serializers.StixObjectSerializer, **DETAIL_ERRORS},
    ),
)
class StixObjectViewSet(
    IntelAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[StixObject],
):
    """Versions of STIX objects, by the platform's id of each version."""

    serializer_class = serializers.StixObjectSerializer
    filterset_class = StixObjectFilterSet

    def get_queryset(self) -> QuerySet[StixObject]:
        return StixObject.objects.readable_by(self.request.user).select_related(
            "owner_organization"
        )

    def filter_queryset(self, queryset: Any) -> Any:
        # The filters (and their default, the latest versions) are the list's; an object
        # version is found by its id whatever its age.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        audit.record_view(actor=request.user, obj=obj)
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        summary="Versions of an object",
        description="Every version of the same object in the same collection that the caller "
        "may read, newest first.",
        responses={200: serializers.StixVersionSerializer(many=True), **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        versions = (
            StixObject.objects.readable_by(request.user)
            .filter(collection_id=obj.collection_id, stix_id=obj.stix_id)
            .order_by("-version_at", "-date_added")
        )
        return Response(serializers.StixVersionSerializer(versions, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Status of an upload",
        description="Only the person who posted the bundle sees its status.",
        responses={200: serializers.IngestSerializer, **DETAIL_ERRORS},
    ),
)
class IngestViewSet(IntelAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Ingest]):
    """The status of uploads (TAXII's status resources)."""

    serializer_class = serializers.IngestSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Ingest]:
        return Ingest.objects.filter(requested_by_id=self.request.user.pk)
