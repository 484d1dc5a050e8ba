"""Reads of the directory that views, the API and exports share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cicte.accounts import permissions
from cicte.accounts.selectors import network_ids_for
from cicte.directory.choices import DesignationStatus, SensitiveFieldsPolicy
from cicte.directory.models import Contact, ContactDesignation, DirectoryPolicy


def can_see_sensitive(
    user: Any, contact: Contact, designations: Iterable[ContactDesignation]
) -> bool:
    """Whether ``user`` sees the contact's sensitive fields (mobile and 24/7 phones, personal
    emails, OpenPGP key): the contact themselves, the Secretariat, their state's coordinators,
    and whoever the policy of one of the networks the contact is designated to allows.
    ``designations`` are the contact's designations visible to ``user``."""
    if not getattr(user, "is_authenticated", False):
        return False
    if contact.user_id == user.pk or permissions.has_global_perm(
        user, "directory.view_all_directories"
    ):
        return True
    state_id = contact.organization.member_state_id
    if state_id and state_id in permissions.member_states_with_perm(
        user, "directory.manage_designations"
    ):
        return True
    networks = network_ids_for(user)
    user_state = user.organization.member_state_id if user.organization_id else None
    coordinated = permissions.networks_with_perm(user, "directory.manage_designations")
    for designation in designations:
        if designation.status != DesignationStatus.ACTIVE or designation.network_id not in networks:
            continue
        rule = designation.policy.sensitive_fields
        if rule == SensitiveFieldsPolicy.MEMBERS:
            return True
        if rule == SensitiveFieldsPolicy.SAME_STATE and (
            designation.member_state_id == user_state or designation.network_id in coordinated
        ):
            return True
        if rule == SensitiveFieldsPolicy.COORDINATORS and designation.network_id in coordinated:
            return True
    return False


def _listed(contact: Contact, name: str) -> Any:
    """The contact's phones or emails: as prefetched into ``listed_<name>`` (a list, which costs
    no queryset per contact: the directory's search), else through the related manager."""
    listed = contact.__dict__.get(f"listed_{name}")
    return listed if listed is not None else getattr(contact, name).all()


def public_phones(contact: Contact, sensitive: bool) -> list[Any]:
    return [p for p in _listed(contact, "phones") if sensitive or not p.is_sensitive]


def public_emails(contact: Contact, sensitive: bool) -> list[Any]:
    return [e for e in _listed(contact, "emails") if sensitive or not e.is_sensitive]


def coordinators_of(*, network_id: int, member_state_id: int) -> list[Any]:
    """The active national coordinators of a state in a network (for reminders)."""
    from cicte.accounts import permissions

    return list(
        permissions.holders(
            "directory.manage_designations",
            network_id=network_id,
            member_state_id=member_state_id,
        )
    )


def policies_by_network() -> dict[int, DirectoryPolicy]:
    """Every network's directory policy, read in one query (one row per network)."""
    return {policy.network_id: policy for policy in DirectoryPolicy.objects.all()}


def attach_policies(
    designations: Iterable[ContactDesignation], policies: dict[int, DirectoryPolicy]
) -> None:
    """Give each designation its network's policy from ``policies``, so that ``policy``,
    ``due_at``, ``is_stale`` and :func:`can_see_sensitive` cost no query per row."""
    for designation in designations:
        policy = policies.get(designation.network_id)
        if policy is None:
            # No stored policy yet: the defaults, as ``ContactDesignation.policy`` would create.
            policy = DirectoryPolicy(network_id=designation.network_id)
        designation.__dict__["policy"] = policy
