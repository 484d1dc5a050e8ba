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
    from cicte.accounts.models import OrganizationMembership, RoleAssignment

    state_id = user.organization.member_state_id if user.organization_id else None
    assignments = list(
        RoleAssignment.objects.filter(user=user)
        .select_related("role")
        .prefetch_related("role__permissions__content_type")
    )
    memberships = (
        list(
            OrganizationMembership.objects.filter(organization_id=user.organization_id)
            .select_related("role")
            .prefetch_related("role__permissions__content_type")
        )
        if user.organization_id
        else []
    )
    grants = []
    items: list[Any] = [*assignments, *memberships]
    for item in items:
        role = item.role
        perms = frozenset(
            f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()
        )
        grants.append(
            Grant(
                role=role.slug,
                scope=role.scope,
                perms=perms,
                network_id=getattr(item, "network_id", None),
                organization_id=item.organization_id
                if role.scope == RoleScope.ORGANIZATION
                else None,
                member_state_id=state_id if role.scope == RoleScope.NETWORK else None,
            )
        )
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
