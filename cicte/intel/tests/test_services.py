"""The STIX store: ingest (validation, TLP, versions, date_added), rights and visibility."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel import services
from cicte.intel.choices import IngestStatus
from cicte.intel.models import Collection, StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    outsider_org = f.csirt("BR", network_slug="aviation-security")
    return {
        "co": f.analyst(colombia),
        "co2": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(outsider_org),
        "admin": af.secretariat_admin(),
        "collection": f.collection(),
    }


def seen(user, collection=None) -> set[str]:
    queryset = StixObject.objects.readable_by(user)
    if collection is not None:
        queryset = queryset.filter(collection=collection)
    return set(queryset.values_list("stix_id", flat=True))


def test_a_real_bundle_is_stored_exactly_as_posted(world):
    objects = f.bundle()
    ingest = f.post(world["co"], world["collection"], objects)
    assert ingest.status == IngestStatus.COMPLETE
    assert (ingest.success_count, ingest.failure_count, ingest.pending_count) == (
        len(objects),
        0,
        0,
    )
    assert ingest.payload == ""
    stored = {o.stix_id: o for o in StixObject.objects.filter(collection=world["collection"])}
    assert len(stored) == len(objects)
    for obj in objects:
        row = stored[obj["id"]]
        assert json.loads(row.raw) == obj
        assert row.type == obj["type"]
        assert row.version == obj.get("modified", obj.get("created"))
        assert row.created_by_ref == obj.get("created_by_ref", "")
    # Every date_added differs and follows the envelope's order.
    dates = list(
        StixObject.objects.filter(collection=world["collection"])
        .order_by("pk")
        .values_list("date_added", flat=True)
    )
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert AuditEvent.objects.filter(action="intel.objects_store").exists()


def test_invalid_objects_are_refused_with_reasons_and_the_rest_stored(world):
    good = f.indicator("203.0.113.1")
    bad_pattern = f.indicator("203.0.113.2", pattern="[ipv4-addr:value = ")
    not_an_object = "indicator"
    old_spec = f.indicator("203.0.113.3", spec_version="2.0")
    ingest = f.post(world["co"], world["collection"], [good, bad_pattern, not_an_object, old_spec])
    assert (ingest.total_count, ingest.success_count, ingest.failure_count) == (4, 1, 3)
    reasons = {item.get("id"): item["message"] for item in ingest.failures}
    assert "pattern" in reasons[bad_pattern["id"]]
    assert "2.1" in reasons[old_spec["id"]]
    assert any("JSON object" in item["message"] for item in ingest.failures)
    assert seen(world["co"]) == {good["id"]}
    assert ingest.successes == [{"id": good["id"], "version": good["modified"]}]


def test_versions_duplicates_and_date_added(world):
    first = f.indicator("192.0.2.9", modified="2026-11-21T08:30:00.000Z")
    second = dict(first, modified="2026-11-22T08:30:00.000Z", name="C2, updated")
    f.post(world["co"], world["collection"], [first])
    again = f.post(world["co"], world["collection"], [first, second])
    assert again.success_count == 2
    assert "Already stored" in again.successes[0]["message"]
    versions = StixObject.objects.filter(stix_id=first["id"]).order_by("date_added")
    assert [v.version for v in versions] == [first["modified"], second["modified"]]
    assert versions[0].date_added < versions[1].date_added
    collection = Collection.objects.get(pk=world["collection"].pk)
    assert collection.last_date_added == versions[1].date_added


def test_tlp_from_markings_or_the_collection_default(world):
    unmarked = f.indicator("192.0.2.1", label=None)
    amber = f.indicator("192.0.2.2", label=TLP.AMBER)
    f.post(world["co"], world["collection"], [unmarked, amber])
    labels = dict(StixObject.objects.values_list("stix_id", "tlp"))
    assert labels == {unmarked["id"]: TLP.AMBER, amber["id"]: TLP.AMBER}
    white = f.indicator("192.0.2.3", label=None)
    white["object_marking_refs"] = ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]
    # A plain member may not publish TLP:CLEAR (it is public on the platform)...
    refused = f.post(world["co"], world["collection"], [white])
    assert refused.failure_count == 1 and "TLP:CLEAR" in refused.failures[0]["message"]
    assert not StixObject.objects.filter(stix_id=white["id"]).exists()
    # ...their organisation's administrator may (TLP 1.0 WHITE is read as CLEAR).
    af.grant(world["co2"], "org_admin")
    stored = f.post(world["co2"], world["collection"], [white])
    assert stored.success_count == 1
    assert StixObject.objects.get(stix_id=white["id"]).tlp == TLP.CLEAR
    assert white["id"] in seen(world["mx"])


def test_visibility_follows_tlp_and_the_collection_read_right(world):
    co, co2, mx, outsider = world["co"], world["co2"], world["mx"], world["outsider"]
    green = f.indicator("198.51.100.1", label=TLP.GREEN)
    amber = f.indicator("198.51.100.2", label=TLP.AMBER)
    strict = f.indicator("198.51.100.3", label=TLP.AMBER_STRICT)
    red = f.indicator("198.51.100.4", label=TLP.RED)
    f.post(co, world["collection"], [green, amber, strict, red])
    assert seen(co) == {green["id"], amber["id"], strict["id"], red["id"]}
    # Same organisation: GREEN and AMBER, not the author's RED.
    assert seen(co2) == {green["id"], amber["id"], strict["id"]}
    # Another state's CSIRT in the network: GREEN only (AMBER names organisations).
    assert seen(mx) == {green["id"]}
    # Not a member of the network, and the Secretariat (no role widens TLP): nothing.
    assert seen(outsider) == set()
    assert seen(world["admin"]) == set()
    # A collection whose read roles the reader lacks shows nothing, whatever the TLP.
    closed = f.collection(read_roles=["national_coordinator"], title="Coordinators only")
    f.post(co, world["collection"], [])
    assert seen(mx, closed) == set()


def test_sharing_groups_share_amber_with_the_named_organisations(world):
    co, mx = world["co"].organization, world["mx"].organization
    group = f.collection(None, organizations=[co, mx], title="Bilateral")
    amber = f.indicator("198.51.100.20", label=TLP.AMBER)
    f.post(world["co"], group, [amber])
    assert seen(world["mx"], group) == {amber["id"]}
    assert seen(world["outsider"], group) == set()


def test_write_rights(world):
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    with pytest.raises(PermissionDenied):
        services.submit(actor=world["mx"], collection=read_only, objects=[f.indicator()])
    with pytest.raises(PermissionDenied):
        services.submit(actor=world["outsider"], collection=world["collection"], objects=[])
    assert services.may_read(world["mx"], read_only)
    assert not services.may_write(world["mx"], read_only)


def test_only_the_owner_deletes_versions(world):
    obj = f.indicator("198.51.100.30", label=TLP.GREEN)
    f.post(world["co"], world["collection"], [obj])
    assert (
        services.delete_versions(
            actor=world["mx"], collection=world["collection"], stix_id=obj["id"]
        )
        == 0
    )
    assert (
        services.delete_versions(
            actor=world["co2"], collection=world["collection"], stix_id=obj["id"]
        )
        == 1
    )
    assert not StixObject.objects.filter(stix_id=obj["id"]).exists()
    assert AuditEvent.objects.filter(action="intel.objects_delete").exists()
