"""A sighting that names no reporter (no created_by_ref: reported anonymously) never shows which
organisation shared it: not on the object pages, not in the API, and the "shared by" filter does
not find it; a named one shows its organisation as any object does."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


def _sighting(indicator: dict, *, named_by: str | None = None) -> dict:
    obj = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": "2026-11-29T10:00:00.000Z",
        "modified": "2026-11-29T10:00:00.000Z",
        "sighting_of_ref": indicator["id"],
        "count": 3,
        "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
    }
    if named_by:
        obj["created_by_ref"] = named_by
        obj["where_sighted_refs"] = [named_by]
    return obj


@pytest.fixture
def world():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    target = f.collection()
    indicator = f.indicator("203.0.113.77", label=TLP.GREEN)
    f.post(f.analyst(colombia), target, [indicator])
    reporter = f.analyst(mexico)
    identity = f"identity--{uuid.uuid4()}"
    anonymous = _sighting(indicator)
    named = _sighting(indicator, named_by=identity)
    f.post(
        reporter,
        target,
        [
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": identity,
                "created": "2026-11-29T09:00:00.000Z",
                "modified": "2026-11-29T09:00:00.000Z",
                "name": "CERT MX",
                "identity_class": "organization",
                "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
            },
            anonymous,
            named,
        ],
    )
    reader = f.analyst(colombia)
    return {"reader": reader, "mexico": mexico, "anonymous": anonymous, "named": named}


def _client(user) -> Client:
    _token, secret = af.api_token(user, "intel:read")
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def test_pages_do_not_name_the_reporter_of_an_anonymous_sighting(world, client):
    client.force_login(world["reader"])
    anonymous = client.get(f"/intel/objects/{world['anonymous']['id']}/").content.decode()
    assert world["mexico"].name not in anonymous
    assert "Not named" in anonymous
    named = client.get(f"/intel/objects/{world['named']['id']}/").content.decode()
    assert world["mexico"].name in named


def test_the_api_and_its_filter_do_not_name_or_find_it(world):
    api = _client(world["reader"])
    rows = api.get("/api/intel/objects/", {"type": "sighting"}).json()["results"]
    owners = {row["stix_id"]: row["owner_organization"] for row in rows}
    assert owners[world["anonymous"]["id"]] is None
    assert owners[world["named"]["id"]] == world["mexico"].slug
    found = api.get(
        "/api/intel/objects/", {"type": "sighting", "organization": world["mexico"].slug}
    ).json()["results"]
    assert [row["stix_id"] for row in found] == [world["named"]["id"]]
