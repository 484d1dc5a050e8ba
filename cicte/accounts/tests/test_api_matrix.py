"""The authorization matrix of the API for organisations and accounts:
{anonymous, member of another state, coordinator of the same state, organisation administrator,
Secretariat administrator} x {list, detail, create, update}: the status code, and that nothing
leaked (ids absent from lists, 404 rather than 403 for hidden records) or changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from cicte.accounts.models import Organization, User
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOT_FOUND = {"error": "Not found.", "detail": None}
FORBIDDEN = {"error": "You do not have permission to do this.", "detail": None}
NO_CREDENTIALS = {"error": "Authentication credentials were not provided.", "detail": None}


@dataclass
class World:
    target_org: Organization  # an Argentine ministry
    target_user: User  # one of its people
    clients: dict[str, APIClient]
    users: dict[str, Any]


def _client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, secret = factories.api_token(user, "accounts:write")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def world() -> World:
    target_org = factories.OrganizationFactory(
        name="Ministerio de Seguridad", slug="minseg-ar", member_state=factories.state("AR")
    )
    target_user = factories.UserFactory(username="target", organization=target_org)

    # A member of a Brazilian CSIRT in a network the Argentine ministry is not part of.
    other_org = factories.OrganizationFactory(
        name="CERT.br", slug="cert-br", kind="national_csirt", member_state=factories.state("BR")
    )
    factories.join(other_org, "unscr-1540")
    other_state = factories.UserFactory(username="other-state", organization=other_org)

    coordinator = factories.national_coordinator("AR", "csirtamericas", username="coordinator")
    org_admin = factories.UserFactory(username="org-admin", organization=target_org)
    factories.grant(org_admin, "org_admin")
    admin = factories.secretariat_admin(username="secretariat")

    users: dict[str, Any] = {
        "anonymous": None,
        "other_state": other_state,
        "coordinator": coordinator,
        "org_admin": org_admin,
        "secretariat": admin,
    }
    return World(
        target_org=target_org,
        target_user=target_user,
        clients={name: _client(user) for name, user in users.items()},
        users=users,
    )


def _ids(response: Any) -> set[Any]:
    return {row["id"] for row in response.json()["results"]}


def _events() -> int:
    return AuditEvent.objects.count()


# --- Organisations ---------------------------------------------------------------------------

ORG_EXPECTED = {
    #               list  listed  detail create update
    "anonymous": (401, False, 401, 401, 401),
    "other_state": (200, False, 404, 403, 404),
    "coordinator": (200, True, 200, 201, 200),
    "org_admin": (200, True, 200, 403, 403),
    "secretariat": (200, True, 200, 201, 200),
}


@pytest.mark.parametrize("who", list(ORG_EXPECTED))
def test_organization_matrix(world: World, who: str) -> None:
    list_status, listed, detail_status, create_status, update_status = ORG_EXPECTED[who]
    client = world.clients[who]
    org = world.target_org

    response = client.get("/api/organizations/")
    assert response.status_code == list_status
    if list_status == 200:
        assert (org.pk in _ids(response)) is listed
    else:
        assert response.json() == NO_CREDENTIALS

    response = client.get(f"/api/organizations/{org.slug}/")
    assert response.status_code == detail_status
    if detail_status == 200:
        assert response.json()["name"] == "Ministerio de Seguridad"
        assert response.json()["member_state"] == "AR"
    elif detail_status == 404:
        assert response.json() == NOT_FOUND
    # A slug that does not exist answers exactly the same as a hidden one.
    missing = client.get("/api/organizations/no-such-org/")
    assert missing.status_code == (401 if who == "anonymous" else 404)

    events = _events()
    response = client.post(
        "/api/organizations/",
        {"name": "Policía Federal Argentina", "kind": "police", "member_state": "AR"},
        format="json",
    )
    assert response.status_code == create_status, response.content
    created = Organization.objects.filter(name="Policía Federal Argentina")
    if create_status == 201:
        assert created.count() == 1
        assert response.json()["slug"] == created.get().slug
        assert AuditEvent.objects.filter(action="accounts.organization.create").count() == 1
    else:
        assert not created.exists()
        assert _events() == events
        if create_status == 403:
            assert response.json() == FORBIDDEN

    events = _events()
    response = client.patch(f"/api/organizations/{org.slug}/", {"acronym": "MINSEG"}, format="json")
    assert response.status_code == update_status, response.content
    org.refresh_from_db()
    if update_status == 200:
        assert org.acronym == "MINSEG"
        assert response.json()["acronym"] == "MINSEG"
        event = AuditEvent.objects.get(action="accounts.organization.update")
        assert event.actor_id == world.users[who].pk
        assert event.changes == {"acronym": ["", "MINSEG"]}
    else:
        assert org.acronym == ""
        assert _events() == events
        if update_status == 403:
            assert response.json() == FORBIDDEN
        if update_status == 404:
            assert response.json() == NOT_FOUND


def test_coordinator_may_not_register_another_states_institution(world: World) -> None:
    response = world.clients["coordinator"].post(
        "/api/organizations/",
        {"name": "Polícia Federal", "kind": "police", "member_state": "BR"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not Organization.objects.filter(name="Polícia Federal").exists()


def test_coordinator_may_not_move_an_institution_to_another_state(world: World) -> None:
    response = world.clients["coordinator"].patch(
        f"/api/organizations/{world.target_org.slug}/", {"member_state": "BR"}, format="json"
    )
    assert response.status_code == 403
    world.target_org.refresh_from_db()
    assert world.target_org.member_state.code == "AR"


def test_visible_organization_of_a_shared_network_may_not_be_changed(world: World) -> None:
    # Once both share a network, the Brazilian member sees the ministry but may not change it.
    factories.join(world.target_org, "unscr-1540")
    client = world.clients["other_state"]
    assert client.get(f"/api/organizations/{world.target_org.slug}/").status_code == 200
    response = client.patch(
        f"/api/organizations/{world.target_org.slug}/", {"name": "Hacked"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    world.target_org.refresh_from_db()
    assert world.target_org.name == "Ministerio de Seguridad"


def test_put_is_not_offered(world: World) -> None:
    response = world.clients["secretariat"].put(
        f"/api/organizations/{world.target_org.slug}/",
        {"name": "X", "kind": "police", "member_state": "AR"},
        format="json",
    )
    assert response.status_code == 405
    assert response.json() == {"error": 'Method "PUT" not allowed.', "detail": None}


# --- Accounts --------------------------------------------------------------------------------

USER_EXPECTED = {
    #               list  listed  detail create update
    "anonymous": (401, False, 401, 401, 401),
    "other_state": (200, False, 404, 400, 404),
    "coordinator": (200, True, 200, 201, 200),
    "org_admin": (200, True, 200, 201, 200),
    "secretariat": (200, True, 200, 201, 200),
}


@pytest.mark.parametrize("who", list(USER_EXPECTED))
def test_user_matrix(world: World, who: str) -> None:
    list_status, listed, detail_status, create_status, update_status = USER_EXPECTED[who]
    client = world.clients[who]
    target = world.target_user

    response = client.get("/api/users/")
    assert response.status_code == list_status
    if list_status == 200:
        assert (target.pk in _ids(response)) is listed
        me = world.users[who]
        assert me is not None and me.pk in _ids(response)

    response = client.get(f"/api/users/{target.pk}/")
    assert response.status_code == detail_status
    if detail_status == 200:
        body = response.json()
        assert body["username"] == "target"
        assert body["organization"] == "minseg-ar"
        assert body["member_state"] == "AR"
        assert "password" not in body
    elif detail_status == 404:
        assert response.json() == NOT_FOUND
    missing = client.get("/api/users/999999/")
    assert missing.status_code == (401 if who == "anonymous" else 404)

    events = _events()
    response = client.post(
        "/api/users/",
        {
            "username": "new-person",
            "email": "new.person@example.org",
            "full_name": "New Person",
            "organization": "minseg-ar",
            "send_invitation": False,
        },
        format="json",
    )
    assert response.status_code == create_status, response.content
    created = User.objects.filter(username="new-person")
    if create_status == 201:
        user = created.get()
        assert user.organization == world.target_org
        assert not user.has_usable_password()
        assert response.json()["id"] == user.pk
        assert response.json()["roles"] == []
    else:
        assert not created.exists()
        assert _events() == events
    if create_status == 400:
        # The ministry is hidden from this caller: named like one that does not exist.
        assert response.json() == {
            "error": "The request has invalid fields; see detail.",
            "detail": {"organization": ["Object with slug=minseg-ar does not exist."]},
        }

    events = _events()
    response = client.patch(f"/api/users/{target.pk}/", {"is_active": False}, format="json")
    assert response.status_code == update_status, response.content
    target.refresh_from_db()
    if update_status == 200:
        assert target.is_active is False
        assert response.json()["is_active"] is False
        event = AuditEvent.objects.get(action="accounts.user.update")
        assert event.changes == {"is_active": [True, False]}
    else:
        assert target.is_active is True
        assert _events() == events
        if update_status == 404:
            assert response.json() == NOT_FOUND


def test_member_without_management_rights_may_not_open_accounts(world: World) -> None:
    client = world.clients["other_state"]
    response = client.post(
        "/api/users/",
        {"username": "x", "email": "x@example.org", "organization": "cert-br"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not User.objects.filter(username="x").exists()


def test_colleague_sees_but_may_not_deactivate_an_account(world: World) -> None:
    colleague = factories.UserFactory(organization=world.target_org)
    client = _client(colleague)
    assert client.get(f"/api/users/{world.target_user.pk}/").status_code == 200
    response = client.patch(
        f"/api/users/{world.target_user.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    world.target_user.refresh_from_db()
    assert world.target_user.is_active is True


def test_holder_changes_their_own_name_but_not_their_status(world: World) -> None:
    client = _client(world.target_user)
    response = client.patch(
        f"/api/users/{world.target_user.pk}/", {"full_name": "Ana Target"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Ana Target"
    response = client.patch(
        f"/api/users/{world.target_user.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 403
    world.target_user.refresh_from_db()
    assert (world.target_user.full_name, world.target_user.is_active) == ("Ana Target", True)


def test_org_admin_may_not_open_accounts_elsewhere(world: World) -> None:
    other = factories.OrganizationFactory(slug="aduana-ar", member_state=factories.state("AR"))
    response = world.clients["org_admin"].post(
        "/api/users/",
        {"username": "y", "email": "y@example.org", "organization": other.slug},
        format="json",
    )
    # The Argentine customs are visible (same state) but not managed by this administrator.
    assert response.status_code == 403
    assert not User.objects.filter(username="y").exists()


def test_deactivating_an_account_revokes_its_tokens(world: World) -> None:
    token, secret = factories.api_token(world.target_user)
    response = world.clients["secretariat"].patch(
        f"/api/users/{world.target_user.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/me/").status_code == 401
