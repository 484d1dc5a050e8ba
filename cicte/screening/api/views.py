"""The batch screening API, under /api/sanctions/screening/.

Jobs, hits and decisions are their organisation's alone (``visible_to``): anyone else gets 404.
A POST takes the customer file as ``multipart/form-data`` (fields ``file``, ``lists``,
``threshold``) or as the body itself (``text/csv`` or ``text/plain``; ``lists``, ``threshold``
and ``name`` in the query string), streamed to disk: 413 beyond ``SCREENING_MAX_UPLOAD_BYTES``,
415 for another media type or what is not UTF-8 text, 429 beyond ``SCREENING_MAX_ACTIVE_JOBS``;
it answers 202 with the job, which the worker then checks and runs. Tokens need
``sanctions:read`` to read and ``sanctions:write`` to create jobs and decide. Writes go through
:mod:`cicte.screening.services`, as the pages' do. (Single-name screening is
``POST /api/sanctions/screen/``, on the same service.) The upload's handling (size limit, media
types, the service's refusals as 413, 415 and 429) is every upload job's
(:mod:`cicte.core.jobs_api`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core import jobs_api
from cicte.core.api import error_responses
from cicte.screening import exports, services, uploads
from cicte.screening.api import serializers
from cicte.screening.choices import HitState, JobSource
from cicte.screening.filtersets import ScreeningHitFilterSet, ScreeningJobFilterSet
from cicte.screening.models import ScreeningHit, ScreeningJob

CREATE_ERRORS = jobs_api.create_errors(
    too_large="Larger than SCREENING_MAX_UPLOAD_BYTES (200 MiB by default).",
    unsupported="Another media type than those accepted, or content that is not UTF-8 text.",
    busy="The caller already has SCREENING_MAX_ACTIVE_JOBS jobs waiting or running.",
)


def _lists(value: Any) -> list[str] | None:
    keys = [part.strip() for part in str(value or "").split(",") if part.strip()]
    return keys or None


@extend_schema(tags=["sanctions screening"])
class ScreeningJobViewSet(jobs_api.UploadJobViewSet[ScreeningJob]):
    """Batch screening jobs of the caller's organisation."""

    token_module = "sanctions"  # noqa: S105 - a module name, not a secret
    serializer_class = serializers.ScreeningJobSerializer
    filterset_class = ScreeningJobFilterSet
    parser_classes = [JSONParser, MultiPartParser]
    upload_limit = uploads.LIMIT

    def get_queryset(self) -> QuerySet[ScreeningJob]:
        return ScreeningJob.objects.visible_to(self.request.user).order_by("-created_at")

    @extend_schema(
        summary="Your organisation's screening jobs",
        description="Newest first; filter with `status`.",
        responses={
            200: serializers.ScreeningJobSerializer(many=True),
            **error_responses(400, 401, 403),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="A screening job",
        description="Its status, progress (updated while the worker runs), counts and, for a "
        "rejected file, the row-by-row report.",
        responses={200: serializers.ScreeningJobSerializer, **error_responses(401, 403, 404)},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Screen a customer file",
        description="The file (UTF-8 CSV with a header `id,name` and optionally `birth_date`, "
        "`nationality`, `kind`: the `screen` command's input) as `multipart/form-data` (field "
        "`file`, with `lists` and `threshold`), or as the request body with `Content-Type` "
        "`text/csv` (`lists`, `threshold` and `name` in the query string). The worker checks "
        "every row first: one invalid row and the job is rejected with a row-by-row report; "
        "otherwise it screens every row. The answer (202) is the job; follow it at "
        "`links.self`.",
        parameters=[
            OpenApiParameter("lists", str, description="For a body sent as it is: un,ofac..."),
            OpenApiParameter("threshold", float, description="For a body sent as it is."),
            OpenApiParameter("name", str, description="For a body sent as it is."),
        ],
        request=jobs_api.upload_request(serializers.ScreeningUploadSerializer, uploads.LIMIT),
        responses={202: serializers.ScreeningJobSerializer, **CREATE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        options: dict[str, Any] = {}

        def read_options(data: Any) -> str:
            serializer = serializers.ScreeningOptionsSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            options.update(serializer.validated_data)
            return str(options.get("name", ""))

        upload, name, media = self.receive_upload(
            request, missing=_("Send the customer file in a “file” field."), options=read_options
        )
        return self.accepted(
            request,
            upload=upload,
            media=media,
            create=lambda: services.create_job(
                actor=request.user,  # type: ignore[arg-type]
                upload=upload,
                name=name,
                lists=_lists(options.get("lists")),
                threshold=options["threshold"],
                source=JobSource.API,
            ),
            route="screening-job-detail",
        )

    @extend_schema(
        summary="A job's hits",
        description="In the order of the file's rows, best first, paged (`limit`, `offset`). "
        "The hits raised by default; `state` filters by decision (undecided, true_positive, "
        "false_positive) or lists those `cleared` earlier (not raised); `list` by list key.",
        parameters=[OpenApiParameter("state", str, enum=HitState.values)],
        responses={
            200: serializers.ScreeningHitSerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"])
    def hits(self, request: Request, pk: Any = None) -> Response:
        _job, filterset = self.filtered_results(request, ScreeningHitFilterSet)
        page = self.paginate_queryset(
            filterset.qs.select_related("decision__decided_by").order_by("line", "-score", "id")
        )
        data = serializers.ScreeningHitSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="A job's hits as CSV",
        description="The `screen` command's columns (id, score, list, list_entity_id, "
        "matched_name, explanation) and decision, decision_reason; the filters of the JSON "
        "list apply. Each export is an audit event.",
        responses=jobs_api.CSV_RESPONSES,
    )
    @jobs_api.download_action()
    def hits_csv(self, request: Request, pk: Any = None) -> HttpResponseBase:
        return self.results_csv(request, ScreeningHitFilterSet, exports.csv_response)


@extend_schema(tags=["sanctions screening"])
class ScreeningHitViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[ScreeningHit]):
    """The hits of the caller's organisation's jobs, and the decisions on them."""

    token_module = "sanctions"  # noqa: S105 - a module name, not a secret
    serializer_class = serializers.ScreeningHitSerializer

    def get_queryset(self) -> QuerySet[ScreeningHit]:
        return ScreeningHit.objects.visible_to(self.request.user).select_related(
            "decision__decided_by"
        )

    @extend_schema(
        summary="A hit",
        description="With its explanation and the decision in force.",
        responses={200: serializers.ScreeningHitSerializer, **error_responses(401, 403, 404)},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Decide on a hit",
        description="A true or false positive, with a reason (required); revises the decision "
        "in force for the same customer record and list entry (the history is kept). A false "
        "positive is not raised again for that record and entry while neither changes.",
        request=serializers.DecisionRequestSerializer,
        responses={
            201: serializers.DecisionSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: Any = None) -> Response:
        hit = get_object_or_404(self.get_queryset(), pk=pk)
        body = serializers.DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decide(
            actor=request.user,  # type: ignore[arg-type]
            hit=hit,
            verdict=body.validated_data["verdict"],
            reason=body.validated_data["reason"],
        )
        return Response(
            serializers.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED
        )
