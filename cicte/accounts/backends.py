"""Authentication backend: Django's password check, with permissions from roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from cicte.accounts import permissions


class RoleBackend(ModelBackend):
    """Passwords as Django checks them; permissions only from role assignments and
    organisation memberships, never from per-user flags. With an object, the grant must apply
    to it (see :func:`cicte.accounts.permissions.can`)."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or obj is not None:
            return set()
        return permissions.all_perms(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        if obj is None:
            return perm in permissions.all_perms(user_obj)
        if obj._meta.label_lower == "accounts.organization":
            return permissions.can(user_obj, perm, organization=obj)
        organization = getattr(obj, "organization", None)
        if organization is not None:
            return permissions.can(user_obj, perm, organization=organization)
        return permissions.has_global_perm(user_obj, perm)

    def with_perm(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("Ask cicte.accounts.permissions instead.")
