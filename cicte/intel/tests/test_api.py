"""The intel API: collections, objects (list with the pages' filters, detail, versions), the POST of
a bundle (202 with the ingest) and its status; the authorization matrix and token scopes
(intel:read, intel:write)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.choices import IngestStatus
from cicte.intel.models import Ingest, StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

ACTORS = ("author", "same_org", "same_network", "other_network", "secretariat")
SEES: dict[str, set[str] | None] = {
    "author": {"green", "amber", "red"},
    "same_org": {"green", "amber"},
    "same_network": {"green"},
    "other_network": None,
    "secretariat": None,
}


@pytest.fixture
def world() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    people = {
        "author": f.analyst(colombia),
        "same_org": f.analyst(colombia),
        "same_network": f.analyst(mexico),
        "other_network": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "secretariat": af.secretariat_admin(),
    }
    collection = f.collection()
    objects = {
        "green": f.indicator("198.51.100.21", label=TLP.GREEN),
        "amber": f.indicator("198.51.100.22", label=TLP.AMBER),
        "red": f.indicator("198.51.100.23", label=TLP.RED),
    }
    f.post(people["author"], collection, list(objects.values()))
    return {"people": people, "collection": collection, "objects": objects}


def api(user: Any, *scopes: str) -> Client:
    """A client that sends ``user``'s token (intel:write unless scopes are given)."""
    _token, secret = af.api_token(user, *(scopes or ("intel:write",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def pk_of(stix_id: str) -> int:
    return StixObject.objects.get(stix_id=stix_id).pk


def test_without_credentials_401():
    for url in ("/api/intel/collections/", "/api/intel/objects/"):
        response = Client().get(url)
        assert response.status_code == 401
        assert response.json()["error"]


@pytest.mark.parametrize("actor", ACTORS)
def test_collections_matrix(actor, world):
    client = api(world["people"][actor], "intel:read")
    collection = world["collection"]
    listed = client.get("/api/intel/collections/").json()["results"]
    detail = client.get(f"/api/intel/collections/{collection.pk}/")
    expected = SEES[actor]
    if expected is None:
        assert listed == []
        assert detail.status_code == 404
        assert detail.json() == {"error": "Not found.", "detail": None}
        return
    assert [item["id"] for item in listed] == [str(collection.pk)]
    body = detail.json()
    assert body["object_count"] == len(expected)
    assert body["network"] == "csirtamericas"
    assert body["can_write"] is True
    assert body["default_tlp"] == TLP.AMBER


@pytest.mark.parametrize("actor", ACTORS)
def test_objects_matrix(actor, world):
    client = api(world["people"][actor], "intel:read")
    expected = SEES[actor] or set()
    listed = client.get("/api/intel/objects/").json()
    assert {item["stix_id"] for item in listed["results"]} == {
        world["objects"][label]["id"] for label in expected
    }
    assert listed["count"] == len(expected)
    for label, obj in world["objects"].items():
        response = client.get(f"/api/intel/objects/{pk_of(obj['id'])}/")
        if label in expected:
            assert response.status_code == 200
            body = response.json()
            assert body["object"] == obj
            assert body["tlp"] == label
            assert body["owner_organization"] == world["people"]["author"].organization.slug
        else:
            assert response.status_code == 404
            assert obj["pattern"] not in response.content.decode()


def test_object_detail_is_audited(world):
    reader = world["people"]["same_network"]
    green = pk_of(world["objects"]["green"]["id"])
    api(reader, "intel:read").get(f"/api/intel/objects/{green}/")
    event = AuditEvent.objects.filter(action="intel.stixobject.view").latest("pk")
    assert event.actor_id == reader.pk and event.object_id == str(green)


def test_filters_versions_and_old_versions(world):
    author = world["people"]["author"]
    first = f.indicator("192.0.2.80", label=TLP.GREEN, modified="2026-11-21T08:30:00.000Z")
    second = dict(first, modified="2026-11-22T08:30:00.000Z")
    f.post(author, world["collection"], [first, second])
    client = api(world["people"]["same_network"], "intel:read")
    latest = client.get("/api/intel/objects/", {"value": "192.0.2.80"}).json()["results"]
    assert [item["version"] for item in latest] == [second["modified"]]
    every = client.get("/api/intel/objects/", {"value": "192.0.2.80", "versions": "all"}).json()
    assert [item["version"] for item in every["results"]] == [
        second["modified"],
        first["modified"],
    ]
    # An older version is found by its id, and the versions of an object are listed.
    older = every["results"][1]["id"]
    assert client.get(f"/api/intel/objects/{older}/").json()["version"] == first["modified"]
    versions = client.get(f"/api/intel/objects/{older}/versions/").json()
    assert [v["version"] for v in versions] == [second["modified"], first["modified"]]
    # Other filters, and a filter naming a hidden collection is refused like an absent one.
    assert {
        item["tlp"]
        for item in client.get("/api/intel/objects/", {"tlp": "green"}).json()["results"]
    } == {"green"}
    assert client.get("/api/intel/objects/", {"type": "malware"}).json()["count"] == 0
    hidden = f.collection(read_roles=["national_coordinator"], title="Coordinators")
    refused = client.get("/api/intel/objects/", {"collection": str(hidden.pk)})
    assert refused.status_code == 400
    assert "collection" in refused.json()["detail"]
    assert client.get("/api/intel/objects/", {"added_from": "yesterday"}).status_code == 400


def test_list_query_count_is_constant(world):
    client = api(world["people"]["author"], "intel:read")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/intel/objects/").status_code == 200
        return len(captured.captured_queries)

    queries()  # the token's first use is recorded once
    few = queries()
    f.post(
        world["people"]["author"],
        world["collection"],
        [f.indicator(f"203.0.113.{n}") for n in range(15)],
    )
    assert queries() == few


def _bundle(*objects: Any) -> str:
    return json.dumps(
        {"type": "bundle", "id": "bundle--0c2a5c6e-3f1e-4f4a-9c62-2a4f3f1d9b10", "objects": objects}
    )


def test_post_a_bundle_and_follow_its_status(world, django_capture_on_commit_callbacks):
    poster = world["people"]["same_network"]
    client = api(poster, "intel:write")
    good = f.indicator("203.0.113.200")
    bad = f.indicator("203.0.113.201", spec_version="2.0")
    url = f"/api/intel/collections/{world['collection'].pk}/objects/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _bundle(good, bad), content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == IngestStatus.PENDING
    assert body["total_count"] == 2
    ingest = Ingest.objects.get(pk=body["id"])
    assert response["Location"].endswith(f"/api/intel/ingests/{ingest.pk}/")
    status = client.get(f"/api/intel/ingests/{ingest.pk}/").json()
    assert status["status"] == IngestStatus.COMPLETE
    assert (status["success_count"], status["failure_count"], status["pending_count"]) == (1, 1, 0)
    assert status["failures"][0]["id"] == bad["id"]
    assert "2.1" in status["failures"][0]["message"]
    assert StixObject.objects.filter(stix_id=good["id"]).exists()
    # Only the requester sees the status.
    other = api(world["people"]["author"], "intel:read")
    assert other.get(f"/api/intel/ingests/{ingest.pk}/").status_code == 404


def test_post_faults(world):
    client = api(world["people"]["same_network"], "intel:write")
    url = f"/api/intel/collections/{world['collection'].pk}/objects/"
    before = Ingest.objects.count()
    for body in ("{not json", "[]", json.dumps({"objects": []}), json.dumps(f.indicator())):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["error"]
    # Readable but not writable: 403; not readable: 404.
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    response = client.post(
        f"/api/intel/collections/{read_only.pk}/objects/",
        _bundle(f.indicator()),
        content_type="application/json",
    )
    assert response.status_code == 403
    outsider = api(world["people"]["other_network"], "intel:write")
    response = outsider.post(url, _bundle(f.indicator()), content_type="application/json")
    assert response.status_code == 404
    assert Ingest.objects.count() == before


def test_token_scopes(world):
    user = world["people"]["author"]
    url = f"/api/intel/collections/{world['collection'].pk}/objects/"
    reader = api(user, "intel:read")
    assert reader.get("/api/intel/objects/").status_code == 200
    refused = reader.post(url, _bundle(f.indicator()), content_type="application/json")
    assert refused.status_code == 403
    assert "intel" in refused.json()["error"]
    wrong_module = api(user, "directory:write")
    assert wrong_module.get("/api/intel/collections/").status_code == 403
    writer = api(user, "intel:write")
    assert writer.get("/api/intel/collections/").status_code == 200
    assert (
        writer.post(url, _bundle(f.indicator()), content_type="application/json").status_code == 202
    )


def test_schema_documents_the_endpoints(world):
    """The schema documents the intel endpoints (the API's docs are generated from it)."""
    client = Client()
    client.force_login(world["people"]["author"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/intel/collections/",
        "/api/intel/collections/{id}/objects/",
        "/api/intel/objects/{id}/versions/",
        "/api/intel/ingests/{id}/",
    ):
        assert path in text
