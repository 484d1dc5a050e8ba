"""Signing in with a second factor, mandatory two-factor authentication, and lockout."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from cicte.accounts import services
from cicte.accounts.models import RecoveryCode, TOTPDevice
from cicte.accounts.tests import factories
from cicte.accounts.views.auth import PENDING_KEY
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETUP = "/accounts/security/mfa/setup/"


def _password_step(client: Client, user, password: str = factories.PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def _actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def _reset_throttle(device) -> None:
    """django-otp slows down a device after each failure (1 s, 2 s, 4 s...); tests that go on
    to a right code lift it instead of sleeping."""
    device.refresh_from_db()
    device.throttle_reset()


class TestTOTPLogin:
    def test_password_then_code_signs_in_verified(self, client):
        user = factories.UserFactory()
        device = factories.add_totp(user)

        response = _password_step(client, user)
        assert response.status_code == 302
        assert response["Location"] == VERIFY
        # Not signed in yet: the dashboard still sends to the login page.
        assert client.get("/")["Location"] == "/accounts/login/?next=/"

        response = client.get(VERIFY)
        assert response.status_code == 200
        assert b'autocomplete="one-time-code"' in response.content

        response = client.post(VERIFY, {"token": factories.totp_now(device)})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert PENDING_KEY not in client.session
        assert client.get("/").status_code == 200
        assert _actions(actor=user) == ["auth.login"]

    def test_next_is_kept_through_the_second_step(self, client):
        user = factories.UserFactory()
        device = factories.add_totp(user)
        response = client.post(
            LOGIN + "?next=/accounts/tokens/",
            {"username": user.username, "password": factories.PASSWORD},
        )
        assert response["Location"] == VERIFY
        response = client.post(VERIFY, {"token": factories.totp_now(device)})
        assert response["Location"] == "/accounts/tokens/"

    def test_wrong_code_answers_400_and_is_audited(self, client):
        user = factories.UserFactory()
        device = factories.add_totp(user)
        _password_step(client, user)
        wrong = f"{(int(factories.totp_now(device)) + 1) % 1_000_000:06d}"

        response = client.post(VERIFY, {"token": wrong})

        assert response.status_code == 400
        assert b"That code is not valid" in response.content
        event = AuditEvent.objects.get(action="auth.mfa_failed")
        assert event.actor_id is None
        assert event.actor_label == user.username
        assert event.object_type == "accounts.user"
        assert event.object_id == str(user.pk)
        assert "_auth_user_id" not in client.session
        assert client.session[PENDING_KEY]["failures"] == 1

    def test_replayed_code_is_refused(self, client):
        user = factories.UserFactory()
        device = factories.add_totp(user)
        code = factories.totp_now(device)
        _password_step(client, user)
        assert client.post(VERIFY, {"token": code}).status_code == 302
        client.post("/accounts/logout/")

        _password_step(client, user)
        response = client.post(VERIFY, {"token": code})

        assert response.status_code == 400
        assert "_auth_user_id" not in client.session
        assert _actions(action__startswith="auth.") == [
            "auth.login",
            "auth.logout",
            "auth.mfa_failed",
        ]

    def test_recovery_code_works_once_and_is_consumed(self, client):
        user = factories.UserFactory()
        factories.add_totp(user)
        codes = services.regenerate_recovery_codes(actor=user)
        assert services.recovery_codes_left(user) == 10

        _password_step(client, user)
        response = client.post(VERIFY, {"token": codes[3].upper()}, follow=True)

        assert response.status_code == 200
        assert response.redirect_chain == [("/", 302)]
        assert "You signed in with a recovery code; 9 are left." in response.content.decode()
        assert services.recovery_codes_left(user) == 9
        event = AuditEvent.objects.get(action="auth.recovery_code_used")
        assert event.actor_id == user.pk
        assert event.changes == {"left": 9}
        client.post("/accounts/logout/")

        _password_step(client, user)
        response = client.post(VERIFY, {"token": codes[3]})
        assert response.status_code == 400
        assert "_auth_user_id" not in client.session
        assert RecoveryCode.objects.filter(device__user=user).count() == 9

    def test_five_wrong_codes_end_the_pending_login(self, client):
        user = factories.UserFactory()
        device = factories.add_totp(user)
        _password_step(client, user)
        wrong = f"{(int(factories.totp_now(device)) + 7) % 1_000_000:06d}"

        for attempt in range(1, 5):
            response = client.post(VERIFY, {"token": wrong})
            assert response.status_code == 400, attempt
        response = client.post(VERIFY, {"token": wrong})
        assert response.status_code == 302
        assert response["Location"] == LOGIN
        assert PENDING_KEY not in client.session

        # Even the right code does not finish a login that has been ended.
        _reset_throttle(device)
        response = client.post(VERIFY, {"token": factories.totp_now(device)})
        assert response.status_code == 302
        assert response["Location"] == LOGIN
        assert "_auth_user_id" not in client.session
        assert _actions(action="auth.mfa_failed") == ["auth.mfa_failed"] * 5

    def test_verify_page_without_password_step_goes_back_to_login(self, client):
        response = client.get(VERIFY)
        assert response.status_code == 302
        assert response["Location"] == LOGIN


class TestMandatoryMFA:
    def test_coordinator_without_device_is_sent_to_setup_until_done(self, client, login):
        coordinator = factories.national_coordinator()
        login(coordinator)

        for path in ("/", "/accounts/profile/", "/accounts/tokens/", "/accounts/security/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"] == SETUP, path

        response = client.get(SETUP)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Two-factor authentication is required for your account." in page
        assert "Your role (National coordinator)" in page

        device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
        response = client.post(SETUP, {"token": factories.totp_now(device)})
        assert response.status_code == 200
        assert "Store these codes now" in response.content.decode()

        device.refresh_from_db()
        assert device.confirmed is True
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert client.get("/").status_code == 200
        assert client.get("/accounts/profile/").status_code == 200

    def test_secretariat_admin_is_also_required(self, client, login):
        admin = factories.secretariat_admin()
        login(admin)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == SETUP

    def test_member_is_not_required(self, client, login):
        member = factories.UserFactory()
        login(member)
        assert client.get("/").status_code == 200
        assert not TOTPDevice.objects.filter(user=member).exists()

    def test_coordinator_with_device_signs_in_with_code(self, client, login):
        coordinator = factories.national_coordinator()
        factories.add_totp(coordinator)
        login(coordinator)  # password, then the code
        assert client.get("/").status_code == 200

    def test_coordinator_may_sign_out_and_switch_language_before_setup(self, client, login):
        coordinator = factories.national_coordinator()
        login(coordinator)
        response = client.post("/i18n/setlang/", {"language": "es", "next": SETUP})
        assert response.status_code == 302
        assert response["Location"] == SETUP
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


class TestLockout:
    def test_five_wrong_passwords_lock_the_username_from_that_address(self, client):
        user = factories.UserFactory()

        for attempt in range(1, 5):
            response = _password_step(client, user, password="wrong-password")
            assert response.status_code == 200, attempt
            assert b"The username or password is not correct" in response.content
        response = _password_step(client, user, password="wrong-password")

        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed attempts" in page
        assert "locked for 15 minutes" in page
        # django-axes handles the failure (and locks) before the audit receiver records it.
        assert _actions(action__startswith="auth.") == [
            *["auth.login_failed"] * 4,
            "auth.lockout",
            "auth.login_failed",
        ]
        lockout = AuditEvent.objects.get(action="auth.lockout")
        assert lockout.actor_id is None
        assert lockout.changes == {"username": user.username, "ip_address": "127.0.0.1"}
        assert lockout.ip_address == "127.0.0.1"

        # Locked even with the right password; the attempt is recorded as one more failure.
        response = _password_step(client, user)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="auth.login").count() == 0
        assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6

    def test_lockout_is_per_username_and_address(self, client):
        user = factories.UserFactory()
        other = factories.UserFactory()
        for _attempt in range(5):
            _password_step(client, user, password="wrong-password")
        assert _password_step(client, user).status_code == 429

        # Another account from the same address, and the same account from another address,
        # still sign in.
        assert _password_step(client, other).status_code == 302
        elsewhere = Client(REMOTE_ADDR="198.51.100.7")
        response = elsewhere.post(
            LOGIN, {"username": user.username, "password": factories.PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_failed_password_is_audited_without_the_password(self, client):
        user = factories.UserFactory()
        _password_step(client, user, password="wrong-password")
        event = AuditEvent.objects.get(action="auth.login_failed")
        assert event.actor_label == user.username
        assert event.changes == {"username": user.username}
        assert "wrong-password" not in event.canonical().decode()
