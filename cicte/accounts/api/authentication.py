"""API authentication: personal tokens (``Authorization: Token <token>``), and HTTP Basic for
TAXII clients, where the password is a token, or the account's password only when the account
has no second factor and no role that requires one."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
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
            token = services.authenticate_token(password)
            if token is None or token.user.get_username().lower() != username.lower():
                raise exceptions.AuthenticationFailed(
                    _(
                        "The token is not valid for this username: it is unknown, revoked or expired."
                    )
                )
            _mark(request, token)
            return token.user, token
        user = authenticate(request._request, username=username, password=password)
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


def token_of(request: Any) -> ApiToken | None:
    """The token a request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
