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


def networks_with_visible_members(user: Any) -> Any:
    """The networks whose members ``user`` may see: filters by network must offer no other, or
    they would reveal who belongs to the rest."""
    from cicte.accounts.models import Network

    networks = Network.objects.visible_to(user)
    return networks.filter(pk__in=[n.pk for n in networks if can_see_members(user, n)])


def can_see_members(user: Any, network: Any) -> bool:
    """Who belongs to a network is seen by its members (its national coordinators among them)
    and by the Secretariat administrators."""
    return network.pk in network_ids_for(user) or permissions.has_global_perm(
        user, "accounts.manage_memberships"
    )
