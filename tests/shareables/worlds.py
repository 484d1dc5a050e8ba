"""Turn an oracle :class:`~tests.shareables.oracle.World` into database rows: organisations,
network memberships, accounts with roles, and shared records with their audiences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    User,
)
from tests.shareables.models import SharedRecord
from tests.shareables.oracle import World


@dataclass
class Built:
    users: dict[int, int]  # person key -> user pk
    records: dict[int, int]  # record key -> record pk

    def record_keys(self, pks: Any) -> set[int]:
        by_pk = {pk: key for key, pk in self.records.items()}
        return {by_pk[pk] for pk in pks}

    def viewer(self, key: int) -> User:
        """A fresh account object, so that nothing cached on another instance leaks in."""
        return User.objects.select_related("organization").get(pk=self.users[key])


def build(world: World) -> Built:
    networks = {n.slug: n for n in Network.objects.filter(slug__in=world.networks)}
    network_by_key = {key: networks[slug] for key, slug in enumerate(world.networks)}
    roles = {r.slug: r for r in Role.objects.all()}
    states = {s.code: s for s in MemberState.objects.filter(code__in={o.state for o in world.orgs})}

    orgs: dict[int, Organization] = {}
    for org in world.orgs:
        orgs[org.key] = Organization.objects.create(
            name=f"World organisation {org.key}",
            slug=f"world-org-{org.key}",
            kind=OrganizationKind.MINISTRY if org.state else OrganizationKind.INTERNATIONAL,
            member_state=states[org.state] if org.state else None,
        )
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(
            organization=orgs[org_key], network=network_by_key[net_key], role=roles[role]
        )
        for org_key, net_key, role in sorted(world.memberships)
    )

    users: dict[int, User] = {}
    assignments = []
    for person in world.people:
        user = User(
            username=f"person{person.key}",
            email=f"person{person.key}@example.org",
            organization=orgs[person.org] if person.org is not None else None,
            is_active=person.active,
        )
        user.set_unusable_password()
        user.save()
        users[person.key] = user
        for role, net_key in sorted(person.network_roles):
            assignments.append(
                RoleAssignment(user=user, role=roles[role], network=network_by_key[net_key])
            )
        if person.secretariat_admin:
            assignments.append(RoleAssignment(user=user, role=roles["secretariat_admin"]))
        if person.org_admin and person.org is not None:
            assignments.append(
                RoleAssignment(user=user, role=roles["org_admin"], organization=orgs[person.org])
            )
    RoleAssignment.objects.bulk_create(assignments)

    records: dict[int, int] = {}
    for spec in world.records:
        record = SharedRecord.objects.create(
            title=f"Record {spec.key}",
            tlp=spec.tlp,
            owner_organization=orgs[spec.owner],
            created_by=users[spec.author],
        )
        if spec.networks:
            record.audience_networks.set([network_by_key[k] for k in spec.networks])
        if spec.orgs:
            record.audience_organizations.set([orgs[k] for k in spec.orgs])
        if spec.users:
            record.audience_users.set([users[k] for k in spec.users])
        records[spec.key] = record.pk
    return Built(users={k: u.pk for k, u in users.items()}, records=records)
