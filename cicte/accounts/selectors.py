"""Read helpers of the accounts app that views, services and other apps share."""

from __future__ import annotations

from typing import Any

from cicte.accounts import permissions
from cicte.accounts.choices import RoleScope


def network_ids_for(user: Any) -> set[int]:
    """The networks a person belongs to: through a role held in the network (member, observer,
    national coordinator...) or through their organisation's membership."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_network_ids", None)
    if cached is None:
        cached = {
            g.network_id
            for g in permissions.grants_for(user)
            if g.scope == RoleScope.NETWORK and g.network_id is not None
        }
        user._network_ids = cached
    return set(cached)


def can_see_members(user: Any, network: Any) -> bool:
    """Who belongs to a network is seen by its members, by coordinators and by the Secretariat."""
    return (
        network.pk in network_ids_for(user)
        or permissions.has_global_perm(user, "accounts.manage_memberships")
        or bool(permissions.member_states_with_perm(user, "accounts.manage_memberships"))
    )
