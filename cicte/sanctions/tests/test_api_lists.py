"""The sanctions lists through the REST API: lists, versions with their changes, entries with
their filters, one entry as FtM JSON; the subscriptions' CRUD and the notifications. Tokens need
sanctions:read to read and sanctions:write to write; a new version shows at once."""

from __future__ import annotations

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.sanctions import services
from cicte.sanctions.models import ListSubscription, ListVersion
from cicte.sanctions.tests.helpers import edited, import_un, new_entity, small_un_xml
from cicte.sanctions.tests.notify_helpers import bank_with_admin, domestic_import

pytestmark = pytest.mark.django_db
API = "/api/sanctions"


def _client(user, *scopes):
    _token, secret = af.api_token(user, *scopes)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


@pytest.fixture
def two_versions():
    import_un(small_un_xml())
    modified = edited(
        small_un_xml(),
        remove="CDi.002",
        rename=("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERICK</FIRST_NAME>"),
        add=new_entity("QDe.999", "NEW FRONT"),
    )
    return import_un(modified, name="un-2.xml").version


def test_lists_and_a_list(two_versions, django_assert_num_queries):
    services.ensure_official_list("ofac")
    reader = _client(af.UserFactory(), "sanctions:read")
    reader.get(f"{API}/lists/")  # the token's first use is audited
    # The token, the person's roles (a domestic list before its first publication is its
    # officials'), the lists with their counts, their last versions.
    with django_assert_num_queries(4):
        response = reader.get(f"{API}/lists/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["key"] for item in body] == ["ofac", "un"]
    un = body[1]
    assert un["title"] == "United Nations Security Council Consolidated List"
    assert un["kind"] == "official" and un["member_state"] is None
    assert un["entity_count"] == 25
    assert un["current_version"]["number"] == 2
    assert un["current_version"]["added"] == 1 and un["current_version"]["removed"] == 1
    assert un["url"].endswith("/api/sanctions/lists/un/")
    assert body[0]["current_version"] is None and body[0]["entity_count"] == 0

    domestic_import(af.secretariat_admin(), "CO", ["JUAN PEREZ"])
    with django_assert_num_queries(4):
        assert len(reader.get(f"{API}/lists/").json()) == 3

    detail = reader.get(f"{API}/lists/un/")
    assert detail.status_code == 200 and detail.json() == un
    assert reader.get(f"{API}/lists/zz/").status_code == 404


def test_versions_and_a_version_with_its_changes(two_versions):
    reader = _client(af.UserFactory(), "sanctions:read")
    versions = reader.get(f"{API}/lists/un/versions/").json()
    assert versions["count"] == 2
    assert [v["number"] for v in versions["results"]] == [2, 1]
    assert versions["results"][1]["added"] == 25

    response = reader.get(f"{API}/lists/un/versions/2/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["number"] == 2 and body["count"] == 3
    kinds = {change["kind"]: change for change in body["results"]}
    assert set(kinds) == {"added", "amended", "removed"}
    assert kinds["amended"]["source_id"] == "CDi.001"
    assert kinds["amended"]["diff"]["name"] == [["ERIC BADEGE"], ["ERICK BADEGE"]]
    assert kinds["added"]["ftm_id"] == "un-qde-999"

    page = reader.get(f"{API}/lists/un/versions/1/?limit=10&offset=20").json()
    assert page["count"] == 25 and len(page["results"]) == 5 and page["next"] is None
    only = reader.get(f"{API}/lists/un/versions/2/?kind=removed").json()
    assert [c["source_id"] for c in only["results"]] == ["CDi.002"]
    bad = reader.get(f"{API}/lists/un/versions/2/?kind=deleted")
    assert bad.status_code == 400
    assert bad.json()["detail"]["kind"] == ["Choose added, amended or removed."]
    assert reader.get(f"{API}/lists/un/versions/9/").status_code == 404


def test_entities_with_their_filters(two_versions, django_assert_num_queries):
    reader = _client(af.UserFactory(), "sanctions:read")
    reader.get(f"{API}/lists/un/entities/?limit=1")  # the token's first use is audited
    # The token, the person's roles, the list, the count, the page (with its versions).
    with django_assert_num_queries(5):
        body = reader.get(f"{API}/lists/un/entities/?limit=100").json()
    assert body["count"] == 25  # listed now: one removed, one added
    ids = {row["source_id"] for row in body["results"]}
    assert "CDi.002" not in ids and "QDe.999" in ids
    row = next(r for r in body["results"] if r["source_id"] == "CDi.001")
    assert row == {
        "id": "un-cdi-001",
        "schema": "Person",
        "caption": "ERICK BADEGE",
        "source_id": "CDi.001",
        "first_version": 1,
        "last_changed_version": 2,
        "removed_in": None,
    }

    found = reader.get(f"{API}/lists/un/entities/?q=erick").json()
    assert [r["source_id"] for r in found["results"]] == ["CDi.001"]
    assert reader.get(f"{API}/lists/un/entities/?q=cdi.001").json()["count"] == 1

    since = reader.get(f"{API}/lists/un/entities/?changed_since=1").json()
    assert {(r["source_id"], r["removed_in"]) for r in since["results"]} == {
        ("CDi.001", None),
        ("CDi.002", 2),
        ("QDe.999", None),
    }
    assert reader.get(f"{API}/lists/un/entities/?changed_since=2").json()["count"] == 0
    first = ListVersion.objects.get(number=1).imported_at
    by_time = reader.get(f"{API}/lists/un/entities/", {"changed_since": first.isoformat()}).json()
    assert by_time["count"] == 3
    bad = reader.get(f"{API}/lists/un/entities/?changed_since=yesterday")
    assert bad.status_code == 400
    assert "version number" in bad.json()["detail"]["changed_since"][0]


def test_one_entity_as_ftm_json_with_its_related_entities(two_versions):
    reader = _client(af.UserFactory(), "sanctions:read")
    body = reader.get(f"{API}/lists/un/entities/un-cdi-001/").json()
    assert body["id"] == "un-cdi-001" and body["schema"] == "Person"
    assert body["properties"]["name"] == ["ERICK BADEGE"]
    assert body["properties"]["birthDate"] == ["1971"]
    assert [r["schema"] for r in body["related"]] == ["Address", "Sanction"]
    assert body["related"][1]["properties"]["entity"] == ["un-cdi-001"]
    removed = reader.get(f"{API}/lists/un/entities/un-cdi-002/").json()
    assert removed["removed_in"] == 2
    assert reader.get(f"{API}/lists/un/entities/nope/").status_code == 404


def test_a_new_version_shows_at_once_and_scopes_are_enforced(two_versions):
    user = af.UserFactory()
    reader = _client(user, "sanctions:read")
    assert reader.get(f"{API}/lists/un/").json()["current_version"]["number"] == 2
    import_un(edited(small_un_xml(), add=new_entity("QDe.998", "LATER FRONT")), name="un-3.xml")
    assert reader.get(f"{API}/lists/un/").json()["current_version"]["number"] == 3
    assert reader.get(f"{API}/lists/un/entities/?q=later front").json()["count"] == 1

    assert Client().get(f"{API}/lists/").status_code == 401
    other_scope = _client(user, "advisories:read")
    assert other_scope.get(f"{API}/lists/").status_code == 403
    assert other_scope.get(f"{API}/lists/un/entities/").status_code == 403
    # The screening endpoint still answers.
    response = reader.post(
        f"{API}/screen/", {"name": "Eric Badege"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_subscriptions_through_the_api(two_versions):
    bank, admin = bank_with_admin()
    other, other_admin = bank_with_admin("other-bank")
    theirs, _secret = services.create_subscription(
        actor=other_admin, organization=other, name="Theirs", emails=["x@other.example.org"]
    )
    writer = _client(admin, "sanctions:write")
    response = writer.post(
        f"{API}/subscriptions/",
        {
            "name": "Compliance",
            "lists": ["un"],
            "emails": ["compliance@bank.example.org"],
            "webhook_url": "https://hooks.bank.example.org/x",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization"] == "bank" and body["lists"] == ["un"]
    assert body["language"] == "en" and body["is_active"] is True
    assert body["webhook_secret"].startswith("whsec_")
    created = ListSubscription.objects.get(pk=body["id"])
    assert created.webhook.secret == body["webhook_secret"]

    listed = writer.get(f"{API}/subscriptions/").json()
    assert [s["name"] for s in listed["results"]] == ["Compliance"]
    assert "webhook_secret" not in listed["results"][0]
    assert writer.get(f"{API}/subscriptions/{theirs.pk}/").status_code == 404
    assert writer.delete(f"{API}/subscriptions/{theirs.pk}/").status_code == 404

    changed = writer.patch(
        f"{API}/subscriptions/{created.pk}/", {"lists": []}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["lists"] == [] and changed.json()["webhook_secret"] is None
    assert changed.json()["emails"] == ["compliance@bank.example.org"]

    bad = writer.post(
        f"{API}/subscriptions/",
        {"name": "X", "emails": ["nope"], "lists": ["zz"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["detail"]["lists"] == ["No sanctions list with the key zz."]
    bad = writer.post(
        f"{API}/subscriptions/", {"name": "X", "emails": ["nope"]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["detail"]["emails"] == ["nope is not a valid email address."]
    bad = writer.post(
        f"{API}/subscriptions/",
        {"name": "X", "emails": ["a@b.example.org"], "organization": "other-bank"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "organization" in bad.json()["detail"]

    reader = _client(admin, "sanctions:read")
    refused = reader.post(
        f"{API}/subscriptions/",
        {"name": "X", "emails": ["a@b.org"]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    member = _client(af.UserFactory(organization=bank), "sanctions:write")
    refused = member.post(
        f"{API}/subscriptions/",
        {"name": "X", "emails": ["a@b.org"]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert writer.delete(f"{API}/subscriptions/{created.pk}/").status_code == 204
    assert not ListSubscription.objects.filter(pk=created.pk).exists()


def test_notifications_through_the_api(django_capture_on_commit_callbacks):
    bank, admin = bank_with_admin()
    services.create_subscription(
        actor=admin, organization=bank, name="Compliance", emails=["c@bank.example.org"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_un(small_un_xml())
    body = _client(admin, "sanctions:read").get(f"{API}/notifications/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["list"] == "un" and row["version"] == 1 and row["organization"] == "bank"
    assert row["email_sent_at"] is not None and row["email_delay_seconds"] >= 0
    assert row["webhook_status"] is None and row["webhook_delay_seconds"] is None
    stranger = _client(af.UserFactory(), "sanctions:read")
    assert stranger.get(f"{API}/notifications/").json()["count"] == 0
