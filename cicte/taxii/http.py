"""TAXII's side of HTTP: media types, content negotiation, authentication, and errors in TAXII's
error format. Every response of /taxii2/ is built here, never by DRF or a template."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request

from cicte.accounts.api.authentication import BasicAuthentication, TokenAuthentication, token_of

logger = logging.getLogger("django.request")

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
TOKEN_MODULE = "intel"  # noqa: S105 - a scope module, not a secret
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
AUTHENTICATORS = (TokenAuthentication(), BasicAuthentication())
WWW_AUTHENTICATE = f'Basic realm="{BasicAuthentication.www_authenticate_realm}", Token'


class TaxiiError(Exception):
    """An error answered in TAXII's error format (section 3.6.1)."""

    def __init__(
        self,
        status: int,
        title: str,
        description: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.headers = headers or {}


def bad_request(description: str) -> TaxiiError:
    return TaxiiError(400, _("Bad request"), description)


def not_found(description: str = "") -> TaxiiError:
    return TaxiiError(
        404, _("Not found"), description or _("No such resource, or you may not see it.")
    )


def forbidden(description: str) -> TaxiiError:
    return TaxiiError(403, _("Forbidden"), description)


def taxii_response(
    body: bytes | str | dict[str, Any] | None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A response in TAXII's media type; ``body`` as ready bytes or text, or a resource."""
    if isinstance(body, dict):
        content: bytes | str = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    else:
        content = body or b""
    response = HttpResponse(content, status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    return taxii_response(body, status=error.status, headers=error.headers)


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    """The media type of one Accept or Content-Type item, lowercased, and its parameters."""
    kind, *params = (part.strip() for part in value.split(";"))
    parsed = {}
    for param in params:
        name, _sep, param_value = param.partition("=")
        parsed[name.strip().lower()] = param_value.strip().strip('"').lower()
    return kind.lower(), parsed


def accepts_taxii(accept: str) -> bool:
    """Whether an Accept header allows TAXII 2.1's media type (no header allows anything)."""
    if not accept.strip():
        return True
    for item in accept.split(","):
        kind, params = _media_type(item)
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind in ("*/*", "application/*"):
            return True
        if kind == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return True
    return False


def is_taxii_content(content_type: str) -> bool:
    kind, params = _media_type(content_type)
    return kind == "application/taxii+json" and params.get("version") == "2.1"


def _authenticate(request: HttpRequest) -> Any:
    """The user of a request authenticated by a personal token (``Authorization: Token``) or
    HTTP Basic (username and token, or password without a second factor): TAXII always
    requires one. The token, if any, is kept on ``request.auth``."""
    wrapped = Request(request)
    for authenticator in AUTHENTICATORS:
        try:
            result = authenticator.authenticate(wrapped)
        except drf_exceptions.Throttled as exc:
            raise TaxiiError(
                429,
                _("Too many requests"),
                str(exc.detail),
                {"Retry-After": str(int(getattr(exc, "wait", None) or 0))},
            ) from exc
        except drf_exceptions.AuthenticationFailed as exc:
            raise TaxiiError(
                401,
                _("Authentication failed"),
                str(exc.detail),
                {"WWW-Authenticate": WWW_AUTHENTICATE},
            ) from exc
        if result is not None:
            user, auth = result
            request.user = user
            request.auth = auth  # type: ignore[attr-defined]
            return user
    raise TaxiiError(
        401,
        _("Authentication required"),
        _(
            "TAXII requires authentication: HTTP Basic with your username and a personal API "
            "token, or 'Authorization: Token <token>'."
        ),
        {"WWW-Authenticate": WWW_AUTHENTICATE},
    )


def _report(request: HttpRequest, exc: Exception) -> None:
    """An unexpected error, reported the way Django reports any uncaught exception."""
    signals.got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )


def taxii_view(
    *methods: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A TAXII endpoint answering ``methods``: authentication, the token's scope (``intel:read``
    for GET, ``intel:write`` otherwise), content negotiation, and every error in TAXII's
    format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                _authenticate(request)
                if request.method not in methods:
                    raise TaxiiError(
                        405,
                        _("Method not allowed"),
                        _("This endpoint answers {methods}.").format(methods=", ".join(methods)),
                        {"Allow": ", ".join(methods)},
                    )
                if not accepts_taxii(request.headers.get("Accept", "")):
                    raise TaxiiError(
                        406,
                        _("Not acceptable"),
                        _("This server answers only in {media_type}.").format(
                            media_type=TAXII_MEDIA_TYPE
                        ),
                    )
                token = token_of(request)
                write = request.method not in SAFE_METHODS
                if token is not None and not token.allows(TOKEN_MODULE, write):
                    raise forbidden(
                        _("This token's scopes do not allow {access} access to {module}.").format(
                            access=_("write") if write else _("read"), module=TOKEN_MODULE
                        )
                    )
                return view(request, *args, **kwargs)
            except TaxiiError as exc:
                return error_response(exc)
            except Http404:
                return error_response(not_found())
            except PermissionDenied as exc:
                return error_response(forbidden(str(exc) or _("You may not do this.")))
            except Exception as exc:
                # Logged with its traceback (also with DEBUG on): clients get TAXII's format.
                _report(request, exc)
                response = error_response(
                    TaxiiError(
                        500,
                        _("Internal server error"),
                        _(
                            "An unexpected error occurred. It has been logged; please try again later."
                        ),
                    )
                )
                response._has_been_logged = True  # type: ignore[attr-defined]
                return response

        return wrapper

    return decorate
