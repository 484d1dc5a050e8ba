"""The directory API: the authorization matrix {anonymous, member of another network, member of
the same network from another state, the designating state's coordinator, Secretariat} x
{list, detail}, with status codes and no leaks (ids absent, sensitive fields absent where the
network's policy hides them); the stale flag; constant query counts; writes through the
services with the accounts API's error conventions; token scopes."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pysequoia
import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cicte.accounts.models import Organization, User
from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory.choices import DesignationStatus
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db

NETWORK = "aviation-security"  # sensitive fields: members of the designating state only
NOT_FOUND = {"error": "Not found.", "detail": None}
FORBIDDEN = {"error": "You do not have permission to do this.", "detail": None}
NO_CREDENTIALS = {"error": "Authentication credentials were not provided.", "detail": None}
MOBILE = "+5491155550101"
HOTLINE = "+541143426099"
PERSONAL = "ana.personal@example.net"


@dataclass
class World:
    organization: Organization  # an Argentine airport security police
    contact: Contact
    designation: ContactDesignation
    fingerprint: str
    users: dict[str, Any]  # None for the anonymous visitor


def build_world() -> World:
    """An Argentine contact designated to the aviation security network, and one person of each
    kind of the matrix."""
    admin = af.secretariat_admin(username="secretariat")
    organization = af.OrganizationFactory(
        name="Policía de Seguridad Aeroportuaria", slug="psa-ar", member_state=af.state("AR")
    )
    cert = pysequoia.Cert.generate("Ana Duty <ana@psa.example.org>")
    contact = df.contact(
        organization,
        actor=admin,
        name="Ana Gómez",
        title="Jefa de guardia",
        languages=["es", "en"],
        time_zone="America/Argentina/Buenos_Aires",
        phones=[
            {"kind": "office", "number": "+54 11 4342-6000"},
            {"kind": "mobile", "number": "+54 9 11 5555-0101"},
            {"kind": "24_7", "number": "+54 11 4342-6099"},
        ],
        emails=[
            {"kind": "institutional", "address": "ana@psa.example.org"},
            {"kind": "personal", "address": PERSONAL},
        ],
        pgp_key=str(cert),
    )
    designation = df.designation(contact, NETWORK, "focal_point", actor=admin)

    other_network_org = af.OrganizationFactory(member_state=af.state("BR"))
    af.join(other_network_org, "unscr-1540")
    same_network_org = af.OrganizationFactory(member_state=af.state("BR"))
    af.join(same_network_org, NETWORK)
    users: dict[str, Any] = {
        "anonymous": None,
        "other_network": af.UserFactory(username="other-network", organization=other_network_org),
        "same_network": af.UserFactory(username="same-network", organization=same_network_org),
        "coordinator": af.national_coordinator("AR", NETWORK, username="coordinator"),
        "secretariat": admin,
    }
    return World(
        organization=organization,
        contact=contact,
        designation=designation,
        fingerprint=cert.fingerprint.upper(),
        users=users,
    )


@pytest.fixture
def world() -> World:
    return build_world()


def token_client(user: User | None, *scopes: str) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, secret = af.api_token(user, *(scopes or ("directory:write",)))
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def events() -> int:
    """Audit events, leaving out the first use of each token (recorded once an hour)."""
    return AuditEvent.objects.exclude(action="accounts.token.use").count()


def _ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- The matrix ------------------------------------------------------------------------------

#              list  listed  detail contact sensitive
EXPECTED = {
    "anonymous": (401, False, 401, 401, False),
    "other_network": (200, False, 404, 404, False),
    "same_network": (200, True, 200, 200, False),
    "coordinator": (200, True, 200, 200, True),
    "secretariat": (200, True, 200, 200, True),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_designation_matrix(world: World, who: str) -> None:
    list_status, listed, detail_status, contact_status, sensitive = EXPECTED[who]
    client = token_client(world.users[who])
    pk = world.designation.pk

    response = client.get("/api/directory/designations/")
    assert response.status_code == list_status
    if list_status == 200:
        assert (pk in _ids(response)) is listed
        if not listed:
            assert response.json()["count"] == 0
            assert "Ana" not in response.content.decode()
    else:
        assert response.json() == NO_CREDENTIALS

    response = client.get(f"/api/directory/designations/{pk}/")
    assert response.status_code == detail_status
    if detail_status == 200:
        body = response.json()
        assert body["network"] == NETWORK
        assert body["member_state"] == "AR"
        assert body["role"] == "focal_point"
        assert body["status"] == "active"
        assert body["stale"] is False
        assert body["contact"]["organization"] == "psa-ar"
        assert body["contact"]["languages"] == ["en", "es"]
        _assert_sensitive(world, body["contact"], response.content.decode(), sensitive)
    elif detail_status == 404:
        assert response.json() == NOT_FOUND
    # An id that does not exist answers exactly like a hidden one.
    missing = client.get("/api/directory/designations/999999/")
    assert missing.status_code == (401 if who == "anonymous" else 404)

    views = AuditEvent.objects.filter(action="directory.contact.view").count()
    response = client.get(f"/api/directory/contacts/{world.contact.pk}/")
    assert response.status_code == contact_status
    if contact_status == 200:
        _assert_sensitive(world, response.json(), response.content.decode(), sensitive)
        event = AuditEvent.objects.filter(action="directory.contact.view").latest("id")
        assert event.actor_id == world.users[who].pk
        assert event.object_id == str(world.contact.pk)
        assert event.subject_member_state_id == af.state("AR").pk
        assert AuditEvent.objects.filter(action="directory.contact.view").count() == views + 1
    else:
        assert AuditEvent.objects.filter(action="directory.contact.view").count() == views
        if contact_status == 404:
            assert response.json() == NOT_FOUND


def _assert_sensitive(world: World, contact: dict[str, Any], raw: str, sensitive: bool) -> None:
    kinds = sorted(phone["kind"] for phone in contact["phones"])
    emails = sorted(email["address"] for email in contact["emails"])
    assert contact["sensitive_included"] is sensitive
    if sensitive:
        assert kinds == ["24_7", "mobile", "office"]
        assert emails == sorted(["ana@psa.example.org", PERSONAL])
        assert contact["pgp"]["fingerprint"] == world.fingerprint
        assert contact["pgp"]["key"].startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        assert contact["secure_channels"] == []
    else:
        assert kinds == ["office"]
        assert emails == ["ana@psa.example.org"]
        assert contact["pgp"] is None
        for secret in (MOBILE, HOTLINE, PERSONAL, world.fingerprint, "PGP PUBLIC KEY"):
            assert secret not in raw


def test_same_state_member_of_the_network_sees_sensitive_fields(world: World) -> None:
    # The network's policy is "same state": an Argentine member sees what a Brazilian does not.
    org = af.OrganizationFactory(member_state=af.state("AR"))
    af.join(org, NETWORK)
    response = token_client(af.UserFactory(organization=org)).get(
        f"/api/directory/designations/{world.designation.pk}/"
    )
    assert response.status_code == 200
    assert response.json()["contact"]["sensitive_included"] is True


def test_pending_designations_are_seen_by_their_state_coordinator_and_the_secretariat(
    world: World,
) -> None:
    coordinator = af.national_coordinator("AR", "inter-american-network-against-terrorism")
    pending = df.designation(
        world.contact, "inter-american-network-against-terrorism", "national_poc", actor=coordinator
    )
    assert pending.status == DesignationStatus.PENDING
    member_org = af.OrganizationFactory(member_state=af.state("AR"))
    af.join(member_org, "inter-american-network-against-terrorism")
    member = af.UserFactory(organization=member_org)
    url = f"/api/directory/designations/{pending.pk}/"
    assert token_client(coordinator).get(url).status_code == 200
    assert token_client(world.users["secretariat"]).get(url).status_code == 200
    assert token_client(member).get(url).status_code == 404
    assert pending.pk not in _ids(token_client(member).get("/api/directory/designations/"))


# --- Stale flag, filters, query counts --------------------------------------------------------


def test_stale_flag_and_filter(world: World) -> None:
    fresh = df.designation(df.contact(world.organization), NETWORK, "alternate")
    df.make_stale(world.designation)
    client = token_client(world.users["coordinator"])
    rows = {row["id"]: row for row in client.get("/api/directory/designations/").json()["results"]}
    assert rows[world.designation.pk]["stale"] is True
    assert rows[fresh.pk]["stale"] is False
    due = dt.datetime.fromisoformat(rows[world.designation.pk]["due_at"])
    assert due < dt.datetime.now(dt.UTC)
    stale = client.get("/api/directory/designations/", {"stale": "true"})
    assert _ids(stale) == {world.designation.pk}
    assert _ids(client.get("/api/directory/designations/", {"stale": "false"})) == {fresh.pk}


def test_filters_of_the_search(world: World) -> None:
    other = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("CO"))), NETWORK, "operational"
    )
    client = token_client(world.users["secretariat"])
    assert _ids(client.get("/api/directory/designations/", {"member_state": "CO"})) == {other.pk}
    assert _ids(client.get("/api/directory/designations/", {"role": "focal_point"})) == {
        world.designation.pk
    }
    assert _ids(client.get("/api/directory/designations/", {"q": "gómez"})) == {
        world.designation.pk
    }
    # A network the caller does not belong to cannot be named in a filter.
    response = token_client(world.users["same_network"]).get(
        "/api/directory/designations/", {"network": "unscr-1540"}
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"network"}


def _count_queries(client: APIClient, url: str) -> int:
    client.get(url)  # warm up: the token's last-used time is written on first use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_designations(n: int) -> None:
    for i in range(n):
        org = af.OrganizationFactory(member_state=af.state("AR" if i % 2 else "CO"))
        contact = df.contact(
            org,
            phones=[
                {"kind": "office", "number": df.PHONES["CO"]},
                {"kind": "mobile", "number": df.MOBILES["CO"]},
            ],
            emails=[{"kind": "personal", "address": f"p{i}@example.net"}],
        )
        df.designation(contact, NETWORK, "operational")


@pytest.mark.parametrize("who", ["same_network", "coordinator", "secretariat"])
def test_list_query_count_does_not_grow_with_rows(world: World, who: str) -> None:
    client = token_client(world.users[who])
    url = "/api/directory/designations/"
    _more_designations(2)
    few = _count_queries(client, url)
    _more_designations(8)
    assert client.get(url).json()["count"] == 11
    assert _count_queries(client, url) == few


# --- Writes ------------------------------------------------------------------------------------


def test_coordinator_records_and_designates_a_contact(world: World) -> None:
    coordinator = world.users["coordinator"]
    client = token_client(coordinator)
    response = client.post(
        "/api/directory/contacts/",
        {
            "organization": "psa-ar",
            "name": "Mesa de guardia PSA",
            "kind": "functional",
            "availability": "24_7",
            "time_zone": "America/Argentina/Buenos_Aires",
            "languages": ["es"],
            "phones": [{"kind": "24_7", "number": "011 4342-6077"}],
            "emails": [{"kind": "functional", "address": "guardia@psa.example.org"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phones"] == [
        {"kind": "24_7", "number": "+541143426077", "extension": "", "display": "+54 11 4342-6077"}
    ]
    assert body["sensitive_included"] is True
    contact = Contact.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        action="directory.contact.create", object_id=str(contact.pk), actor=coordinator
    ).exists()

    response = client.post(
        "/api/directory/designations/",
        {
            "contact": contact.pk,
            "network": NETWORK,
            "role": "operational",
            "note_verbale_number": "NV-2025-117",
            "note_verbale_date": "2025-03-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"  # aviation security needs no confirmation
    assert body["note_verbale_number"] == "NV-2025-117"
    assert body["contact"]["id"] == contact.pk
    assert ContactDesignation.objects.get(pk=body["id"]).designated_by == coordinator


def test_designation_errors_follow_the_accounts_conventions(world: World) -> None:
    coordinator = world.users["coordinator"]
    client = token_client(coordinator)
    member = token_client(world.users["same_network"])
    outsider = token_client(world.users["other_network"])
    hidden = df.contact(af.OrganizationFactory(member_state=af.state("PE")))
    before = (ContactDesignation.objects.count(), events())
    # A role the network does not use: 400 with the field.
    response = client.post(
        "/api/directory/designations/",
        {"contact": world.contact.pk, "network": NETWORK, "role": "instructor"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "The request has invalid fields; see detail.",
        "detail": {"role": ["This network does not use that designation role."]},
    }
    # A contact the coordinator cannot see is reported like one that does not exist.
    for pk in (hidden.pk, 999999):
        response = client.post(
            "/api/directory/designations/",
            {"contact": pk, "network": NETWORK, "role": "focal_point"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["detail"] == {
            "contact": [f'Invalid pk "{pk}" - object does not exist.']
        }
    # A network the coordinator does not coordinate: 403.
    response = client.post(
        "/api/directory/designations/",
        {"contact": world.contact.pk, "network": "csirtamericas", "role": "technical"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    # A member of the network sees the designation but may not withdraw it: 403.
    response = member.post(
        f"/api/directory/designations/{world.designation.pk}/withdraw/", {}, format="json"
    )
    assert response.status_code == 403
    # A member of another network does not see it: 404.
    response = outsider.post(
        f"/api/directory/designations/{world.designation.pk}/withdraw/", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert (ContactDesignation.objects.count(), events()) == before
    world.designation.refresh_from_db()
    assert world.designation.status == DesignationStatus.ACTIVE


def test_confirm_reject_withdraw_verify(world: World) -> None:
    network = "inter-american-network-against-terrorism"  # needs Secretariat confirmation
    coordinator = af.national_coordinator("AR", network)
    secretariat = token_client(world.users["secretariat"])
    client = token_client(coordinator)

    first = client.post(
        "/api/directory/designations/",
        {"contact": world.contact.pk, "network": network, "role": "national_poc"},
        format="json",
    ).json()
    assert first["status"] == "pending"
    response = client.post(f"/api/directory/designations/{first['id']}/confirm/")
    assert response.status_code == 403
    response = secretariat.post(f"/api/directory/designations/{first['id']}/confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["effective_from"] is not None

    second = client.post(
        "/api/directory/designations/",
        {"contact": world.contact.pk, "network": network, "role": "alternate"},
        format="json",
    ).json()
    response = secretariat.post(
        f"/api/directory/designations/{second['id']}/reject/", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"reason": ["This field is required."]}
    response = secretariat.post(
        f"/api/directory/designations/{second['id']}/reject/",
        {"reason": "Note verbale missing"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["end_reason"] == "Note verbale missing"

    df.make_stale(ContactDesignation.objects.get(pk=first["id"]))
    response = client.post(f"/api/directory/designations/{first['id']}/verify/")
    assert response.status_code == 200
    assert response.json()["stale"] is False

    response = client.post(
        f"/api/directory/designations/{first['id']}/withdraw/",
        {"reason": "Retired"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    response = client.post(f"/api/directory/designations/{first['id']}/withdraw/")
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "non_field_errors": ["This designation has already ended."]
    }
    actions = set(
        AuditEvent.objects.filter(object_type="directory.contactdesignation").values_list(
            "action", flat=True
        )
    )
    assert {
        "directory.designation.confirm",
        "directory.designation.reject",
        "directory.designation.verify",
        "directory.designation.withdraw",
    } <= actions


def test_contact_updates(world: World) -> None:
    url = f"/api/directory/contacts/{world.contact.pk}/"
    response = token_client(world.users["coordinator"]).patch(
        url, {"title": "Directora", "phones": [{"number": "+54 11 4342-6001"}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Directora"
    assert [p["number"] for p in response.json()["phones"]] == ["+541143426001"]
    event = AuditEvent.objects.get(action="directory.contact.update")
    assert event.changes["title"] == ["Jefa de guardia", "Directora"]

    response = token_client(world.users["coordinator"]).patch(
        url, {"phones": [{"kind": "office", "number": "12"}]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"phones"}
    response = token_client(world.users["coordinator"]).patch(
        url, {"time_zone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"time_zone"}

    member = token_client(world.users["same_network"])
    outsider = token_client(world.users["other_network"])
    before = events()
    response = member.patch(url, {"title": "X"}, format="json")
    assert response.status_code == 403
    response = outsider.patch(url, {"title": "X"}, format="json")
    assert response.status_code == 404
    assert events() == before
    world.contact.refresh_from_db()
    assert world.contact.title == "Directora"


def test_contact_keeps_their_own_details(world: World) -> None:
    person = af.UserFactory(organization=world.organization)
    Contact.objects.filter(pk=world.contact.pk).update(user=person)
    client = token_client(person)
    url = f"/api/directory/contacts/{world.contact.pk}/"
    views = AuditEvent.objects.filter(action="directory.contact.view").count()
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["sensitive_included"] is True
    # Looking at one's own record is not an event.
    assert AuditEvent.objects.filter(action="directory.contact.view").count() == views
    assert client.patch(url, {"title": "Jefa"}, format="json").status_code == 200
    response = client.patch(url, {"is_active": False}, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": "Only your coordinator can change this.", "detail": None}


def test_contact_create_in_another_state_is_refused(world: World) -> None:
    client = token_client(world.users["coordinator"])
    payload = {
        "name": "Someone",
        "emails": [{"address": "someone@example.org"}],
    }
    # Not visible to the coordinator: like an absent organisation.
    hidden = af.OrganizationFactory(slug="hidden-pe", member_state=af.state("PE"))
    response = client.post(
        "/api/directory/contacts/", {**payload, "organization": hidden.slug}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"organization"}
    # Visible (it shares the network) but not the coordinator's state: 403.
    visible = af.OrganizationFactory(slug="visible-br", member_state=af.state("BR"))
    af.join(visible, NETWORK)
    response = client.post(
        "/api/directory/contacts/", {**payload, "organization": visible.slug}, format="json"
    )
    assert response.status_code == 403
    assert not Contact.objects.filter(name="Someone").exists()


# --- Token scopes ------------------------------------------------------------------------------


def test_token_scopes(world: World) -> None:
    user = world.users["coordinator"]
    url = "/api/directory/designations/"
    response = token_client(user, "accounts:write").get(url)
    assert response.status_code == 403
    assert response.json() == {
        "error": "This token's scopes do not allow read access to directory.",
        "detail": None,
    }
    reader = token_client(user, "directory:read")
    assert reader.get(url).status_code == 200
    response = reader.post(
        f"/api/directory/designations/{world.designation.pk}/verify/", format="json"
    )
    assert response.status_code == 403
    assert "write access to directory" in json.dumps(response.json())


def test_schema_of_the_directory_api() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    paths = schema["paths"]
    assert set(paths["/api/directory/designations/"]) == {"get", "post"}
    assert set(paths["/api/directory/designations/{id}/"]) == {"get"}
    assert set(paths["/api/directory/contacts/"]) == {"post"}
    assert set(paths["/api/directory/contacts/{id}/"]) == {"get", "patch"}
    for action in ("confirm", "reject", "withdraw", "verify"):
        assert set(paths[f"/api/directory/designations/{{id}}/{action}/"]) == {"post"}
    filters = {p["name"] for p in paths["/api/directory/designations/"]["get"]["parameters"]}
    assert filters >= {"q", "member_state", "network", "role", "language", "stale", "on"}
    components = schema["components"]["schemas"]
    assert "stale" in components["ContactDesignation"]["properties"]
    # The key travels only inside ``pgp``, which is null where the caller may not see it.
    contact = components["Contact"]["properties"]
    assert not {"pgp_key", "pgp_fingerprint", "user", "pgp_user_ids"} & set(contact)
    assert components["Contact"]["properties"]["pgp"]["nullable"] is True
