"""The endpoints of the accounts API: payloads, filters, networks and their members, memberships,
role assignments, the caller; the shape of errors; query counts of the lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cicte.accounts.models import (
    Organization,
    OrganizationMembership,
    RoleAssignment,
    User,
)
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FORBIDDEN = {"error": "You do not have permission to do this.", "detail": None}
NOT_FOUND = {"error": "Not found.", "detail": None}
INVALID = "The request has invalid fields; see detail."


def token_client(user: User, *scopes: str) -> APIClient:
    _token, secret = factories.api_token(user, *(scopes or ("accounts:write",)))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Member states ---------------------------------------------------------------------------


def test_member_states_list_and_detail_by_code():
    client = token_client(factories.UserFactory(), "accounts:read")
    response = client.get("/api/member-states/", {"limit": 100})
    assert response.json()["count"] == 35
    rows = results(response)
    assert {"AR", "BR", "US", "CA", "TT"} <= {row["code"] for row in rows}
    response = client.get("/api/member-states/ar/")
    assert response.status_code == 200
    assert response.json() == {
        "code": "AR",
        "alpha3": "ARG",
        "numeric": "032",
        "name": "Argentina",
        "name_es": "Argentina",
        "name_fr": "Argentine",
        "name_pt": "Argentina",
        "display_name": "Argentina",
    }
    assert client.get("/api/member-states/FR/").status_code == 404  # France is not a member


def test_member_state_names_follow_the_request_language():
    client = token_client(factories.UserFactory(), "accounts:read")
    response = client.get("/api/member-states/US/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.json()["display_name"] == "Estados Unidos"
    assert response.json()["name"] == "United States"


def test_member_states_filter_and_search():
    client = token_client(factories.UserFactory(), "accounts:read")
    assert [r["code"] for r in results(client.get("/api/member-states/", {"code": "BR"}))] == ["BR"]
    assert [r["code"] for r in results(client.get("/api/member-states/", {"q": "Brasil"}))] == [
        "BR"
    ]


# --- Organisations ---------------------------------------------------------------------------


def test_create_organization_with_natural_keys_and_generated_slug():
    admin = factories.secretariat_admin()
    response = token_client(admin).post(
        "/api/organizations/",
        {
            "name": "Centro de Respuesta a Incidentes",
            "acronym": "CERT-AR",
            "kind": "national_csirt",
            "member_state": "AR",
            "website": "https://www.example.gob.ar/",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    organization = Organization.objects.get(acronym="CERT-AR")
    assert response.json() == {
        "id": organization.pk,
        "slug": "cert-ar-ar",
        "name": "Centro de Respuesta a Incidentes",
        "acronym": "CERT-AR",
        "kind": "national_csirt",
        "member_state": "AR",
        "website": "https://www.example.gob.ar/",
        "description": "",
        "is_active": True,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }


def test_service_validation_errors_become_400_with_field_details():
    admin = factories.secretariat_admin()
    client = token_client(admin)
    # A ministry must name its member state (the model's clean(), run by the service).
    response = client.post(
        "/api/organizations/", {"name": "Ministry", "kind": "ministry"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": INVALID,
        "detail": {"member_state": ["A state institution must name its member state."]},
    }
    # And the Secretariat does not belong to one.
    response = client.post(
        "/api/organizations/",
        {"name": "Another secretariat", "kind": "secretariat", "member_state": "AR"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "member_state": ["This kind of organisation does not belong to a member state."]
    }
    assert not Organization.objects.filter(name__in=["Ministry", "Another secretariat"]).exists()


def test_serializer_validation_errors_list_every_bad_field():
    client = token_client(factories.secretariat_admin())
    response = client.post(
        "/api/organizations/",
        {"kind": "spaceport", "member_state": "XX", "website": "not a url"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": INVALID,
        "detail": {
            "name": ["This field is required."],
            "kind": ['"spaceport" is not a valid choice.'],
            "member_state": ["Object with code=XX does not exist."],
            "website": ["Enter a valid URL."],
        },
    }


def test_duplicate_slug_is_a_400():
    factories.OrganizationFactory(slug="taken")
    client = token_client(factories.secretariat_admin())
    response = client.post(
        "/api/organizations/",
        {"name": "X", "kind": "police", "member_state": "AR", "slug": "taken"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "slug": ["Organisation with this Short name already exists."]
    }


def test_slug_cannot_be_changed():
    organization = factories.OrganizationFactory(slug="stable")
    client = token_client(factories.secretariat_admin())
    response = client.patch(
        "/api/organizations/stable/", {"slug": "moved", "name": "Renamed"}, format="json"
    )
    assert response.status_code == 200
    organization.refresh_from_db()
    assert (organization.slug, organization.name) == ("stable", "Renamed")


def test_malformed_json_is_a_400():
    client = token_client(factories.secretariat_admin())
    response = client.post("/api/organizations/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("JSON parse error")
    assert response.json()["detail"] is None


def test_form_encoded_bodies_are_refused():
    client = token_client(factories.secretariat_admin())
    response = client.post("/api/organizations/", {"name": "X", "kind": "police"})
    assert response.status_code == 415
    assert response.json() == {
        "error": 'Unsupported media type "multipart/form-data; boundary=BoUnDaRyStRiNg; '
        'charset=utf-8" in request.',
        "detail": None,
    }


def test_filtering_by_a_hidden_organization_answers_like_an_absent_one():
    hidden = factories.OrganizationFactory(slug="hidden-br", member_state=factories.state("BR"))
    factories.UserFactory(organization=hidden)
    client = token_client(factories.UserFactory())  # an Argentine ministry's employee
    for slug in ("hidden-br", "never-existed"):
        response = client.get("/api/users/", {"organization": slug})
        assert response.status_code == 400
        assert response.json() == {
            "error": INVALID,
            "detail": {
                "organization": [
                    f"Select a valid choice. {slug} is not one of the available choices."
                ]
            },
        }


def test_filtering_organizations_by_network_needs_sight_of_its_members():
    viewer = factories.UserFactory()  # member of no network
    colleague_org = factories.OrganizationFactory()  # same state, visible
    factories.join(colleague_org, "aviation-security")
    client = token_client(viewer)
    response = client.get("/api/organizations/", {"network": "aviation-security"})
    assert response.status_code == 400
    factories.join(viewer.organization, "aviation-security")
    rows = results(client.get("/api/organizations/", {"network": "aviation-security"}))
    assert {row["slug"] for row in rows} == {viewer.organization.slug, colleague_org.slug}


def test_organization_filters():
    a = factories.OrganizationFactory(name="Aduana", kind="customs")
    factories.OrganizationFactory(name="Policía", kind="police")
    client = token_client(factories.secretariat_admin())
    rows = results(client.get("/api/organizations/", {"kind": "customs"}))
    assert [row["slug"] for row in rows] == [a.slug]
    rows = results(client.get("/api/organizations/", {"q": "adua"}))
    assert [row["slug"] for row in rows] == [a.slug]
    rows = results(client.get("/api/organizations/", {"member_state": "BR"}))
    assert rows == []


def test_pagination_is_limit_offset():
    for _ in range(4):
        factories.OrganizationFactory()
    client = token_client(factories.secretariat_admin())
    response = client.get("/api/organizations/", {"limit": 2, "offset": 1})
    body = response.json()
    assert body["count"] == Organization.objects.count()
    assert len(body["results"]) == 2
    assert body["next"].endswith("/api/organizations/?limit=2&offset=3")
    assert body["previous"].endswith("/api/organizations/?limit=2")


# --- Networks and memberships ----------------------------------------------------------------


def test_network_members_are_shown_only_to_who_may_see_them():
    cert = factories.OrganizationFactory(slug="cert-ar", kind="national_csirt")
    factories.join(cert, "csirtamericas")
    member = factories.UserFactory(organization=cert)
    outsider = factories.UserFactory(
        organization=factories.OrganizationFactory(member_state=factories.state("BR"))
    )
    coordinator = factories.national_coordinator("CL", "aviation-security")
    admin = factories.secretariat_admin()
    expected = [
        {
            "organization": "cert-ar",
            "organization_name": cert.name,
            "member_state": "AR",
            "role": "member",
            "created_at": OrganizationMembership.objects.get()
            .created_at.isoformat()
            .replace("+00:00", "Z"),
        }
    ]
    # (who, members of csirtamericas, members of a network they are not in)
    for user, members, elsewhere in (
        (member, expected, None),
        (coordinator, None, []),
        (admin, expected, []),
        (outsider, None, None),
    ):
        client = token_client(user, "accounts:read")
        response = client.get("/api/networks/csirtamericas/")
        assert response.status_code == 200
        assert response.json()["members"] == members
        listed = {row["slug"]: row["members"] for row in results(client.get("/api/networks/"))}
        assert len(listed) == 9
        assert listed["csirtamericas"] == members
        # Members (coordinators included) see their own networks' members; the Secretariat all.
        assert listed["aviation-security"] == elsewhere


def test_network_detail_localised_and_unknown_slug_404():
    client = token_client(factories.UserFactory(), "accounts:read")
    response = client.get("/api/networks/unscr-1540/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["display_name"] == "Points de contact de la résolution 1540"
    assert client.get("/api/networks/no-such-network/").json() == NOT_FOUND


def test_membership_list_only_in_networks_whose_members_are_visible():
    mine = factories.OrganizationFactory(slug="mine")
    factories.join(mine, "csirtamericas")
    peer = factories.OrganizationFactory(slug="peer", member_state=factories.state("BR"))
    peer_membership = factories.join(peer, "csirtamericas")
    elsewhere = factories.join(
        factories.OrganizationFactory(slug="elsewhere"), "maritime-port-security"
    )
    user = factories.UserFactory(organization=mine)
    client = token_client(user, "accounts:read")
    rows = results(client.get("/api/organization-memberships/"))
    assert {(r["organization"], r["network"]) for r in rows} == {
        ("mine", "csirtamericas"),
        ("peer", "csirtamericas"),
    }
    assert client.get(f"/api/organization-memberships/{peer_membership.pk}/").status_code == 200
    response = client.get(f"/api/organization-memberships/{elsewhere.pk}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    rows = results(client.get("/api/organization-memberships/", {"member_state": "BR"}))
    assert [r["organization"] for r in rows] == ["peer"]


def test_coordinator_adds_changes_and_removes_a_membership():
    coordinator = factories.national_coordinator("AR", "csirtamericas")
    cert = factories.OrganizationFactory(slug="cert-ar", kind="national_csirt")
    client = token_client(coordinator)
    payload = {"organization": "cert-ar", "network": "csirtamericas", "role": "member"}
    response = client.post("/api/organization-memberships/", payload, format="json")
    assert response.status_code == 201, response.content
    membership = OrganizationMembership.objects.get(organization=cert)
    assert response.json() == {
        "id": membership.pk,
        "organization": "cert-ar",
        "network": "csirtamericas",
        "role": "member",
        "member_state": "AR",
        "created_at": membership.created_at.isoformat().replace("+00:00", "Z"),
    }
    response = client.post(
        "/api/organization-memberships/", {**payload, "role": "observer"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "observer"
    assert OrganizationMembership.objects.get(organization=cert).role.slug == "observer"

    # Not in a network the coordinator does not coordinate.
    response = client.post(
        "/api/organization-memberships/",
        {**payload, "network": "aviation-security"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN

    response = client.delete(f"/api/organization-memberships/{membership.pk}/")
    assert response.status_code == 204
    assert not OrganizationMembership.objects.filter(pk=membership.pk).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="accounts.membership.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "accounts.membership.create",
        "accounts.membership.update",
        "accounts.membership.delete",
    ]


def test_membership_role_must_be_a_network_role():
    client = token_client(factories.secretariat_admin())
    factories.OrganizationFactory(slug="cert-ar")
    response = client.post(
        "/api/organization-memberships/",
        {"organization": "cert-ar", "network": "csirtamericas", "role": "org_admin"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"role": ["Object with slug=org_admin does not exist."]}
    response = client.post(
        "/api/organization-memberships/",
        {"organization": "cert-ar", "network": "csirtamericas", "role": "national_coordinator"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "role": ["This role is held by people, not by organisations."]
    }


def test_member_may_not_remove_their_own_organizations_membership():
    cert = factories.OrganizationFactory()
    membership = factories.join(cert, "csirtamericas")
    client = token_client(factories.UserFactory(organization=cert))
    response = client.delete(f"/api/organization-memberships/{membership.pk}/")
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert OrganizationMembership.objects.filter(pk=membership.pk).exists()


# --- Role assignments ------------------------------------------------------------------------


def test_role_assignments_of_visible_people_only():
    viewer = factories.UserFactory()
    colleague = factories.UserFactory(organization=viewer.organization)
    mine = factories.grant(colleague, "member", network_slug="csirtamericas")
    stranger = factories.UserFactory(
        organization=factories.OrganizationFactory(member_state=factories.state("BR"))
    )
    theirs = factories.grant(stranger, "member", network_slug="csirtamericas")
    client = token_client(viewer)
    rows = results(client.get("/api/role-assignments/"))
    assert rows == [
        {
            "id": mine.pk,
            "user": colleague.username,
            "role": "member",
            "scope": "network",
            "network": "csirtamericas",
            "organization": None,
            "created_at": mine.created_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    assert client.get(f"/api/role-assignments/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/role-assignments/{theirs.pk}/").status_code == 404
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()


def test_org_admin_grants_and_revokes_roles_of_their_people():
    org_admin = factories.UserFactory()
    factories.grant(org_admin, "org_admin")
    factories.join(org_admin.organization, "csirtamericas")
    person = factories.UserFactory(organization=org_admin.organization)
    client = token_client(org_admin)

    payload = {"user": person.username, "role": "member", "network": "csirtamericas"}
    response = client.post("/api/role-assignments/", payload, format="json")
    assert response.status_code == 201, response.content
    assignment = RoleAssignment.objects.get(user=person)
    assert response.json()["id"] == assignment.pk
    assert assignment.granted_by == org_admin
    # Granting it again answers the existing assignment.
    response = client.post("/api/role-assignments/", payload, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == assignment.pk
    assert RoleAssignment.objects.filter(user=person).count() == 1

    # An organisation administrator may not make anyone a national coordinator.
    response = client.post(
        "/api/role-assignments/",
        {**payload, "role": "national_coordinator"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN

    # A network role needs its network.
    response = client.post(
        "/api/role-assignments/", {"user": person.username, "role": "observer"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"network": ["This role is held in a network: choose one."]}

    response = client.delete(f"/api/role-assignments/{assignment.pk}/")
    assert response.status_code == 204
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.role.revoke").count() == 1


def test_secretariat_admin_may_not_revoke_their_own_admin_role():
    admin = factories.secretariat_admin()
    assignment = RoleAssignment.objects.get(user=admin)
    response = token_client(admin).delete(f"/api/role-assignments/{assignment.pk}/")
    assert response.status_code == 400
    assert response.json() == {
        "error": INVALID,
        "detail": {
            "non_field_errors": ["You cannot revoke your own Secretariat administrator role."]
        },
    }


# --- Accounts --------------------------------------------------------------------------------


def test_user_payload_hides_secrets_and_shows_roles():
    user = factories.UserFactory(username="lucia", full_name="Lucía")
    factories.add_totp(user)
    assignment = factories.grant(user, "member", network_slug="csirtamericas")
    factories.api_token(user)
    response = token_client(factories.secretariat_admin(), "accounts:read").get(
        f"/api/users/{user.pk}/"
    )
    body = response.json()
    assert set(body) == {
        "id",
        "username",
        "email",
        "email_verified",
        "full_name",
        "organization",
        "member_state",
        "preferred_language",
        "is_active",
        "has_mfa",
        "roles",
        "date_joined",
        "last_login",
    }
    assert body["has_mfa"] is True
    assert body["roles"] == [
        {"id": assignment.pk, "role": "member", "network": "csirtamericas", "organization": None}
    ]


def test_create_user_with_a_weak_password_names_the_field():
    client = token_client(factories.secretariat_admin())
    factories.OrganizationFactory(slug="minseg")
    response = client.post(
        "/api/users/",
        {
            "username": "weak",
            "email": "weak@example.org",
            "organization": "minseg",
            "password": "12345",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"password"}
    assert (
        "This password is too short. It must contain at least 12 characters."
        in (response.json()["detail"]["password"])
    )
    assert not User.objects.filter(username="weak").exists()


def test_create_user_with_password_and_invitation(mailoutbox, django_capture_on_commit_callbacks):
    client = token_client(factories.secretariat_admin())
    factories.OrganizationFactory(slug="minseg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/users/",
            {
                "username": "strong",
                "email": "Strong@Example.org",
                "organization": "minseg",
                "password": "a-long-and-unusual-passphrase",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    user = User.objects.get(username="strong")
    assert user.check_password("a-long-and-unusual-passphrase")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/users/",
            {"username": "invited", "email": "invited@example.org", "organization": "minseg"},
            format="json",
        )
    assert response.status_code == 201
    assert [m.to for m in mailoutbox] == [["invited@example.org"]]


def test_duplicate_username_and_email_are_400():
    existing = factories.UserFactory(username="taken")
    client = token_client(factories.secretariat_admin())
    response = client.post(
        "/api/users/",
        {"username": "TAKEN", "email": "x@example.org", "organization": existing.organization.slug},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"username": ["This username is already taken."]}
    response = client.post(
        "/api/users/",
        {"username": "new", "email": existing.email, "organization": existing.organization.slug},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "email": ["An account with this email address already exists."]
    }


def test_user_filters():
    admin = factories.secretariat_admin()
    cert = factories.OrganizationFactory(slug="cert-ar")
    analyst = factories.UserFactory(username="analyst", organization=cert)
    factories.grant(analyst, "member", network_slug="csirtamericas")
    factories.UserFactory(username="idle", organization=cert, is_active=False)
    client = token_client(admin, "accounts:read")
    rows = results(client.get("/api/users/", {"organization": "cert-ar"}))
    assert [row["username"] for row in rows] == ["analyst", "idle"]
    for key, value in {"network": "csirtamericas", "role": "member"}.items():
        rows = results(client.get("/api/users/", {key: value}))
        assert [row["username"] for row in rows] == ["analyst"], key
    rows = results(client.get("/api/users/", {"is_active": "false"}))
    assert [row["username"] for row in rows] == ["idle"]


# --- The caller ------------------------------------------------------------------------------


def test_me_lists_roles_and_networks():
    coordinator = factories.national_coordinator("AR", "csirtamericas", username="coord")
    factories.join(coordinator.organization, "unscr-1540", "observer")
    response = token_client(coordinator, "accounts:read").get("/api/me/")
    body = response.json()
    assert body["username"] == "coord"
    assert body["requires_mfa"] is True
    assert body["has_mfa"] is False
    assert [(r["role"], r["scope"], r["network"]) for r in body["roles"]] == [
        ("national_coordinator", "network", "csirtamericas")
    ]
    assert body["roles"][0]["name"] == "National coordinator"
    assert sorted(n["slug"] for n in body["networks"]) == ["csirtamericas", "unscr-1540"]
    assert body["token"]["scopes"] == ["accounts:read"]


def test_me_is_read_only():
    client = token_client(factories.UserFactory())
    response = client.patch("/api/me/", {"full_name": "X"}, format="json")
    assert response.status_code == 405
    assert response.json() == {"error": 'Method "PATCH" not allowed.', "detail": None}


def test_api_root_lists_the_endpoints():
    response = token_client(factories.UserFactory(), "accounts:read").get("/api/")
    assert response.status_code == 200
    assert set(response.json()) == {
        "me",
        "member-states",
        "organizations",
        "networks",
        "organization-memberships",
        "users",
        "role-assignments",
    }


# --- Errors outside the endpoints ------------------------------------------------------------


def test_unknown_api_address_is_a_json_404():
    client = token_client(factories.UserFactory())
    for method in ("get", "post", "delete"):
        response = getattr(client, method)("/api/no-such-thing/")
        assert response.status_code == 404
        assert response.json() == {
            "error": "There is no API endpoint at this address.",
            "detail": None,
        }
    response = APIClient().get("/api/no-such-thing/")
    assert response.status_code == 401
    assert response.json()["error"] == "Authentication credentials were not provided."


def test_unexpected_errors_are_json_500_when_debug_is_off(settings, monkeypatch):
    from django.core.signals import got_request_exception

    from cicte.accounts.api import views

    settings.DEBUG = False
    signalled = []

    def receiver(sender: Any, request: Any, **kwargs: Any) -> None:
        signalled.append(request.path)

    def broken(user: Any) -> list[int]:
        raise RuntimeError("boom")

    got_request_exception.connect(receiver)
    monkeypatch.setattr(views, "networks_with_visible_members", broken)
    try:
        client = token_client(factories.UserFactory())
        client.raise_request_exception = False
        response = client.get("/api/organization-memberships/")
    finally:
        got_request_exception.disconnect(receiver)
    assert response.status_code == 500
    assert response.json() == {
        "error": "An unexpected error occurred. It has been logged; please try again later.",
        "detail": None,
    }
    assert signalled == ["/api/organization-memberships/"]


def test_unexpected_errors_are_raised_when_debug_is_on(monkeypatch):
    from cicte.accounts.api import views

    def broken(user: Any) -> list[int]:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "networks_with_visible_members", broken)
    with pytest.raises(RuntimeError, match="boom"):
        token_client(factories.UserFactory()).get("/api/organization-memberships/")


def test_error_messages_follow_the_request_language():
    client = token_client(factories.UserFactory())
    response = client.get("/api/organizations/no-such-org/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert response.json()["detail"] is None
    assert response.json()["error"] != "Not found."


# --- Query counts ----------------------------------------------------------------------------


def _count_queries(client: APIClient, url: str) -> int:
    client.get(url)  # warm up: the token's last-used time is written on first use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _populate(n: int, admin: User) -> None:
    for _ in range(n):
        organization = factories.OrganizationFactory()
        factories.join(organization, "csirtamericas")
        person = factories.UserFactory(organization=organization)
        factories.grant(person, "member", network_slug="csirtamericas")
        factories.grant(person, "org_admin")
        factories.add_totp(person)


LISTS = [
    "/api/organizations/",
    "/api/users/",
    "/api/networks/",
    "/api/organization-memberships/",
    "/api/role-assignments/",
    "/api/member-states/",
    "/api/me/",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_query_counts_do_not_grow_with_rows(url: str) -> None:
    admin = factories.secretariat_admin()
    client = token_client(admin, "accounts:read")
    _populate(3, admin)
    few = _count_queries(client, url)
    _populate(27, admin)
    assert client.get(url).status_code == 200
    many = _count_queries(client, url)
    assert few == many
    if url in ("/api/organizations/", "/api/users/", "/api/role-assignments/"):
        assert client.get(url).json()["count"] >= 30
