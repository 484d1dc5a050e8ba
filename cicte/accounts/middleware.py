"""Two-factor authentication is mandatory for the roles that say so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cicte.core.middleware import MACHINE_PREFIXES


class MFARequiredMiddleware:
    """A signed-in person whose role requires two-factor authentication and who has not set it up
    is sent to the setup page until they have; a session that has a device but was not verified
    with it is ended."""

    ALLOWED_NAMES = ("accounts:mfa_setup", "accounts:logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        path = request.path_info
        if (
            user.is_authenticated
            and not path.startswith(MACHINE_PREFIXES)
            and not path.startswith("/static/")
            and not getattr(request, "_cicte_token_auth", False)
            # A verified session has passed its second factor: nothing to check.
            and not user.is_verified()
        ):
            if user.has_mfa:
                logout(request)
                return redirect(reverse("accounts:login"))
            allowed = {reverse(name) for name in self.ALLOWED_NAMES}
            if path not in allowed and user.requires_mfa:
                return redirect(reverse("accounts:mfa_setup"))
        return self.get_response(request)
