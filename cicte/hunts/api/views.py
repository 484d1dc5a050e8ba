"""The retro-hunt API, under /api/hunts/.

A job is its author's alone (``HuntJob.objects.visible_to``): anyone else gets 404 for it, its
matches, CSV and file. A POST takes the logs or observables as ``multipart/form-data`` (field
``file``) or as the body itself (``text/plain``, ``text/csv``, ``application/x-ndjson``,
``application/gzip``), streamed to disk: 413 beyond ``HUNT_MAX_UPLOAD_BYTES``, 415 for another
media type or what is not text; it answers 202 with the job, which the worker then runs. Tokens
need ``intel:read`` to read and ``intel:write`` to create, delete or report sightings. Writes go
through :mod:`cicte.hunts.services`, as the pages' do. The upload's handling (size limit, media
types, the service's refusals as 413, 415 and 429) is every upload job's
(:mod:`cicte.core.jobs_api`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core import jobs_api
from cicte.core.api import error_responses
from cicte.hunts import exports, services, uploads
from cicte.hunts.api import serializers
from cicte.hunts.choices import HuntSource, MatchKind, ValueKind
from cicte.hunts.filtersets import HuntJobFilterSet, HuntMatchFilterSet
from cicte.hunts.models import HuntJob

CREATE_ERRORS = jobs_api.create_errors(
    too_large="Larger than HUNT_MAX_UPLOAD_BYTES (1 GiB by default).",
    unsupported="Another media type than those accepted, or content that is not text.",
    busy="The caller already has HUNT_MAX_ACTIVE_JOBS jobs waiting or running.",
)


@extend_schema(tags=["hunts"])
class HuntJobViewSet(jobs_api.UploadJobViewSet[HuntJob]):
    """Retro-hunt jobs of the caller."""

    # Tokens need intel:read to read and intel:write to write
    # (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "intel"  # noqa: S105 - a module name, not a secret
    serializer_class = serializers.HuntJobSerializer
    filterset_class = HuntJobFilterSet
    parser_classes = [JSONParser, MultiPartParser]
    lookup_value_regex = "[0-9a-f-]{36}"
    upload_limit = uploads.LIMIT

    def get_queryset(self) -> QuerySet[HuntJob]:
        return HuntJob.objects.visible_to(self.request.user).order_by("-created_at")

    @extend_schema(
        summary="Your retro-hunt jobs",
        description="Newest first; filter with `status`.",
        responses={200: serializers.HuntJobSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="A retro-hunt job",
        description="Its status, progress (updated while the worker runs) and counts.",
        responses={200: serializers.HuntJobSerializer, **error_responses(401, 403, 404)},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Start a retro-hunt",
        description="The logs or observables as `multipart/form-data` (field `file`), or as "
        "the request body with `Content-Type` `text/plain`, `text/csv`, "
        "`application/x-ndjson` or `application/gzip` (a `name` query parameter names the "
        "job). Plain text, CSV or JSON lines, optionally gzip-compressed. Streamed to disk, "
        "never read whole into memory; matched on the worker against the indicators the "
        "caller may see. The answer (202) is the job; follow it at `links.self`.",
        parameters=[
            OpenApiParameter("name", str, description="The job's name, for a body sent as it is.")
        ],
        request=jobs_api.upload_request(serializers.HuntUploadSerializer, uploads.LIMIT),
        responses={202: serializers.HuntJobSerializer, **CREATE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload, name, media = self.receive_upload(
            request,
            missing=_("Send the logs or observables in a “file” field."),
            options=lambda data: data.get("name", ""),
        )
        return self.accepted(
            request,
            upload=upload,
            media=media,
            create=lambda: services.create_job(
                actor=request.user,  # type: ignore[arg-type]
                upload=upload,
                name=name,
                source=HuntSource.API,
            ),
            route="hunts-job-detail",
        )

    @extend_schema(
        summary="Delete a retro-hunt job",
        description="With its matches and its upload. Sightings already reported stay.",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_job(actor=request.user, job=self.get_object())  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A job's matches",
        description="In the order of the lines, paged (`limit`, `offset`); filter with `kind` "
        "(ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256) and `match` (exact, cidr, "
        "subdomain).",
        parameters=[
            OpenApiParameter("kind", str, enum=ValueKind.values),
            OpenApiParameter("match", str, enum=MatchKind.values),
        ],
        responses={
            200: serializers.HuntMatchSerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"])
    def matches(self, request: Request, pk: Any = None) -> Response:
        _job, filterset = self.filtered_results(request, HuntMatchFilterSet)
        page = self.paginate_queryset(filterset.qs.order_by("line", "id"))
        data = serializers.HuntMatchSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="A job's matches as CSV",
        description="A header row (line, value, kind, indicator, indicator_kind, match, "
        "stix_id, stix_type, tlp, collection, shared_by) and one row per match; the filters "
        "of the JSON list apply. Each export is an audit event.",
        responses=jobs_api.CSV_RESPONSES,
    )
    @jobs_api.download_action()
    def matches_csv(self, request: Request, pk: Any = None) -> HttpResponseBase:
        return self.results_csv(request, HuntMatchFilterSet, exports.csv_response)

    @extend_schema(
        methods=["GET"],
        summary="A job's upload",
        description="As it was sent, while it is kept (404 afterwards).",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404),
        },
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete a job's upload",
        description="Now, rather than HUNT_KEEP_UPLOAD_DAYS after the job finished; the "
        "results stay. 400 while the job runs.",
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    @jobs_api.download_action(methods=["get", "delete"])
    def file(self, request: Request, pk: Any = None) -> HttpResponseBase:
        job = self.get_object()
        if request.method == "DELETE":
            services.remove_upload(actor=request.user, job=job)  # type: ignore[arg-type]
            return Response(status=status.HTTP_204_NO_CONTENT)
        return exports.upload_response(job)

    @extend_schema(
        summary="Report a job's matches as STIX sightings",
        description="One sighting per matched indicator (count: its matches; first_seen and "
        "last_seen: when the job ran), under the indicator's TLP, stored in the indicator's "
        "collection where the caller may write (skipped otherwise). With `anonymous`, the "
        "sightings name no organisation (no created_by_ref, no where_sighted_refs). Matches of "
        "observables are skipped (a sighting is of an indicator). Once per job.",
        request=serializers.SightingsRequestSerializer,
        responses={
            201: serializers.SightingsReportSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"])
    def sightings(self, request: Request, pk: Any = None) -> Response:
        job = self.get_object()
        body = serializers.SightingsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_sightings(
            actor=request.user,  # type: ignore[arg-type]
            job=job,
            anonymous=body.validated_data["anonymous"],
        )
        data = serializers.SightingsReportSerializer(
            {"stored": report.stored, "skipped": report.skipped, "rows": report.rows}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)
