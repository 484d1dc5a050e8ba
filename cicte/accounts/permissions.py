"""Permissions come from roles, and roles apply in a scope.

A *grant* is one role assignment (or an organisation's network membership) seen as: a set of
permission names, and where they apply. Global grants apply everywhere; network grants apply in
their network, for the member state of the holder's organisation (a national coordinator manages
their own state); organisation grants apply in their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cicte.accounts.choices import RoleScope

if TYPE_CHECKING:
    from cicte.accounts.models import User


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str
    perms: frozenset[str]
    network_id: int | None = None
    organization_id: int | None = None
    member_state_id: int | None = None


def grants_for(user: Any) -> list[Grant]:
    """Every grant of ``user``, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_grants", None)
    if cached is not None:
        return cached
    from cicte.accounts.models import OrganizationMembership, Role, RoleAssignment

    # Four statements, plain values rather than model instances: every request reads them.
    state_id = user.organization.member_state_id if user.organization_id else None
    fields = ("role_id", "role__slug", "role__scope", "network_id")
    items: list[tuple[Any, ...]] = [
        (*row[:4], row[4] if row[2] == RoleScope.ORGANIZATION else None)
        for row in RoleAssignment.objects.filter(user=user)
        .order_by("pk")
        .values_list(*fields, "organization_id")
    ]
    if user.organization_id:
        items += [
            (*row, None)
            for row in OrganizationMembership.objects.filter(organization_id=user.organization_id)
            .order_by("pk")
            .values_list(*fields)
        ]
    perms: dict[int, set[str]] = {}
    role_ids = sorted({item[0] for item in items})
    rows = Role.permissions.through.objects.filter(role_id__in=role_ids).values_list(
        "role_id", "permission__content_type__app_label", "permission__codename"
    )
    for role_id, app_label, codename in rows if role_ids else ():
        perms.setdefault(role_id, set()).add(f"{app_label}.{codename}")
    grants = [
        Grant(
            role=slug,
            scope=scope,
            perms=frozenset(perms.get(role_id, ())),
            network_id=network_id,
            organization_id=organization_id,
            member_state_id=state_id if scope == RoleScope.NETWORK else None,
        )
        for role_id, slug, scope, network_id, organization_id in items
    ]
    user._grants = grants
    return grants


def forget(user: Any) -> None:
    """Drop what was cached on the user object after its roles changed."""
    for attr in ("_grants", "_sharing_context", "_network_ids"):
        if hasattr(user, attr):
            delattr(user, attr)


def all_perms(user: Any) -> set[str]:
    perms: set[str] = set()
    for grant in grants_for(user):
        perms |= grant.perms
    return perms


def has_global_perm(user: Any, perm: str) -> bool:
    return any(g.scope == RoleScope.GLOBAL and perm in g.perms for g in grants_for(user))


def member_states_with_perm(user: Any, perm: str) -> set[int]:
    return {
        g.member_state_id
        for g in grants_for(user)
        if g.scope == RoleScope.NETWORK and perm in g.perms and g.member_state_id is not None
    }


def networks_with_perm(user: Any, perm: str, *, member_state_id: int | None = None) -> set[int]:
    return {
        g.network_id
        for g in grants_for(user)
        if g.scope == RoleScope.NETWORK
        and perm in g.perms
        and g.network_id is not None
        and (member_state_id is None or g.member_state_id == member_state_id)
    }


def organizations_with_perm(user: Any, perm: str) -> set[int]:
    return {
        g.organization_id
        for g in grants_for(user)
        if g.scope == RoleScope.ORGANIZATION and perm in g.perms and g.organization_id is not None
    }


def can(
    user: User | Any,
    perm: str,
    *,
    organization: Any = None,
    member_state_id: int | None = None,
    network_id: int | None = None,
) -> bool:
    """Whether ``user`` holds ``perm`` where it matters.

    - ``organization``: a global grant, a grant in that organisation, or a network grant for its
      member state (in ``network_id`` when given);
    - ``member_state_id`` alone: a global grant or a network grant for that state;
    - nothing: a global grant only.
    """
    if has_global_perm(user, perm):
        return True
    if organization is not None:
        if organization.pk in organizations_with_perm(user, perm):
            return True
        member_state_id = organization.member_state_id
        if member_state_id is None:
            return False
    if member_state_id is not None:
        for grant in grants_for(user):
            if (
                grant.scope == RoleScope.NETWORK
                and perm in grant.perms
                and grant.member_state_id == member_state_id
                and (network_id is None or grant.network_id == network_id)
            ):
                return True
    return False
