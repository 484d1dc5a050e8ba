"""The TAXII benchmark's people and collection: a national CSIRT of CSIRTAmericas with one
analyst (who posts and reads), a Secretariat administrator who creates the collection, and the
analyst's API token. Organisations and people are created directly (a fixture); the collection
and the token through their services, and every STIX object through the intel services.
"""

from __future__ import annotations

from dataclasses import dataclass

from cicte.accounts import services as account_services
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
from cicte.core.choices import TLP
from cicte.intel import services
from cicte.intel.models import Collection

NETWORK = "csirtamericas"


@dataclass
class World:
    analyst: User
    collection: Collection
    token: str
    network_slug: str = NETWORK


def world(title: str = "Indicators", suffix: str = "") -> World:
    network = Network.objects.get(slug=NETWORK)
    csirt = Organization.objects.create(
        name=f"CSIRT Colombia (bench){suffix}",
        slug=f"csirt-co-bench{suffix}",
        kind=OrganizationKind.NATIONAL_CSIRT,
        member_state=MemberState.objects.get(code="CO"),
    )
    OrganizationMembership.objects.create(
        organization=csirt, network=network, role=Role.objects.get(slug="member")
    )
    analyst = User.objects.create_user(
        username=f"analyst-bench{suffix}", email=f"analyst{suffix}@example.org", organization=csirt
    )
    admin = User.objects.create_user(
        username=f"secretariat-bench{suffix}",
        email=f"secretariat{suffix}@example.org",
        organization=Organization.objects.get(slug="cicte-secretariat"),
    )
    RoleAssignment.objects.create(user=admin, role=Role.objects.get(slug="secretariat_admin"))
    # An organisation administrator may publish TLP:CLEAR too (part of the mix).
    RoleAssignment.objects.create(
        user=analyst, role=Role.objects.get(slug="org_admin"), organization=csirt
    )
    collection = services.create_collection(
        actor=admin,
        title=title,
        network=network,
        read_roles=["member", "org_admin"],
        write_roles=["member", "org_admin"],
        default_tlp=TLP.AMBER,
    )
    _token, secret = account_services.create_api_token(
        actor=analyst, name="bench", scopes=["intel:read", "intel:write"], expires_in_days=30
    )
    return World(analyst=analyst, collection=collection, token=secret)
