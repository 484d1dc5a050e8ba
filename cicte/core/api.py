"""API plumbing shared by every module: JSON errors with a clear message and field details, the
filter backend that keeps filters from revealing hidden records, and the JSON 404 for unknown
API addresses."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import follow_field_source
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("django.request")


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _unexpected(exc: Exception, context: dict[str, Any]) -> Response | None:
    """An unexpected error: with DEBUG on, Django's debug page; otherwise a JSON 500, reported the
    way Django reports any uncaught exception (the ``got_request_exception`` signal and the
    ``django.request`` logger, with the traceback)."""
    if settings.DEBUG:
        return None
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    signals.got_request_exception.send(sender=None, request=django_request)
    logger.error(
        "Internal Server Error: %s",
        getattr(django_request, "path", ""),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": django_request},
    )
    set_rollback()
    response = Response(
        {
            "error": _("An unexpected error occurred. It has been logged; please try again later."),
            "detail": None,
        },
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
    # Logged above with the traceback: Django need not log it again without one.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error is ``{"error": <message>, "detail": <field errors or null>}``. Services raise
    Django's ValidationError; it becomes a 400 here like DRF's own."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return _unexpected(exc, context)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = _("The request has invalid fields; see detail.")
        if isinstance(data, list):
            data = {"non_field_errors": data}
        body = {"error": message, "detail": data}
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        body = {
            "error": str(detail) if detail is not None else response.status_text,
            "detail": None,
        }
    response.data = body
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error response of the API."""

    error = serializers.CharField(help_text="What went wrong, in the request's language.")
    detail = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        allow_null=True,
        help_text="For invalid input (400), the messages per field (`non_field_errors` for "
        "the request as a whole); otherwise null.",
    )


_ERROR_DESCRIPTIONS = {
    400: "Invalid input; `detail` lists the messages per field.",
    401: "No credentials, or invalid, expired or revoked ones.",
    403: "The caller may not do this, or the token's scopes do not allow it.",
    404: "No such record, or not one the caller may see.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }


class VisibleChoicesFilterBackend(DjangoFilterBackend):
    """django-filter's backend, where a filter that names related records (an organisation by
    slug...) chooses only among those the caller may see: filtering by a hidden record answers
    400 like filtering by an absent one, instead of an empty list that confirms it exists.

    A view may narrow the choices further in ``restrict_filterset(filterset)``."""

    def get_filterset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset: FilterSet | None = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for filter_ in filterset.filters.values():
            choices = getattr(filter_, "queryset", None)
            if isinstance(choices, QuerySet) and hasattr(choices, "visible_to"):
                filter_.queryset = choices.visible_to(request.user)
        restrict = getattr(view, "restrict_filterset", None)
        if restrict is not None:
            restrict(filterset)
        return filterset


class VisibleChoicesFilterExtension(DjangoFilterExtension):
    """Schema of :class:`VisibleChoicesFilterBackend`'s filters. drf-spectacular appends a
    filter's ``to_field_name`` to its ``field_name``; ours name the target field in both
    (``field_name="network__slug", to_field_name="slug"``), which it then cannot follow."""

    target_class = "cicte.core.api.VisibleChoicesFilterBackend"
    priority = 1

    def _get_model_field(self, filter_field: Any, model: Any) -> Any:
        path = (filter_field.field_name or "").split("__")
        if path[-1] and path[-1] == filter_field.extra.get("to_field_name"):
            return follow_field_source(model, path, emit_warnings=False)
        return super()._get_model_field(filter_field, model)


class NotFoundView(APIView):
    """Any address under /api/ that names no endpoint: a JSON 404 (401 without credentials, as
    everywhere in the API)."""

    permission_classes = [IsAuthenticated]
    schema = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Raised after authentication, whatever the method: 401 first, then 404.
        raise exceptions.NotFound(_("There is no API endpoint at this address."))
