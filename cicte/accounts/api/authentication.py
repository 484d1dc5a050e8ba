"""API authentication: personal tokens (``Authorization: Token <token>``), and HTTP Basic for
TAXII clients, where the password is a token, or the account's password only when the account
has no second factor and no role that requires one."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from cicte.accounts import services
from cicte.accounts.models import ApiToken, User


def _mark(request: Request, token: ApiToken | None) -> None:
    request._request._cicte_token = token  # type: ignore[attr-defined]
    request._request._cicte_token_auth = token is not None  # type: ignore[attr-defined]


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as 'Authorization: Token <token>', with no spaces in the token.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("The token contains invalid characters.")
            ) from exc
        token = services.authenticate_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it is unknown, revoked or expired.")
            )
        _mark(request, token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BasicAuthentication(authentication.BaseAuthentication):
    """HTTP Basic. The password may be a personal token (of the named user); an account's own
    password is accepted only for accounts without a second factor, and it counts towards the
    login throttle like any sign-in."""

    www_authenticate_realm = "CICTE Platform"

    def authenticate(self, request: Request) -> tuple[User, ApiToken | None] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Basic header: send 'Basic base64(username:password)'.")
            )
        try:
            username, _sep, password = (
                base64.b64decode(header[1], validate=True).decode("utf-8").partition(":")
            )
        except (TypeError, UnicodeDecodeError, binascii.Error) as exc:
            raise exceptions.AuthenticationFailed(
                _("Invalid Basic header: the credentials are not base64-encoded UTF-8.")
            ) from exc
        if password.startswith("cicte_"):
            token = services.authenticate_token(password, username=username)
            if token is None:
                raise exceptions.AuthenticationFailed(
                    _(
                        "The token is not valid for this username: it is unknown, revoked or expired."
                    )
                )
            _mark(request, token)
            return token.user, token
        user = authenticate(request._request, username=username, password=password)
        if user is None and getattr(request._request, "axes_locked_out", False):
            # django-axes would replace the response with the HTML lockout page; the API answers
            # in its own format, with Retry-After.
            request._request.axes_locked_out = False  # type: ignore[attr-defined]
            raise exceptions.Throttled(
                wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                detail=str(
                    _(
                        "Too many failed sign-in attempts for this username from this address; use a personal API token, or try again later."
                    )
                ),
            )
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid username or password."))
        if user.has_mfa or user.requires_mfa:
            raise exceptions.AuthenticationFailed(
                _(
                    "This account uses two-factor authentication: use a personal API token as the password."
                )
            )
        _mark(request, None)
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return f'Basic realm="{self.www_authenticate_realm}"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session (for the browsable docs and the platform's own pages), with DRF's CSRF
    check. A session counts only once its second factor is verified where the account needs one:
    the web pages send such a person to the setup page, and the API must not be a way around it."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        verified = getattr(user, "is_verified", None)
        if not (verified is not None and verified()) and (user.has_mfa or user.requires_mfa):
            raise exceptions.AuthenticationFailed(
                _(
                    "Your account needs two-factor authentication: set it up and sign in with it, or use a personal API token."
                )
            )
        return result


def token_of(request: Any) -> ApiToken | None:
    """The token a request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class _TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token, sent as `Authorization: Token <token>`. "
            "Its scopes (`<module>:read`, `<module>:write`) limit what it may do.",
        }


class _BasicScheme(OpenApiAuthenticationExtension):
    target_class = BasicAuthentication
    name = "basicAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Username and a personal API token as the password; the account's "
            "own password only for accounts without two-factor authentication.",
        }


class _SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
