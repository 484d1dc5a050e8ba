"""How the REST API authenticates: personal tokens in the Authorization header, HTTP Basic with a
token or (for accounts without a second factor) the password, browser sessions; token scopes,
expiry, revocation, and the trace token use leaves."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cicte.accounts.models import ApiToken, Organization, User
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def assert_401(response, message: str) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": message, "detail": None}
    assert response.has_header("WWW-Authenticate")


# --- Token header ----------------------------------------------------------------------------


def test_token_header_authenticates_and_me_shows_the_token_but_not_its_secret():
    user = factories.UserFactory(username="ana")
    factories.join(user.organization, "csirtamericas")
    token, secret = factories.api_token(user, "accounts:read")
    response = client_with(f"Token {secret}").get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ana"
    assert body["organization"]["slug"] == user.organization.slug
    assert body["member_state"]["code"] == "AR"
    assert [n["slug"] for n in body["networks"]] == ["csirtamericas"]
    assert body["token"] == {
        "name": "test token",
        "prefix": token.prefix,
        "scopes": ["accounts:read"],
        "created_at": token.created_at.isoformat().replace("+00:00", "Z"),
        "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
        "last_used_at": body["token"]["last_used_at"],
    }
    assert body["token"]["last_used_at"] is not None
    text = response.content.decode()
    assert secret not in text
    assert token.digest not in text
    assert "password" not in text


def test_no_credentials_answer_401_json_with_a_challenge():
    response = APIClient().get(ME)
    assert_401(response, "Authentication credentials were not provided.")
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_token_is_refused():
    assert_401(
        client_with("Token cicte_not-a-real-token").get(ME),
        "The token is not valid: it is unknown, revoked or expired.",
    )


def test_malformed_token_header_is_refused():
    assert_401(
        client_with("Token two parts").get(ME),
        "Send the header as 'Authorization: Token <token>', with no spaces in the token.",
    )


def test_expired_token_is_refused():
    user = factories.UserFactory()
    token, secret = factories.api_token(user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_401(
        client_with(f"Token {secret}").get(ME),
        "The token is not valid: it is unknown, revoked or expired.",
    )


def test_revoked_token_is_refused():
    from cicte.accounts import services

    user = factories.UserFactory()
    token, secret = factories.api_token(user)
    client = client_with(f"Token {secret}")
    assert client.get(ME).status_code == 200
    services.revoke_api_token(actor=user, token=token)
    assert_401(client.get(ME), "The token is not valid: it is unknown, revoked or expired.")


def test_token_of_a_deactivated_account_is_refused():
    user = factories.UserFactory()
    _token, secret = factories.api_token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_401(
        client_with(f"Token {secret}").get(ME),
        "The token is not valid: it is unknown, revoked or expired.",
    )


# --- Scopes ----------------------------------------------------------------------------------


def test_read_only_token_reads_but_may_not_write():
    admin = factories.secretariat_admin()
    _token, secret = factories.api_token(admin, "accounts:read")
    client = client_with(f"Token {secret}")
    organization = factories.OrganizationFactory(name="Ministerio de Seguridad")
    assert client.get("/api/organizations/").status_code == 200
    assert client.get(f"/api/organizations/{organization.slug}/").status_code == 200
    denied = {"error": "This token's scopes do not allow write access to accounts.", "detail": None}

    response = client.post(
        "/api/organizations/",
        {"name": "Policía Federal", "kind": "police", "member_state": "AR"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == denied
    assert not Organization.objects.filter(name="Policía Federal").exists()

    response = client.patch(
        f"/api/organizations/{organization.slug}/", {"name": "Changed"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == denied
    organization.refresh_from_db()
    assert organization.name == "Ministerio de Seguridad"


def test_token_scoped_to_another_module_may_not_read_accounts():
    user = factories.UserFactory()
    _token, secret = factories.api_token(user, "audit:read")
    response = client_with(f"Token {secret}").get("/api/organizations/")
    assert response.status_code == 403
    assert response.json() == {
        "error": "This token's scopes do not allow read access to accounts.",
        "detail": None,
    }


def test_write_token_may_write():
    admin = factories.secretariat_admin()
    _token, secret = factories.api_token(admin, "accounts:write")
    response = client_with(f"Token {secret}").post(
        "/api/organizations/",
        {"name": "Policía Federal", "kind": "police", "member_state": "AR"},
        format="json",
    )
    assert response.status_code == 201, response.content


# --- HTTP Basic ------------------------------------------------------------------------------


def test_basic_with_token_as_password():
    user = factories.UserFactory(username="carla")
    _token, secret = factories.api_token(user, "accounts:read")
    response = client_with(basic("carla", secret)).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "carla"
    assert response.json()["token"]["scopes"] == ["accounts:read"]


def test_basic_with_token_username_is_case_insensitive():
    user = factories.UserFactory(username="carla")
    _token, secret = factories.api_token(user)
    assert client_with(basic("CARLA", secret)).get(ME).status_code == 200


def test_basic_with_token_of_another_user_is_refused():
    factories.UserFactory(username="carla")
    other = factories.UserFactory(username="diego")
    _token, secret = factories.api_token(other)
    response = client_with(basic("carla", secret)).get(ME)
    assert_401(
        response, "The token is not valid for this username: it is unknown, revoked or expired."
    )
    assert response["WWW-Authenticate"] == "Token"


def test_basic_with_password_for_an_account_without_second_factor():
    factories.UserFactory(username="eva")
    response = client_with(basic("eva", factories.PASSWORD)).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "eva"
    assert response.json()["token"] is None


def test_basic_with_wrong_password_is_refused():
    factories.UserFactory(username="eva")
    assert_401(
        client_with(basic("eva", "not-the-password")).get(ME), "Invalid username or password."
    )


def test_basic_password_failures_lock_the_username_out_in_json(settings):
    user = factories.UserFactory(username="eva")
    _token, secret = factories.api_token(user)
    wrong = client_with(basic("eva", "not-the-password"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert wrong.get(ME).status_code == 401
    locked = {
        "error": "Too many failed sign-in attempts for this username from this address; use a "
        "personal API token, or try again later. Expected available in 900 seconds.",
        "detail": None,
    }
    response = wrong.get(ME)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "900"
    assert response.json() == locked
    # The right password is refused too while the lockout lasts; a token is not affected.
    response = client_with(basic("eva", factories.PASSWORD)).get(ME)
    assert response.status_code == 429
    assert response.json() == locked
    assert client_with(basic("eva", secret)).get(ME).status_code == 200


def test_basic_with_password_refused_for_an_account_with_totp():
    user = factories.UserFactory(username="fabio")
    factories.add_totp(user)
    assert_401(
        client_with(basic("fabio", factories.PASSWORD)).get(ME),
        "This account uses two-factor authentication: use a personal API token as the password.",
    )


def test_basic_with_password_refused_for_a_role_that_requires_mfa():
    factories.secretariat_admin(username="gloria")  # no device yet, but the role requires one
    assert_401(
        client_with(basic("gloria", factories.PASSWORD)).get(ME),
        "This account uses two-factor authentication: use a personal API token as the password.",
    )


def test_basic_with_token_works_for_an_account_with_totp():
    user = factories.UserFactory(username="fabio")
    factories.add_totp(user)
    _token, secret = factories.api_token(user)
    assert client_with(basic("fabio", secret)).get(ME).status_code == 200


def test_malformed_basic_header_is_refused():
    assert_401(
        client_with("Basic !!!not-base64").get(ME),
        "Invalid Basic header: the credentials are not base64-encoded UTF-8.",
    )


# --- Browser sessions ------------------------------------------------------------------------


def test_session_of_an_account_without_second_factor(client, login):
    user = factories.UserFactory()
    login(user)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["token"] is None


def test_session_verified_with_totp(client, login):
    user = factories.UserFactory()
    factories.add_totp(user)
    login(user)
    assert client.get(ME).status_code == 200


def test_session_without_the_second_factor_a_role_requires_is_refused(client, login):
    admin = factories.secretariat_admin()
    login(admin)  # password only: the web pages send this person to the setup page
    response = client.get("/api/users/")
    assert response.status_code == 401
    assert response.json() == {
        "error": "Your account needs two-factor authentication: set it up and sign in with it, "
        "or use a personal API token.",
        "detail": None,
    }


def test_session_writes_need_the_csrf_token(client, login):
    admin = factories.secretariat_admin()
    factories.add_totp(admin)
    login(admin)
    api = APIClient(enforce_csrf_checks=True)
    api.cookies = client.cookies
    assert api.get(ME).status_code == 200
    response = api.post(
        "/api/organizations/", {"name": "X", "kind": "police", "member_state": "AR"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"].startswith("CSRF Failed")
    assert response.json()["detail"] is None
    assert not Organization.objects.filter(name="X").exists()


# --- Traces of token use ---------------------------------------------------------------------


def _use_events(token: ApiToken) -> int:
    return AuditEvent.objects.filter(action="accounts.token.use", object_id=str(token.pk)).count()


def test_token_use_sets_last_used_and_is_audited_at_most_once_an_hour():
    user = factories.UserFactory()
    token, secret = factories.api_token(user)
    client = client_with(f"Token {secret}")
    assert token.last_used_at is None
    assert _use_events(token) == 0

    assert client.get(ME).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert token.last_audited_at == first_use
    assert _use_events(token) == 1
    event = AuditEvent.objects.get(action="accounts.token.use")
    assert event.actor_id == user.pk
    assert event.object_type == "accounts.apitoken"

    for _ in range(3):
        assert client.get(ME).status_code == 200
    assert _use_events(token) == 1

    # 59 minutes later: the last-used time moves on, still no second event.
    earlier = timezone.now() - timedelta(minutes=59)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier, last_audited_at=earlier)
    assert client.get(ME).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > earlier
    assert token.last_audited_at == earlier
    assert _use_events(token) == 1

    # An hour after the last event: a second one.
    an_hour_ago = timezone.now() - timedelta(hours=1, seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_audited_at=an_hour_ago)
    assert client.get(ME).status_code == 200
    assert client.get(ME).status_code == 200
    assert _use_events(token) == 2


def test_basic_with_token_leaves_the_same_trace():
    user = factories.UserFactory(username="hugo")
    token, secret = factories.api_token(user)
    assert client_with(basic("hugo", secret)).get(ME).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert _use_events(token) == 1
