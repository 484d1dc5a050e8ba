"""Every TAXII 2.1 endpoint and error status, through Django's test client."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.core.models import AuditEvent
from cicte.intel.models import Ingest, StixObject
from cicte.intel.tests import factories as f
from cicte.taxii.query import NEXT_SALT
from cicte.taxii.tests.client import (
    TAXII,
    Taxii,
    as_basic,
    as_token,
    collection_url,
    objects_url,
)
from cicte.taxii.views import GROUPS_ROOT

pytestmark = pytest.mark.django_db


def is_taxii(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == TAXII
    return json.loads(response.content) if response.content else {}


def assert_error(response, status: int) -> dict:
    body = is_taxii(response, status)
    assert body["http_status"] == str(status)
    assert body["title"]
    return body


# --- Authentication, scopes, media types -------------------------------------------------------


def test_every_endpoint_requires_authentication(world):
    anonymous = Taxii(Client(), "")
    url = collection_url(world["collection"])
    for path in ("/taxii2/", "/taxii2/csirtamericas/", url, url + "objects/", "/taxii2/nowhere/"):
        response = anonymous.get(path)
        assert_error(response, 401)
        assert response["WWW-Authenticate"] == 'Basic realm="CICTE Platform", Token'
    bad = Taxii(Client(), "Token cicte_not-a-real-token")
    assert_error(bad.get("/taxii2/"), 401)
    wrong = as_basic(world["co"].username, "wrong password")
    assert "WWW-Authenticate" in wrong.get("/taxii2/")


def test_basic_with_password_or_token_and_not_for_accounts_with_a_second_factor(world):
    co = world["co"]
    assert as_basic(co.username, af.PASSWORD).get("/taxii2/").status_code == 200
    _token, secret = af.api_token(co, "intel:read")
    assert as_basic(co.username, secret).get("/taxii2/").status_code == 200
    af.add_totp(co)
    body = assert_error(as_basic(co.username, af.PASSWORD).get("/taxii2/"), 401)
    assert "token" in body["description"]
    assert as_basic(co.username, secret).get("/taxii2/").status_code == 200


def test_token_scopes(world):
    url = objects_url(world["collection"])
    reader = as_token(world["co"], "intel:read")
    assert reader.get(url).status_code == 200
    assert_error(reader.post(url, {"objects": [f.indicator()]}), 403)
    other_module = as_token(world["co"], "accounts:write")
    assert_error(other_module.get(url), 403)


def test_accept_header(world):
    client = as_token(world["co"])
    for accept in (TAXII, "application/taxii+json", "*/*", "application/json, */*;q=0.1", ""):
        assert client.get("/taxii2/", HTTP_ACCEPT=accept).status_code == 200, accept
    for accept in ("application/json", "application/taxii+json;version=2.0", "text/html"):
        assert_error(client.get("/taxii2/", HTTP_ACCEPT=accept), 406)


def test_unknown_addresses_and_methods_answer_in_taxii_format(world):
    client = as_token(world["co"])
    assert_error(client.get("/taxii2/csirtamericas/nothing/here/"), 404)
    assert_error(client.get("/taxii2/no-such-network/"), 404)
    response = client.client.put("/taxii2/", **client.headers())
    assert_error(response, 405)
    assert response["Allow"] == "GET"


# --- Discovery, API roots, collections ---------------------------------------------------------


def test_discovery_lists_the_roots_with_readable_collections(world):
    body = is_taxii(as_token(world["co"]).get("/taxii2/"), 200)
    assert body["title"]
    assert body["api_roots"] == [
        "http://testserver/taxii2/csirtamericas/",
        f"http://testserver/taxii2/{GROUPS_ROOT}/",
    ]
    assert body["default"] == body["api_roots"][0]
    outsider = is_taxii(as_token(world["outsider"]).get("/taxii2/"), 200)
    assert outsider["api_roots"] == [f"http://testserver/taxii2/{GROUPS_ROOT}/"]


def test_api_root_information(world, settings):
    settings.TAXII_MAX_CONTENT_LENGTH = 12345
    client = as_token(world["co"])
    body = is_taxii(client.get("/taxii2/csirtamericas/"), 200)
    assert body["versions"] == [TAXII]
    assert body["max_content_length"] == 12345
    assert body["title"] == "CSIRTAmericas (national CSIRTs)"
    groups = is_taxii(client.get(f"/taxii2/{GROUPS_ROOT}/"), 200)
    assert groups["versions"] == [TAXII]


def test_collections_and_rights(world):
    read_only = f.collection(write_roles=["national_coordinator"], title="Advisories")
    closed = f.collection(read_roles=["national_coordinator"], title="Coordinators only")
    client = as_token(world["mx"])
    body = is_taxii(client.get("/taxii2/csirtamericas/collections/"), 200)
    listed = {c["id"]: c for c in body["collections"]}
    assert set(listed) == {str(world["collection"].pk), str(read_only.pk)}
    assert listed[str(world["collection"].pk)] == {
        "id": str(world["collection"].pk),
        "title": "Indicators",
        "can_read": True,
        "can_write": True,
        "media_types": ["application/stix+json;version=2.1"],
    }
    assert listed[str(read_only.pk)]["can_write"] is False
    detail = is_taxii(client.get(collection_url(read_only)), 200)
    assert (detail["can_read"], detail["can_write"]) == (True, False)
    # A collection one may not read, one of another root, or no collection: 404.
    assert_error(client.get(collection_url(closed)), 404)
    assert_error(client.get(collection_url(closed) + "objects/"), 404)
    assert_error(client.get(collection_url(world["collection"], GROUPS_ROOT)), 404)
    assert_error(client.get("/taxii2/csirtamericas/collections/not-a-uuid/"), 404)
    # The outsider sees no collection of CSIRTAmericas at all.
    outsider = as_token(world["outsider"])
    assert is_taxii(outsider.get("/taxii2/csirtamericas/collections/"), 200) == {}
    assert_error(outsider.get(collection_url(world["collection"])), 404)


def test_sharing_group_root(world):
    group = f.collection(
        None, organizations=[world["co"].organization, world["mx"].organization], title="Pair"
    )
    f.post(world["co"], group, [f.indicator("203.0.113.50", label=TLP.AMBER)])
    mx = as_token(world["mx"])
    body = is_taxii(mx.get(f"/taxii2/{GROUPS_ROOT}/collections/"), 200)
    assert [c["id"] for c in body["collections"]] == [str(group.pk)]
    assert len(is_taxii(mx.get(objects_url(group, GROUPS_ROOT)), 200)["objects"]) == 1
    assert_error(mx.get(objects_url(group)), 404)  # not under a network's root
    assert_error(as_token(world["outsider"]).get(objects_url(group, GROUPS_ROOT)), 404)


# --- Get objects: envelope, filters, headers ---------------------------------------------------


def test_get_objects_returns_them_exactly_as_posted(world):
    objects = f.bundle()
    f.post(world["co"], world["collection"], objects)
    response = as_token(world["co"]).get(objects_url(world["collection"]), {"limit": 1000})
    body = is_taxii(response, 200)
    assert body["more"] is False and "next" not in body
    assert body["objects"] == objects
    stored = StixObject.objects.filter(collection=world["collection"]).order_by("date_added")
    first, last = stored.first(), stored.last()
    assert response["X-TAXII-Date-Added-First"] == first.date_added.strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    assert response["X-TAXII-Date-Added-Last"] == last.date_added.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_empty_collection(world):
    response = as_token(world["co"]).get(objects_url(world["collection"]))
    assert is_taxii(response, 200) == {"more": False, "objects": []}
    assert "X-TAXII-Date-Added-First" not in response


def test_filters(world):
    target = world["collection"]
    one = f.indicator("192.0.2.1", modified="2026-11-21T08:30:00.000Z")
    two = dict(one, modified="2026-11-22T08:30:00.000Z", name="second")
    three = dict(one, modified="2026-11-23T08:30:00.000Z", name="third")
    other = f.indicator("192.0.2.2")
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
        "created": "2026-11-20T12:00:00.000Z",
        "modified": "2026-11-20T12:00:00.000Z",
        "name": "Poison Ivy",
        "is_family": True,
        "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
    }
    f.post(world["co"], target, [one, other])
    f.post(world["co"], target, [three, malware])
    f.post(world["co"], target, [two])  # an older version, added last
    client = as_token(world["co"])
    url = objects_url(target)

    def got(params=None):
        body = is_taxii(client.get(url, params or {}), 200)
        return [(o["id"], o.get("modified")) for o in body["objects"]]

    # Default: the last version of each object, sorted by date_added.
    assert got() == [
        (other["id"], other["modified"]),
        (one["id"], three["modified"]),
        (malware["id"], malware["modified"]),
    ]
    assert got({"match[version]": "first"}) == [(one["id"], one["modified"]), got()[0], got()[2]]
    assert len(got({"match[version]": "all"})) == 5
    assert got({"match[version]": "first,last", "match[id]": one["id"]}) == [
        (one["id"], one["modified"]),
        (one["id"], three["modified"]),
    ]
    assert got({"match[version]": "2026-11-22T08:30:00Z"}) == [(one["id"], two["modified"])]
    assert got({"match[type]": "malware"}) == [(malware["id"], malware["modified"])]
    assert got({"match[type]": "malware,indicator", "match[version]": "all"}) == got(
        {"match[version]": "all"}
    )
    assert got({"match[id]": f"{other['id']},{malware['id']}"}) == [
        (other["id"], other["modified"]),
        (malware["id"], malware["modified"]),
    ]
    assert got({"match[spec_version]": "2.0"}) == []
    assert got({"match[spec_version]": "2.1"}) == got()
    rows = list(StixObject.objects.order_by("date_added").values_list("stix_id", "date_added"))
    after = rows[1][1].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert got({"added_after": after, "match[version]": "all"}) == [
        (one["id"], three["modified"]),
        (malware["id"], malware["modified"]),
        (one["id"], two["modified"]),
    ]
    # Bad filters: 400.
    for params in (
        {"added_after": "yesterday"},
        {"limit": "0"},
        {"limit": "ten"},
        {"match[version]": "newest"},
        {"next": "forged"},
    ):
        assert_error(client.get(url, params), 400)


def test_limit_is_capped(world, settings):
    settings.TAXII_MAX_PAGE_SIZE = 2
    f.post(world["co"], world["collection"], [f.indicator(f"192.0.2.{i}") for i in range(3)])
    body = is_taxii(as_token(world["co"]).get(objects_url(world["collection"]), {"limit": 50}), 200)
    assert len(body["objects"]) == 2 and body["more"] is True and body["next"]


# --- Pagination --------------------------------------------------------------------------------


def test_walking_a_collection_while_others_post_sees_every_version_once(world):
    target = world["collection"]
    posted = [f.indicator(f"198.51.100.{i}") for i in range(7)]
    f.post(world["co"], target, posted)
    client = as_token(world["mx"])
    seen: list[tuple[str, str]] = []
    params: dict[str, str] = {"limit": "3", "match[version]": "all"}
    rounds = 0
    while True:
        body = is_taxii(client.get(objects_url(target), params), 200)
        seen += [(o["id"], o["modified"]) for o in body["objects"]]
        if rounds < 3:
            # Meanwhile: new objects, and new versions of objects already served.
            fresh = [f.indicator(f"203.0.113.{rounds}")]
            newer = dict(posted[rounds], modified=f"2026-12-0{rounds + 1}T00:00:00.000Z")
            f.post(world["co"], target, [*fresh, newer])
            posted.append(fresh[0])
            posted.append(newer)
        rounds += 1
        if not body["more"]:
            break
        params["next"] = body["next"]
    expected = [(o["id"], o["modified"]) for o in posted]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 13


def test_next_tokens_are_bound_to_their_request(world):
    target = world["collection"]
    f.post(world["co"], target, [f.indicator(f"192.0.2.{i}") for i in range(4)])
    co = as_token(world["co"])
    url = objects_url(target)
    token = is_taxii(co.get(url, {"limit": 2}), 200)["next"]
    # The same filters (another limit is fine) continue.
    assert len(is_taxii(co.get(url, {"limit": 5, "next": token}), 200)["objects"]) == 2
    # Other filters, another endpoint, another user, a tampered or forged token: 400.
    assert_error(co.get(url, {"next": token, "match[type]": "indicator"}), 400)
    assert_error(co.get(collection_url(target) + "manifest/", {"next": token}), 400)
    assert_error(as_token(world["mx"]).get(url, {"next": token}), 400)
    assert_error(co.get(url, {"next": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")}), 400)
    forged = signing.dumps(["2000-01-01T00:00:00+00:00", 1, "x"], salt="another salt")
    assert_error(co.get(url, {"next": forged}), 400)
    unbound = signing.dumps(["2000-01-01T00:00:00+00:00", 1, "x"], salt=NEXT_SALT)
    assert_error(co.get(url, {"next": unbound}), 400)


def test_expired_next_token(world, settings):
    f.post(world["co"], world["collection"], [f.indicator(f"192.0.2.{i}") for i in range(3)])
    client = as_token(world["co"])
    url = objects_url(world["collection"])
    token = is_taxii(client.get(url, {"limit": 1}), 200)["next"]
    settings.TAXII_NEXT_MAX_AGE = -1
    body = assert_error(client.get(url, {"limit": 1, "next": token}), 400)
    assert "expired" in body["description"]


# --- Visibility --------------------------------------------------------------------------------


def test_tlp_red_and_amber_of_others_are_never_listed_counted_or_revealed(world):
    target = world["collection"]
    green = f.indicator("198.51.100.1", label=TLP.GREEN)
    amber = f.indicator("198.51.100.2", label=TLP.AMBER)
    red = f.indicator("198.51.100.3", label=TLP.RED)
    f.post(world["co"], target, [green, amber, red])
    # A later RED version of the GREEN object: invisible to others, and it does not hide the
    # version they may see.
    hidden_newer = dict(
        green, modified="2026-12-01T00:00:00.000Z", object_marking_refs=red["object_marking_refs"]
    )
    f.post(world["co"], target, [hidden_newer])
    mx, co2 = as_token(world["mx"]), as_token(world["co2"])
    url = objects_url(target)

    def ids(client, path=url, params=None):
        body = is_taxii(
            client.get(path, {"match[version]": "all"} if params is None else params), 200
        )
        return [o["id"] for o in body["objects"]]

    assert ids(mx) == [green["id"]]
    assert ids(mx, params={}) == [green["id"]]  # its last visible version
    assert ids(co2) == [green["id"], amber["id"]]
    manifest = is_taxii(mx.get(collection_url(target) + "manifest/"), 200)
    assert [m["id"] for m in manifest["objects"]] == [green["id"]]
    assert manifest["objects"][0]["version"] == green["modified"]
    versions = is_taxii(mx.get(f"{url}{green['id']}/versions/"), 200)
    assert versions == {"more": False, "versions": [green["modified"]]}
    for client, hidden in ((mx, red), (mx, amber), (co2, red)):
        assert_error(client.get(f"{url}{hidden['id']}/"), 404)
        assert_error(client.get(f"{url}{hidden['id']}/versions/"), 404)
        assert_error(client.delete(f"{url}{hidden['id']}/"), 404)
    assert ids(mx, params={"match[version]": hidden_newer["modified"]}) == []
    # The author sees all of it.
    assert ids(as_token(world["co"]), params={}) == [amber["id"], red["id"], green["id"]]


# --- Add objects -------------------------------------------------------------------------------


def test_add_objects(world, django_capture_on_commit_callbacks):
    target = world["collection"]
    objects = f.bundle()
    bad = f.indicator("192.0.2.77", pattern="[ipv4-addr:value = ")
    client = as_token(world["co"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(objects_url(target), {"objects": [*objects, bad]})
    body = is_taxii(response, 202)
    assert body["status"] == "pending"
    assert body["total_count"] == len(objects) + 1
    status = is_taxii(client.get(f"/taxii2/csirtamericas/status/{body['id']}/"), 200)
    assert status["status"] == "complete"
    assert (status["success_count"], status["failure_count"], status["pending_count"]) == (
        len(objects),
        1,
        0,
    )
    assert len(status["successes"]) == len(objects)
    assert status["failures"][0]["id"] == bad["id"]
    assert "pattern" in status["failures"][0]["message"]
    assert status["request_timestamp"].endswith("Z")
    assert AuditEvent.objects.filter(action="intel.ingest_submit").exists()
    # Only the requester sees a status, and only under its own root.
    assert_error(as_token(world["co2"]).get(f"/taxii2/csirtamericas/status/{body['id']}/"), 404)
    assert_error(client.get(f"/taxii2/{GROUPS_ROOT}/status/{body['id']}/"), 404)
    assert_error(client.get("/taxii2/csirtamericas/status/not-a-uuid/"), 404)


def test_pending_status_lists_pendings(world):
    client = as_token(world["co"])
    obj = f.indicator()
    # Without the commit callbacks the worker never runs: the ingest stays pending.
    body = is_taxii(client.post(objects_url(world["collection"]), {"objects": [obj]}), 202)
    assert body["status"] == "pending"
    assert body["pendings"] == [{"id": obj["id"], "version": obj["modified"]}]


def test_add_objects_errors(world, settings):
    target = world["collection"]
    client = as_token(world["co"])
    url = objects_url(target)
    envelope = {"objects": [f.indicator()]}
    assert_error(client.post(url, envelope, content_type="application/json"), 415)
    assert_error(client.post(url, envelope, content_type="application/taxii+json;version=2.0"), 415)
    assert_error(client.post(url, b"{not json", content_type=TAXII), 400)
    assert_error(client.post(url, b"\xff\xfe", content_type=TAXII), 400)
    for not_envelope in ([1, 2], {"objects": "none"}, {"type": "indicator"}, "text"):
        assert_error(client.post(url, json.dumps(not_envelope)), 422)
    settings.TAXII_MAX_CONTENT_LENGTH = 100
    big = {"objects": [f.indicator()]}
    assert_error(client.post(url, big), 413)
    # A lying Content-Length does not get past the limit either.
    response = client.post(url, big, CONTENT_LENGTH="50")
    assert response.status_code in (400, 413)
    settings.TAXII_MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    # No write right: 403 for a reader; an unreadable collection: 404.
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    assert_error(client.post(objects_url(read_only), envelope), 403)
    assert_error(as_token(world["outsider"]).post(url, envelope), 404)
    assert not Ingest.objects.exists()
    # The charset parameter is fine.
    response = client.post(url, envelope, content_type=TAXII + "; charset=utf-8")
    assert response.status_code == 202


def test_bundles_are_accepted_as_envelopes(world, django_capture_on_commit_callbacks):
    bundle = {"type": "bundle", "id": "bundle--8e2d5bb8-6d8f-4e66-9a7e-3e3c1e4d2d10"}
    bundle["objects"] = [f.indicator()]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_token(world["co"]).post(objects_url(world["collection"]), bundle)
    assert is_taxii(response, 202)["total_count"] == 1


# --- One object, versions, delete --------------------------------------------------------------


def test_get_object_and_versions(world):
    target = world["collection"]
    one = f.indicator("192.0.2.1", modified="2026-11-21T08:30:00.000Z")
    two = dict(one, modified="2026-11-22T08:30:00.000Z")
    f.post(world["co"], target, [one])
    f.post(world["co"], target, [two])
    client = as_token(world["mx"])
    url = f"{objects_url(target)}{one['id']}/"
    assert is_taxii(client.get(url), 200)["objects"] == [two]
    assert is_taxii(client.get(url, {"match[version]": "all"}), 200)["objects"] == [one, two]
    assert is_taxii(client.get(url, {"match[version]": "first"}), 200)["objects"] == [one]
    page = is_taxii(client.get(url, {"match[version]": "all", "limit": 1}), 200)
    assert page["objects"] == [one] and page["more"]
    rest = is_taxii(client.get(url, {"match[version]": "all", "next": page["next"]}), 200)
    assert rest["objects"] == [two] and rest["more"] is False
    response = client.get(url + "versions/")
    assert is_taxii(response, 200) == {
        "more": False,
        "versions": [one["modified"], two["modified"]],
    }
    assert response["X-TAXII-Date-Added-First"] < response["X-TAXII-Date-Added-Last"]
    limited = is_taxii(client.get(url + "versions/", {"limit": 1}), 200)
    assert limited["versions"] == [one["modified"]] and limited["more"] and limited["next"]
    assert_error(client.get(f"{objects_url(target)}indicator--nope/"), 404)


def test_manifest(world):
    target = world["collection"]
    objects = f.bundle()
    f.post(world["co"], target, objects)  # unmarked: the collection's TLP:AMBER
    assert is_taxii(as_token(world["mx"]).get(collection_url(target) + "manifest/"), 200) == {
        "more": False,
        "objects": [],
    }
    client = as_token(world["co2"])
    body = is_taxii(client.get(collection_url(target) + "manifest/", {"limit": 5}), 200)
    assert body["more"] is True and body["next"]
    assert [m["id"] for m in body["objects"]] == [o["id"] for o in objects[:5]]
    first = body["objects"][0]
    assert first["media_type"] == "application/stix+json;version=2.1"
    assert first["version"] == objects[0].get("modified", objects[0].get("created"))
    assert first["date_added"].endswith("Z")
    typed = is_taxii(
        client.get(collection_url(target) + "manifest/", {"match[type]": "malware"}), 200
    )
    assert {m["id"] for m in typed["objects"]} == {
        o["id"] for o in objects if o["type"] == "malware"
    }


def test_delete_object(world):
    target = world["collection"]
    one = f.indicator("192.0.2.1", modified="2026-11-21T08:30:00.000Z")
    two = dict(one, modified="2026-11-22T08:30:00.000Z")
    f.post(world["co"], target, [one, two])
    url = f"{objects_url(target)}{one['id']}/"
    # Another state's CSIRT sees the object but may not delete what it did not add.
    assert_error(as_token(world["mx"]).delete(url), 403)
    # A token that may only read: 403.
    assert_error(as_token(world["co2"], "intel:read").delete(url), 403)
    # No such version: 404.
    client = as_token(world["co2"])
    assert_error(client.delete(url, "match[version]=2020-01-01T00:00:00.000Z"), 404)
    response = client.delete(url, f"match[version]={one['modified']}")
    assert response.status_code == 200
    assert list(StixObject.objects.values_list("version", flat=True)) == [two["modified"]]
    assert AuditEvent.objects.filter(action="intel.objects_delete").exists()
    assert client.delete(url).status_code == 200
    assert not StixObject.objects.exists()
    assert_error(client.delete(url), 404)
