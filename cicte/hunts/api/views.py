"""The retro-hunt API, under /api/hunts/.

A job is its author's alone (``HuntJob.objects.visible_to``): anyone else gets 404 for it, its
matches, CSV and file. A POST takes the logs or observables as ``multipart/form-data`` (field
``file``) or as the body itself (``text/plain``, ``text/csv``, ``application/x-ndjson``,
``application/gzip``), streamed to disk: 413 beyond ``HUNT_MAX_UPLOAD_BYTES``, 415 for another
media type or what is not text; it answers 202 with the job, which the worker then runs. Tokens
need ``intel:read`` to read and ``intel:write`` to create, delete or report sightings. Writes go
through :mod:`cicte.hunts.services`, as the pages' do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core.api import ErrorSerializer, error_responses
from cicte.hunts import exports, services, uploads
from cicte.hunts.api import serializers
from cicte.hunts.choices import HuntSource, MatchKind, ValueKind
from cicte.hunts.filtersets import HuntJobFilterSet, HuntMatchFilterSet
from cicte.hunts.models import HuntJob

ACCEPTED = "multipart/form-data, " + ", ".join(uploads.RAW_MEDIA_TYPES)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


CREATE_ERRORS = {
    **error_responses(400, 401, 403),
    413: _error("Larger than HUNT_MAX_UPLOAD_BYTES (1 GiB by default)."),
    415: _error("Another media type than those accepted, or content that is not text."),
    429: _error("The caller already has HUNT_MAX_ACTIVE_JOBS jobs waiting or running."),
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class TooManyJobs(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "busy"


class DownloadRenderer(renderers.BaseRenderer):
    """Lets a download (CSV, the upload) be asked for with any ``Accept``; the download itself
    is a plain Django response, and errors are JSON."""

    media_type = "*/*"
    format = "download"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _unsupported(media_type: str, message: str | None = None) -> exceptions.UnsupportedMediaType:
    return exceptions.UnsupportedMediaType(
        media_type or "none",
        detail=message
        or _("Send multipart/form-data with a “file” field, or a body of one of: {types}.").format(
            types=", ".join(uploads.RAW_MEDIA_TYPES)
        ),
    )


@extend_schema(tags=["hunts"])
class HuntJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[HuntJob],
):
    """Retro-hunt jobs of the caller."""

    # Tokens need intel:read to read and intel:write to write
    # (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "intel"  # noqa: S105 - a module name, not a secret
    serializer_class = serializers.HuntJobSerializer
    filterset_class = HuntJobFilterSet
    parser_classes = [JSONParser, MultiPartParser]
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self) -> QuerySet[HuntJob]:
        return HuntJob.objects.visible_to(self.request.user).order_by("-created_at")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before anything parses a multipart body (the CSRF check of a session does): refuse a
        # declared length beyond the limit unread, and put the size limit first among the
        # upload handlers.
        self.upload_guard: uploads.SizeLimitUploadHandler | None = None
        if (
            request.method == "POST"
            and self.action == "create"
            and uploads.media_type(request) == uploads.MULTIPART
        ):
            try:
                self.upload_guard = uploads.guard_multipart(request._request)
            except uploads.UploadTooLarge as exc:
                raise PayloadTooLarge(str(exc)) from exc
        super().initial(request, *args, **kwargs)

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
        request={
            "multipart/form-data": serializers.HuntUploadSerializer,
            **dict.fromkeys(uploads.RAW_MEDIA_TYPES, OpenApiTypes.BINARY),
        },
        responses={202: serializers.HuntJobSerializer, **CREATE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        media = uploads.media_type(request)
        if media == uploads.MULTIPART:
            upload = request.FILES.get("file")
            if self.upload_guard is not None and self.upload_guard.exceeded:
                raise PayloadTooLarge(uploads.too_large_message())
            if upload is None:
                raise exceptions.ValidationError(
                    {"file": [_("Send the logs or observables in a “file” field.")]}
                )
            name = upload.name or ""
        elif media in uploads.RAW_MEDIA_TYPES:
            name = request.query_params.get("name", "")
            try:
                upload = uploads.body_to_file(request._request, name=name, content_type=media)
            except uploads.UploadTooLarge as exc:
                raise PayloadTooLarge(str(exc)) from exc
        else:
            raise _unsupported(media)
        try:
            job = services.create_job(
                actor=request.user,  # type: ignore[arg-type]
                upload=upload,
                name=name,
                source=HuntSource.API,
            )
        except ValidationError as exc:
            code = getattr(exc, "code", None)
            message = " ".join(exc.messages)
            if code == "too_large":
                raise PayloadTooLarge(message) from exc
            if code == "unsupported":
                raise _unsupported(media, message) from exc
            if code == "busy":
                raise TooManyJobs(message) from exc
            raise
        finally:
            upload.close()
        data = self.get_serializer(job).data
        location = request.build_absolute_uri(reverse("hunts-job-detail", args=[job.pk]))
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

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
        job = self.get_object()
        filterset = HuntMatchFilterSet(request.query_params, queryset=job.match_rows.all())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs.order_by("line", "id"))
        data = serializers.HuntMatchSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="A job's matches as CSV",
        description="A header row (line, value, kind, indicator, indicator_kind, match, "
        "stix_id, stix_type, tlp, collection, shared_by) and one row per match; the filters "
        "of the JSON list apply. Each export is an audit event.",
        responses={(200, "text/csv"): OpenApiTypes.STR, **error_responses(400, 401, 403, 404)},
    )
    @action(
        detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, DownloadRenderer]
    )
    def matches_csv(self, request: Request, pk: Any = None) -> HttpResponseBase:
        job = self.get_object()
        filterset = HuntMatchFilterSet(request.query_params, queryset=job.match_rows.all())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return exports.csv_response(
            actor=request.user,
            job=job,
            matches=filterset.qs,
            filters=exports.active_filters(filterset),
        )

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
    @action(
        detail=True,
        methods=["get", "delete"],
        renderer_classes=[renderers.JSONRenderer, DownloadRenderer],
    )
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
