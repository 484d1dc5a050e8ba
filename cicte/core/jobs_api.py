"""The REST API of upload jobs (:mod:`cicte.core.jobs`: the retro-hunt's, batch screening's), as
far as it is alike: a POST takes the file as ``multipart/form-data`` (field ``file``) or as the
body itself (one of the module's raw media types), streamed to disk under the module's size
limit (:class:`cicte.core.uploads.UploadLimit`); 413 beyond it, 415 for another media type or
content the module does not read, 429 when the caller has too many jobs waiting or running;
202 with the job, which the worker then runs. Downloads (CSV, files) are plain Django responses
that any ``Accept`` may ask for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db.models import Model
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.core.api import ErrorSerializer, error_responses
from cicte.core.csvutil import active_filters
from cicte.core.jobs import UploadJob
from cicte.core.uploads import (
    MULTIPART,
    SizeLimitUploadHandler,
    UploadLimit,
    UploadTooLarge,
    media_type,
)

_Job = TypeVar("_Job", bound=UploadJob)


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


def error(description: str) -> OpenApiResponse:
    """An error answer of the schema, described."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


# The answers of a download of a job's results as CSV, for the schema.
CSV_RESPONSES: dict[Any, Any] = {
    (200, "text/csv"): OpenApiTypes.STR,
    **error_responses(400, 401, 403, 404),
}


def download_action(**options: Any) -> Any:
    """``@action(detail=True)`` for a download (CSV, a file), with :class:`DownloadRenderer`;
    ``options`` as ``action``'s (``methods`` is ``["get"]`` unless given)."""
    return action(
        detail=True,
        **{"methods": ["get"], **options},
        renderer_classes=[renderers.JSONRenderer, DownloadRenderer],
    )


def upload_request(serializer: Any, limit: UploadLimit) -> dict[str, Any]:
    """The request bodies a job's creation takes, for the schema: ``serializer`` for
    ``multipart/form-data``, the bytes themselves for the module's raw media types."""
    return {
        "multipart/form-data": serializer,
        **dict.fromkeys(limit.raw_media_types, OpenApiTypes.BINARY),
    }


def create_errors(*, too_large: str, unsupported: str, busy: str) -> dict[int, Any]:
    """The error answers of a job's creation, for the schema."""
    return {
        **error_responses(400, 401, 403),
        413: error(too_large),
        415: error(unsupported),
        429: error(busy),
    }


def route_links(serializer: Any, obj: Model, routes: Mapping[str, str]) -> dict[str, str]:
    """The addresses of ``obj`` (by its pk) at ``routes`` (link name -> URL name): absolute when
    the serializer has the request."""
    request = serializer.context.get("request")
    found = {}
    for name, route in routes.items():
        path = reverse(route, args=[obj.pk])
        found[name] = request.build_absolute_uri(path) if request is not None else path
    return found


def links_schema(*names: str) -> dict[str, Any]:
    """The schema of :func:`route_links`' answer."""
    return {
        "type": "object",
        "properties": {name: {"type": "string", "format": "uri"} for name in names},
    }


def viewset_route(viewset: Any, mapping: dict[str, str]) -> Any:
    """The view of ``viewset`` for ``mapping`` (method -> action), with what a router would pass:
    the options of the actions' decorators (renderers...)."""
    options: dict[str, Any] = {}
    for name in mapping.values():
        options.update(getattr(getattr(viewset, name), "kwargs", {}))
    return viewset.as_view(mapping, **options)


class UploadJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[_Job],
    Generic[_Job],
):
    """The jobs of a module: listed, read, and created from an upload (:meth:`receive_upload`,
    then :meth:`accepted`). ``upload_limit``: the module's (with its raw media types)."""

    upload_limit: UploadLimit
    upload_guard: SizeLimitUploadHandler | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before anything parses a multipart body (the CSRF check of a session does): refuse a
        # declared length beyond the limit unread, and put the size limit first among the
        # upload handlers.
        self.upload_guard = None
        if (
            request.method == "POST"
            and self.action == "create"
            and media_type(request) == MULTIPART
        ):
            try:
                self.upload_guard = self.upload_limit.guard_multipart(request._request)
            except UploadTooLarge as exc:
                raise PayloadTooLarge(str(exc)) from exc
        super().initial(request, *args, **kwargs)

    def unsupported(
        self, media: str, message: str | None = None
    ) -> exceptions.UnsupportedMediaType:
        return exceptions.UnsupportedMediaType(
            media or "none",
            detail=message
            or _(
                "Send multipart/form-data with a “file” field, or a body of one of: {types}."
            ).format(types=", ".join(self.upload_limit.raw_media_types)),
        )

    def filtered_results(
        self, request: Request, filterset_class: type[FilterSet]
    ) -> tuple[_Job, Any]:
        """The job of the address, and the FilterSet of its results with the query string's
        filters; 400 when they are not valid."""
        job = self.get_object()
        filterset = filterset_class(request.query_params, queryset=job.results())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return job, filterset

    def results_csv(
        self,
        request: Request,
        filterset_class: type[FilterSet],
        export: Callable[..., HttpResponseBase],
    ) -> HttpResponseBase:
        """The job's results with the query string's filters as CSV:
        ``export(actor=, job=, rows=, filters=)``, the module's (an audited download)."""
        job, filterset = self.filtered_results(request, filterset_class)
        return export(
            actor=request.user, job=job, rows=filterset.qs, filters=active_filters(filterset)
        )

    def receive_upload(
        self, request: Request, *, missing: str, options: Callable[[Any], str]
    ) -> tuple[File[Any], str, str]:
        """The upload of a POST, its name and its media type. ``options`` reads the job's
        other fields (the form's, or the query string's for a raw body, before the body is
        read) and gives the name of a raw body; ``missing`` is the message for a multipart
        request without a file."""
        media = media_type(request)
        upload: File[Any]
        if media == MULTIPART:
            uploaded = request.FILES.get("file")
            if self.upload_guard is not None and self.upload_guard.exceeded:
                raise PayloadTooLarge(self.upload_limit.too_large())
            if uploaded is None:
                raise exceptions.ValidationError({"file": [missing]})
            options(request.data)
            upload, name = uploaded, uploaded.name or ""
        elif media in self.upload_limit.raw_media_types:
            name = options(request.query_params)
            try:
                upload = self.upload_limit.body_to_file(
                    request._request, name=name, content_type=media
                )
            except UploadTooLarge as exc:
                raise PayloadTooLarge(str(exc)) from exc
        else:
            raise self.unsupported(media)
        return upload, name, media

    def accepted(
        self,
        request: Request,
        *,
        upload: File[Any],
        media: str,
        create: Callable[[], _Job],
        route: str,
    ) -> Response:
        """202 with the job that ``create()`` made of ``upload`` (its address in ``Location``);
        the service's refusals as 413 (``too_large``), 415 (``unsupported``), 429 (``busy``) or
        400. The upload is closed either way."""
        try:
            job = create()
        except ValidationError as exc:
            code = getattr(exc, "code", None)
            message = " ".join(exc.messages)
            if code == "too_large":
                raise PayloadTooLarge(message) from exc
            if code == "unsupported":
                raise self.unsupported(media, message) from exc
            if code == "busy":
                raise TooManyJobs(message) from exc
            raise
        finally:
            upload.close()
        data = self.get_serializer(job).data
        location = request.build_absolute_uri(reverse(route, args=[job.pk]))
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
