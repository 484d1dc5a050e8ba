"""Permissions come from roles, and roles apply in a scope.

A *grant* is one role assignment (or an organisation's network membership) seen as: a set of
permission names, and where they apply. Global grants apply everywhere; network grants apply in
their network, for the member state of the holder's organisation (a national coordinator manages
their own state); organisation grants apply in their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cicte.accounts.choices import RoleScope

if TYPE_CHECKING:
    from cicte.accounts.models import User


class RolePermissions:
    """The permission names of a user's roles, read on first use, in one statement (compiled
    once per set of roles): many requests (a TAXII page) need only the roles themselves."""

    def __init__(self, role_ids: tuple[int, ...]) -> None:
        self.role_ids = role_ids
        self._by_role: dict[int, frozenset[str]] | None = None

    def of(self, role_id: int) -> frozenset[str]:
        if self._by_role is None:
            from cicte.accounts.models import Role
            from cicte.core import statements

            found: dict[int, set[str]] = {}
            if self.role_ids:
                for pk, app_label, codename in statements.rows(
                    ("accounts.role_permissions", self.role_ids),
                    lambda: Role.permissions.through.objects.filter(
                        role_id__in=self.role_ids
                    ).values_list(
                        "role_id", "permission__content_type__app_label", "permission__codename"
                    ),
                ):
                    found.setdefault(pk, set()).add(f"{app_label}.{codename}")
            self._by_role = {pk: frozenset(names) for pk, names in found.items()}
        return self._by_role.get(role_id, frozenset())


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str
    network_id: int | None = None
    organization_id: int | None = None
    member_state_id: int | None = None
    role_id: int | None = None
    permissions: RolePermissions | None = field(default=None, compare=False, repr=False)

    @property
    def perms(self) -> frozenset[str]:
        """The permission names of the role (read on first use)."""
        if self.permissions is None or self.role_id is None:
            return frozenset()
        return self.permissions.of(self.role_id)


def grants_for(user: Any) -> list[Grant]:
    """Every grant of ``user``, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_grants", None)
    if cached is not None:
        return cached
    from django.db.models import IntegerField, Value

    from cicte.accounts.models import OrganizationMembership, RoleAssignment
    from cicte.core import statements

    # One statement (the user's role assignments and their organisation's network
    # memberships), plain values, compiled once per user (cicte.core.statements): every request
    # reads it. The roles' permissions are read when first needed (RolePermissions).
    state_id = user.organization.member_state_id if user.organization_id else None
    fields = ("role_id", "role__slug", "role__scope", "network_id")
    org_id = user.organization_id

    def both() -> Any:
        assigned = (
            RoleAssignment.objects.filter(user_id=user.pk)
            .annotate(source=Value("assigned"))
            .values_list("source", "pk", *fields, "organization_id")
            .order_by()
        )
        if org_id is None:
            return assigned.order_by("pk")
        memberships = (
            OrganizationMembership.objects.filter(organization_id=org_id)
            .annotate(source=Value("membership"), no_organization=Value(None, IntegerField()))
            .values_list("source", "pk", *fields, "no_organization")
            .order_by()
        )
        return assigned.union(memberships, all=True).order_by("source", "pk")

    rows = statements.rows(("accounts.grants", user.pk, org_id), both)
    permissions = RolePermissions(tuple(sorted({row[2] for row in rows})))
    grants = [
        Grant(
            role=slug,
            scope=scope,
            network_id=network_id,
            organization_id=organization_id if scope == RoleScope.ORGANIZATION else None,
            member_state_id=state_id if scope == RoleScope.NETWORK else None,
            role_id=role_id,
            permissions=permissions,
        )
        for _source, _pk, role_id, slug, scope, network_id, organization_id in rows
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


def holders(perm: str, *, network_id: int | None = None, member_state_id: int | None = None) -> Any:
    """The active people who hold ``perm`` ("app_label.codename"): through a platform-wide role
    assignment, or, with ``network_id``, through a role held in that network (of
    ``member_state_id``'s organisations, when given). Whom a module emails (confirmers, duty
    officers, national coordinators); ``can`` and the grants answer for one person."""
    from cicte.accounts.models import User

    app_label, codename = perm.split(".", 1)
    people = User.objects.filter(
        is_active=True,
        role_assignments__role__permissions__codename=codename,
        role_assignments__role__permissions__content_type__app_label=app_label,
    )
    if network_id is None:
        people = people.filter(
            role_assignments__network__isnull=True, role_assignments__organization__isnull=True
        )
    else:
        people = people.filter(role_assignments__network_id=network_id)
        if member_state_id is not None:
            people = people.filter(organization__member_state_id=member_state_id)
    return people.distinct()
