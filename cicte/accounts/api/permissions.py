"""A token's scopes limit what it can do: each API view names its module (``token_module``);
safe methods need ``<module>:read`` (or write), others ``<module>:write``. Session and password
requests are limited by roles only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.request import Request

from cicte.accounts.api.authentication import token_of


class TokenScopePermission(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        if token is None:
            return True
        module = getattr(view, "token_module", None)
        if module is None:
            # Schema and docs: any valid token may read them.
            return request.method in permissions.SAFE_METHODS
        # A view whose POST only reads (screening a name: kept out of the address) says so.
        write = request.method not in permissions.SAFE_METHODS and not getattr(
            view, "token_read_only", False
        )
        if not token.allows(module, write):
            self.message = _(
                "This token's scopes do not allow {access} access to {module}."
            ).format(access=_("write") if write else _("read"), module=module)
            return False
        return True
