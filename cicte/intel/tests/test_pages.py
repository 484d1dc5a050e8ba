"""The intel pages: the authorization matrix {anonymous, author, same organisation, another
state's CSIRT in the network, a CSIRT of another network, Secretariat administrator} x
{collections, a collection's objects, an object's page}; filters; the object page (versions,
TLP badge, relationships, citing reports, JSON); the audit of object views; uploads with valid
and invalid objects and the status page; the search by indicator value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.core.models import AuditEvent
from cicte.intel.choices import IngestStatus
from cicte.intel.filtersets import StixObjectFilterSet
from cicte.intel.models import Ingest, StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "author", "same_org", "same_network", "other_network", "secretariat")
GREEN_IP, AMBER_IP, RED_IP = "198.51.100.11", "198.51.100.12", "198.51.100.13"


@pytest.fixture
def world() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    admin = af.secretariat_admin()
    af.add_totp(admin)
    people = {
        "author": f.analyst(colombia),
        "same_org": f.analyst(colombia),
        "same_network": f.analyst(mexico),
        "other_network": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "secretariat": admin,
    }
    collection = f.collection()
    green = f.indicator(GREEN_IP, label=TLP.GREEN)
    amber = f.indicator(AMBER_IP, label=TLP.AMBER)
    red = f.indicator(RED_IP, label=TLP.RED)
    f.post(people["author"], collection, [green, amber, red])
    return {
        "people": people,
        "collection": collection,
        "objects": {"green": green, "amber": amber, "red": red},
    }


@pytest.fixture
def as_actor(client: Client, login: Any, world: dict[str, Any]) -> Any:
    def _as(name: str) -> Client:
        client.logout()
        if name != "anonymous":
            login(world["people"][name])
        return client

    return _as


# Which labels each actor sees in the collection (None: the collection answers 404).
SEES: dict[str, set[str] | None] = {
    "author": {"green", "amber", "red"},
    "same_org": {"green", "amber"},
    "same_network": {"green"},
    "other_network": None,
    "secretariat": None,
}


def assert_login_redirect(response: Any, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert path.split("?")[0] in response["Location"]


@pytest.mark.parametrize("actor", ACTORS)
def test_collections_list_matrix(actor, world, as_actor):
    client = as_actor(actor)
    response = client.get("/intel/")
    if actor == "anonymous":
        assert_login_redirect(response, "/intel/")
        return
    assert response.status_code == 200
    content = response.content.decode()
    expected = SEES[actor]
    if expected is None:
        assert world["collection"].title not in content
        assert "You may not read any collection yet" in content
    else:
        (collection,) = response.context["collections"]
        assert collection.pk == world["collection"].pk
        assert collection.object_count == len(expected)


@pytest.mark.parametrize("actor", ACTORS)
def test_collection_page_matrix(actor, world, as_actor):
    client = as_actor(actor)
    url = f"/intel/collections/{world['collection'].pk}/"
    response = client.get(url)
    if actor == "anonymous":
        assert_login_redirect(response, url)
        return
    expected = SEES[actor]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    shown = {row.stix_id for row in response.context["rows"]}
    assert shown == {world["objects"][label]["id"] for label in expected}
    content = response.content.decode()
    for label, obj in world["objects"].items():
        assert (obj["id"] in content) == (label in expected)


@pytest.mark.parametrize("actor", ACTORS)
def test_object_page_matrix(actor, world, as_actor):
    client = as_actor(actor)
    for label, obj in world["objects"].items():
        url = f"/intel/objects/{obj['id']}/"
        response = client.get(url)
        if actor == "anonymous":
            assert_login_redirect(response, url)
            continue
        expected = SEES[actor] or set()
        assert response.status_code == (200 if label in expected else 404), (actor, label)
        if label not in expected:
            assert obj["pattern"].encode() not in response.content
    # An id that does not exist answers like a hidden one.
    if actor != "anonymous":
        missing = client.get("/intel/objects/indicator--00000000-0000-4000-8000-000000000000/")
        assert missing.status_code == 404


def test_object_views_are_audited(world, as_actor):
    client = as_actor("same_network")
    green = world["objects"]["green"]
    before = AuditEvent.objects.filter(action="intel.stixobject.view").count()
    assert client.get(f"/intel/objects/{green['id']}/").status_code == 200
    event = AuditEvent.objects.filter(action="intel.stixobject.view").latest("pk")
    assert AuditEvent.objects.filter(action="intel.stixobject.view").count() == before + 1
    assert event.actor_id == world["people"]["same_network"].pk
    assert event.object_id == str(StixObject.objects.get(stix_id=green["id"]).pk)
    # A refused look (404) is not recorded as a view.
    client.get(f"/intel/objects/{world['objects']['amber']['id']}/")
    assert AuditEvent.objects.filter(action="intel.stixobject.view").count() == before + 1


def test_object_page_versions_badge_and_json(world, as_actor):
    author = world["people"]["author"]
    first = f.indicator("192.0.2.50", label=TLP.GREEN, modified="2026-11-21T08:30:00.000Z")
    second = dict(first, modified="2026-11-23T08:30:00.000Z", name="C2 updated")
    second["object_marking_refs"] = [TLP2_MARKING_IDS[TLP.AMBER]]
    f.post(author, world["collection"], [first, second])
    client = as_actor("same_org")
    response = client.get(f"/intel/objects/{first['id']}/?collection={world['collection'].pk}")
    assert response.status_code == 200
    versions = response.context["versions"]
    assert [v.version for v in versions] == [second["modified"], first["modified"]]
    content = response.content.decode()
    assert "<h1>C2 updated</h1>" in content
    assert 'class="tlp tlp--amber"' in content
    assert "[ipv4-addr:value = &#x27;192.0.2.50&#x27;]" in content
    assert json.loads(response.context["pretty"]) == second
    # The earlier version, chosen from the list.
    older = versions[1]
    response = client.get(f"/intel/objects/{first['id']}/?version={older.pk}")
    assert response.context["current"].pk == older.pk
    assert 'class="tlp tlp--green"' in response.content.decode()
    # Another state's CSIRT sees only the GREEN version: it is the latest for them.
    client = as_actor("same_network")
    response = client.get(f"/intel/objects/{first['id']}/")
    assert [v.version for v in response.context["versions"]] == [first["modified"]]
    assert client.get(f"/intel/objects/{first['id']}/?version={versions[0].pk}").status_code == 404
    # A collection that the object is not in, or not a collection id: 404.
    other = f.collection(title="Other")
    assert client.get(f"/intel/objects/{first['id']}/?collection={other.pk}").status_code == 404
    assert client.get(f"/intel/objects/{first['id']}/?collection=nope").status_code == 404


def test_object_page_relationships_and_reports(world, as_actor):
    objects = f.bundle()
    f.post(world["people"]["author"], world["collection"], objects)
    poison_ivy = next(o for o in objects if o["type"] == "malware" and o["name"] == "Poison Ivy")
    relationships = [
        o
        for o in objects
        if o["type"] == "relationship" and poison_ivy["id"] in (o["source_ref"], o["target_ref"])
    ]
    assert relationships
    report = next(o for o in objects if o["type"] == "report")
    client = as_actor("same_org")
    response = client.get(f"/intel/objects/{poison_ivy['id']}/")
    assert response.status_code == 200
    shown = {item["object"].stix_id for item in response.context["relationships"]}
    assert shown == {o["id"] for o in relationships}
    assert all(item["other_name"] for item in response.context["relationships"])
    assert [r["object"].stix_id for r in response.context["reports"]] == [report["id"]]
    content = response.content.decode()
    assert report["name"] in content
    # The report's page lists its contents by name.
    response = client.get(f"/intel/objects/{report['id']}/")
    assert len(response.context["contents"]) == len(report["object_refs"])
    assert "Poison Ivy" in response.content.decode()
    # A relationship's page names both ends.
    response = client.get(f"/intel/objects/{relationships[0]['id']}/")
    assert [end["id"] for end in response.context["ends"]] == [
        relationships[0]["source_ref"],
        relationships[0]["target_ref"],
    ]
    # Outside the network nothing is related (and the page itself is 404).
    client = as_actor("other_network")
    assert client.get(f"/intel/objects/{poison_ivy['id']}/").status_code == 404


def test_external_references_link_only_to_web_addresses(world, as_actor):
    obj = f.indicator(
        "192.0.2.77",
        external_references=[
            {"source_name": "vendor", "url": "https://example.org/report"},
            {"source_name": "evil", "url": "javascript:alert(1)"},
        ],
    )
    f.post(world["people"]["author"], world["collection"], [obj])
    content = as_actor("same_network").get(f"/intel/objects/{obj['id']}/").content.decode()
    assert 'href="https://example.org/report"' in content
    assert 'href="javascript:' not in content


# --- Filters -----------------------------------------------------------------------------------


def _filtered(user: Any, **params: Any) -> set[str]:
    filterset = StixObjectFilterSet(
        params or None, queryset=StixObject.objects.readable_by(user), request=_req(user)
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("stix_id", flat=True))


def test_filters(world):
    author = world["people"]["author"]
    other_author = f.analyst(world["people"]["same_network"].organization)
    ids = {label: obj["id"] for label, obj in world["objects"].items()}
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc",
        "created": "2026-11-20T12:00:00.000Z",
        "modified": "2026-11-20T12:00:00.000Z",
        "name": 'Black"Widow Loader',
        "is_family": True,
        "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
        "revoked": True,
        "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
    }
    domain = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5",
        "value": "evil.example.com",
        "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
    }
    f.post(other_author, world["collection"], [malware, domain])
    everything = set(ids.values()) | {malware["id"], domain["id"]}
    assert _filtered(author) == everything
    assert _filtered(author, type=["malware"]) == {malware["id"]}
    assert _filtered(author, type=["malware,domain-name"]) == {malware["id"], domain["id"]}
    assert _filtered(author, type=["x-custom-thing"]) == set()
    assert _filtered(author, tlp=[TLP.RED, TLP.AMBER]) == {ids["red"], ids["amber"]}
    assert _filtered(author, created_by_ref=malware["created_by_ref"]) == {malware["id"]}
    assert _filtered(author, organization=[other_author.organization.slug]) == {
        malware["id"],
        domain["id"],
    }
    assert _filtered(author, revoked="true") == {malware["id"]}
    assert _filtered(author, revoked="false") == everything - {malware["id"]}
    # The name: any case, a quote inside it, only in the name (not in the pattern).
    assert _filtered(author, q='black"widow') == {malware["id"]}
    assert _filtered(author, q="C2 198.51.100.1") == set(ids.values())
    assert _filtered(author, q="ipv4-addr") == set()
    # An indicator value: in patterns and observables, not in other objects' names.
    assert _filtered(author, value=GREEN_IP) == {ids["green"]}
    assert _filtered(author, value="EVIL.example.com") == {domain["id"]}
    assert _filtered(author, value="Widow") == set()
    # Dates added.
    today = StixObject.objects.get(stix_id=ids["green"]).date_added.date()
    assert _filtered(author, added_from=today.isoformat()) == everything
    assert _filtered(author, added_to=(today.replace(year=today.year - 1)).isoformat()) == set()
    # The collection filter offers only readable collections.
    hidden = f.collection(read_roles=["national_coordinator"], title="Coordinators")
    request_filterset = StixObjectFilterSet(
        {"collection": str(hidden.pk)}, queryset=StixObject.objects.all(), request=_req(author)
    )
    assert not request_filterset.is_valid()


def _req(user: Any) -> Any:
    class Request:
        pass

    request = Request()
    request.user = user
    return request


def test_latest_versions_by_default(world):
    author, same_network = world["people"]["author"], world["people"]["same_network"]
    first = f.indicator("192.0.2.60", label=TLP.GREEN, modified="2026-11-21T08:30:00.000Z")
    second = dict(first, modified="2026-11-22T08:30:00.000Z")
    red = dict(first, modified="2026-11-23T08:30:00.000Z")
    red["object_marking_refs"] = [TLP2_MARKING_IDS[TLP.RED]]
    f.post(author, world["collection"], [first, second, red])
    rows = StixObject.objects.filter(stix_id=first["id"])
    by_version = {row.version: row.pk for row in rows}

    def versions(user: Any, **params: Any) -> list[str]:
        filterset = StixObjectFilterSet(
            params or None, queryset=StixObject.objects.readable_by(user), request=_req(user)
        )
        pks = set(filterset.qs.filter(stix_id=first["id"]).values_list("pk", flat=True))
        return sorted(v for v, pk in by_version.items() if pk in pks)

    assert versions(author) == [red["modified"]]
    # The RED version hidden from another state's CSIRT does not hide the GREEN one.
    assert versions(same_network) == [second["modified"]]
    assert versions(same_network, versions="all") == [first["modified"], second["modified"]]


def test_collection_page_filters_htmx_and_query_count(world, as_actor):
    client = as_actor("author")
    url = f"/intel/collections/{world['collection'].pk}/"
    response = client.get(url, {"tlp": ["red"]})
    assert {row.stix_id for row in response.context["rows"]} == {world["objects"]["red"]["id"]}
    assert "<h1>" in response.content.decode()
    partial = client.get(url, {"tlp": ["red"]}, headers={"HX-Request": "true"})
    content = partial.content.decode()
    assert content.startswith('<section id="results"')
    assert "<h1>" not in content
    assert partial["Vary"].count("HX-Request") == 1
    bad = client.get(url, {"added_from": "not a date"})
    assert "Some filters were not applied" in bad.content.decode()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    f.post(
        world["people"]["author"],
        world["collection"],
        [f.indicator(f"203.0.113.{n}") for n in range(20)],
    )
    assert queries() == few


def test_search_by_indicator_value(world, as_actor):
    other = f.collection(title="Second collection")
    twin = f.indicator(GREEN_IP, label=TLP.GREEN)
    f.post(world["people"]["author"], other, [twin])
    client = as_actor("same_network")
    response = client.get("/intel/search/")
    assert response.status_code == 200
    assert "Enter a value to search for." in response.content.decode()
    response = client.get("/intel/search/", {"value": GREEN_IP})
    assert {row.stix_id for row in response.context["rows"]} == {
        world["objects"]["green"]["id"],
        twin["id"],
    }
    assert "Second collection" in response.content.decode()
    # What the person may not see is not found.
    response = client.get("/intel/search/", {"value": AMBER_IP})
    assert list(response.context["rows"]) == []
    assert (
        as_actor("other_network")
        .get("/intel/search/", {"value": GREEN_IP})
        .context["page_obj"]
        .paginator.count
        == 0
    )


# --- Upload ------------------------------------------------------------------------------------


def test_upload_stores_valid_objects_and_reports_refusals(
    world, as_actor, django_capture_on_commit_callbacks
):
    client = as_actor("same_network")
    good = f.indicator("203.0.113.90")
    bad = f.indicator("203.0.113.91", pattern="[ipv4-addr:value = ")
    bundle = {
        "type": "bundle",
        "id": "bundle--6b4a9e4c-6f2c-4c5e-9a1b-111111111111",
        "objects": [good, bad, "not an object"],
    }
    upload = SimpleUploadedFile(
        "bundle.json", json.dumps(bundle).encode(), content_type="application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/intel/upload/", {"collection": str(world["collection"].pk), "file": upload}
        )
    ingest = Ingest.objects.get(requested_by=world["people"]["same_network"])
    assert response.status_code == 302
    assert response["Location"] == f"/intel/ingests/{ingest.pk}/"
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.context["ingest"].status == IngestStatus.COMPLETE
    assert "3 received · 1 stored · 2 refused · 0 pending" in content
    assert bad["id"] in content and "pattern" in content
    assert "JSON object" in content
    assert f"/intel/objects/{good['id']}/" in content
    assert StixObject.objects.filter(stix_id=good["id"]).exists()
    assert not StixObject.objects.filter(stix_id=bad["id"]).exists()
    # Only the requester sees the status page; the author of other objects does not.
    client = as_actor("author")
    assert client.get(f"/intel/ingests/{ingest.pk}/").status_code == 404


def test_upload_pasted_envelope_and_whole_upload_faults(
    world, as_actor, django_capture_on_commit_callbacks
):
    client = as_actor("author")
    collection = str(world["collection"].pk)
    page = client.get(f"/intel/upload/?collection={collection}")
    assert page.status_code == 200
    assert page.context["form"].initial["collection"] == world["collection"].pk
    before = Ingest.objects.count()
    faults = {
        "{not json": "The JSON cannot be read",
        "[]": "not a STIX bundle",
        json.dumps(f.indicator("192.0.2.5")): "not a bundle",
        json.dumps({"objects": []}): "has no objects",
        "": "Choose a JSON file or paste the JSON",
    }
    for text, message in faults.items():
        response = client.post("/intel/upload/", {"collection": collection, "text": text})
        assert response.status_code == 200
        assert message in response.content.decode(), text
    assert Ingest.objects.count() == before
    envelope = {"objects": [f.indicator("192.0.2.6")]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/intel/upload/", {"collection": collection, "text": json.dumps(envelope)}
        )
    assert response.status_code == 302
    assert Ingest.objects.latest("requested_at").success_count == 1


def test_upload_only_to_writable_collections(world, as_actor):
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    before = Ingest.objects.count()
    client = as_actor("same_network")
    page = client.get("/intel/upload/")
    offered = list(page.context["form"].fields["collection"].queryset)
    assert offered == [world["collection"]]
    response = client.post(
        "/intel/upload/",
        {"collection": str(read_only.pk), "text": json.dumps({"objects": [f.indicator()]})},
    )
    assert response.status_code == 200
    assert Ingest.objects.count() == before
    # Someone who may write nowhere is told so.
    page = as_actor("other_network").get("/intel/upload/")
    assert "You may not add objects to any collection" in page.content.decode()


def test_pending_ingest_page_polls(world, as_actor):
    client = as_actor("author")
    from cicte.intel import services

    ingest = services.submit(
        actor=world["people"]["author"], collection=world["collection"], objects=[f.indicator()]
    )
    page = client.get(f"/intel/ingests/{ingest.pk}/")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    partial = client.get(f"/intel/ingests/{ingest.pk}/", headers={"HX-Request": "true"})
    assert "<h1>" not in partial.content.decode()
    assert "Pending" in partial.content.decode()


def test_navigation_links_to_intelligence(world, as_actor):
    content = as_actor("same_network").get("/intel/").content.decode()
    assert 'href="/intel/" aria-current="page">Intelligence</a>' in content
