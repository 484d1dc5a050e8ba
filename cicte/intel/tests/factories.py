"""Factories for the intel app's tests: two national CSIRTs of different states in
CSIRTAmericas, a collection both may read and write, STIX objects."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.test import TestCase

from cicte.accounts.models import Organization, User
from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.intel import services
from cicte.intel.models import Collection, Ingest

DATA = Path(__file__).parent / "data"
MEMBER_ROLES = ["member", "org_admin", "national_coordinator", "observer"]


def csirt(code: str = "CO", network_slug: str = "csirtamericas") -> Organization:
    """A national CSIRT of state ``code``, member of ``network_slug``."""
    organization = af.OrganizationFactory(
        name=f"CSIRT {code}",
        slug=f"csirt-{code.lower()}-{uuid.uuid4().hex[:6]}",
        kind="csirt",
        member_state=af.state(code),
    )
    af.join(organization, network_slug, "member")
    return organization


def analyst(organization: Organization | None = None, **kwargs: Any) -> User:
    """A person of a CSIRT (a member of its networks through the organisation's membership)."""
    return af.UserFactory(organization=organization or csirt(), **kwargs)


def collection(
    network_slug: str | None = "csirtamericas",
    *,
    organizations: list[Organization] | None = None,
    read_roles: list[str] | None = None,
    write_roles: list[str] | None = None,
    default_tlp: str = TLP.AMBER,
    title: str = "Indicators",
) -> Collection:
    return services.create_collection(
        actor=af.secretariat_admin(),
        title=title,
        network=af.network(network_slug) if network_slug else None,
        organizations=organizations or [],
        read_roles=MEMBER_ROLES if read_roles is None else read_roles,
        write_roles=["member", "org_admin"] if write_roles is None else write_roles,
        default_tlp=default_tlp,
    )


def indicator(
    value: str = "198.51.100.7",
    *,
    label: str | None = TLP.GREEN,
    modified: str = "2026-11-21T08:30:00.000Z",
    stix_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T12:00:00.000Z",
        "modified": modified,
        "name": f"C2 {value}",
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T12:00:00Z",
    }
    if label:
        obj["object_marking_refs"] = [TLP2_MARKING_IDS[TLP(label)]]
    obj.update(extra)
    return obj


def bundle(name: str = "threat-reports_poisonivy.json") -> list[dict[str, Any]]:
    """The objects of one of the OASIS examples kept in tests/data."""
    objects: list[dict[str, Any]] = json.loads((DATA / name).read_text())["objects"]
    return objects


def post(actor: User, target: Collection, objects: list[Any]) -> Ingest:
    """Submit objects as TAXII's POST does; the worker's job runs when the submission commits
    (huey is immediate in tests), so the returned ingest is complete."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        ingest = services.submit(actor=actor, collection=target, objects=objects)
    ingest.refresh_from_db()
    return ingest
