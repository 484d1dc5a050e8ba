"""The account holder's profile and security pages: two-factor setup, recovery codes, turning
two-factor authentication off, recent sign-ins."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY

from cicte.accounts import services
from cicte.accounts.models import RecoveryCode, RecoveryCodeDevice, TOTPDevice, User, token_digest
from cicte.accounts.tests import factories
from cicte.accounts.views.security import SETUP_SESSION_KEY
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
SECURITY = "/accounts/security/"
SETUP = "/accounts/security/mfa/setup/"
RECOVERY = "/accounts/security/mfa/recovery-codes/"
DISABLE = "/accounts/security/mfa/disable/"

CODE_RE = re.compile(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>")


def _codes(response) -> list[str]:
    return CODE_RE.findall(response.content.decode())


def _wrong(device) -> str:
    return f"{(int(factories.totp_now(device)) + 3) % 1_000_000:06d}"


@pytest.mark.parametrize("path", [PROFILE, SECURITY, SETUP, RECOVERY, DISABLE, "/accounts/tokens/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_login(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert not TOTPDevice.objects.exists()


class TestProfile:
    def test_shows_account_organisation_state_and_roles(self, client, login):
        organization = factories.OrganizationFactory(
            name="CSIRT Nacional", member_state=factories.state("CL")
        )
        user = factories.UserFactory(organization=organization)
        factories.grant(user, "org_admin")
        factories.join(organization, "csirtamericas")
        login(user)

        response = client.get(PROFILE)

        assert response.status_code == 200
        page = response.content.decode()
        assert user.username in page
        assert "CSIRT Nacional" in page
        assert "Chile" in page
        assert "Organisation administrator" in page
        assert "CSIRTAmericas" in page
        assert 'href="/accounts/password/change/"' in page
        assert f'value="{user.email}"' in page
        assert 'style="' not in page

    def test_update_goes_through_the_service_and_is_audited(self, client, login):
        user = factories.UserFactory(full_name="Ana Pérez", email="ana@example.org")
        login(user)

        response = client.post(
            PROFILE,
            {
                "full_name": "Ana María Pérez",
                "email": "Ana@Example.ORG",
                "preferred_language": "en",
            },
        )

        assert response.status_code == 302
        assert response["Location"] == PROFILE
        user.refresh_from_db()
        assert user.full_name == "Ana María Pérez"
        assert user.email == "Ana@example.org"  # the domain is normalised
        event = AuditEvent.objects.get(action="accounts.user.update")
        assert event.actor_id == user.pk
        assert event.object_id == str(user.pk)
        assert event.changes == {
            "full_name": ["Ana Pérez", "Ana María Pérez"],
            "email": ["ana@example.org", "Ana@example.org"],
        }
        assert "Your profile has been saved." in client.get(PROFILE).content.decode()

    def test_language_change_switches_the_pages(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.post(
            PROFILE,
            {"full_name": user.full_name, "email": user.email, "preferred_language": "es"},
        )
        assert response.status_code == 302
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
        user.refresh_from_db()
        assert user.preferred_language == "es"
        assert AuditEvent.objects.get(action="accounts.user.update").changes == {
            "preferred_language": ["en", "es"]
        }

    def test_nothing_changed_records_nothing(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.post(
            PROFILE,
            {"full_name": user.full_name, "email": user.email, "preferred_language": "en"},
            follow=True,
        )
        assert response.status_code == 200
        assert "Nothing has changed." in response.content.decode()
        assert not AuditEvent.objects.filter(action="accounts.user.update").exists()

    def test_email_of_another_account_is_refused(self, client, login):
        factories.UserFactory(email="taken@example.org")
        user = factories.UserFactory(full_name="Old Name")
        login(user)

        response = client.post(
            PROFILE,
            {"full_name": "New Name", "email": "TAKEN@example.org", "preferred_language": "en"},
        )

        assert response.status_code == 400
        assert "An account with this email address already exists." in response.content.decode()
        user.refresh_from_db()
        assert user.full_name == "Old Name"
        assert not AuditEvent.objects.filter(action="accounts.user.update").exists()

    def test_invalid_email_is_refused(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.post(
            PROFILE, {"full_name": "X", "email": "not-an-email", "preferred_language": "en"}
        )
        assert response.status_code == 400
        assert "Enter a valid email address." in response.content.decode()

    def test_organisation_cannot_be_changed_here(self, client, login):
        user = factories.UserFactory()
        other = factories.OrganizationFactory()
        login(user)
        client.post(
            PROFILE,
            {
                "full_name": "Someone",
                "email": user.email,
                "preferred_language": "en",
                "organization": other.pk,
                "is_active": "",
            },
        )
        user.refresh_from_db()
        assert user.full_name == "Someone"
        assert user.organization_id != other.pk
        assert user.is_active is True


class TestSecurityPage:
    def test_without_second_factor(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.get(SECURITY)
        assert response.status_code == 200
        page = response.content.decode()
        assert "You sign in with your password alone." in page
        assert f'href="{SETUP}"' in page
        assert f'action="{RECOVERY}"' not in page
        assert f'href="{DISABLE}"' not in page
        assert 'style="' not in page

    def test_with_second_factor_shows_codes_left_and_recent_sign_ins(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        services.regenerate_recovery_codes(actor=user)
        stranger = factories.UserFactory()
        login(stranger)
        client.post("/accounts/logout/")
        login(user)

        response = client.get(SECURITY)

        page = response.content.decode()
        assert "You sign in with your password and a code from your authenticator app." in page
        assert "You have 10 recovery codes left." in page
        assert "running out of recovery codes" not in page
        assert f'action="{RECOVERY}"' in page
        assert f'href="{DISABLE}"' in page
        assert page.count("<td>Signed in</td>") == 1
        assert "<td>127.0.0.1</td>" in page
        sign_ins = response.context["sign_ins"]
        assert [event.actor_id for event, _label in sign_ins] == [user.pk]

    def test_few_codes_left_warns(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        services.regenerate_recovery_codes(actor=user)
        device = RecoveryCodeDevice.objects.get(user=user)
        RecoveryCode.objects.filter(
            pk__in=list(device.codes.values_list("pk", flat=True)[:8])
        ).delete()
        login(user)
        page = client.get(SECURITY).content.decode()
        assert "You have 2 recovery codes left." in page
        assert "You are running out of recovery codes." in page

    def test_sign_in_list_is_limited_to_ten(self, client, login):
        user = factories.UserFactory()
        for _ in range(6):
            login(user)
            client.post("/accounts/logout/")
        login(user)
        response = client.get(SECURITY)
        assert len(response.context["sign_ins"]) == 10

    def test_coordinator_cannot_turn_it_off_from_the_page(self, client, login):
        coordinator = factories.national_coordinator()
        factories.add_totp(coordinator)
        login(coordinator)
        page = client.get(SECURITY).content.decode()
        assert "Your role (National coordinator) requires two-factor authentication" in page
        assert f'href="{DISABLE}"' not in page


class TestMFASetup:
    def test_reload_reuses_the_same_unconfirmed_device(self, client, login):
        user = factories.UserFactory()
        login(user)

        first = client.get(SETUP)
        second = client.get(SETUP)

        assert first.status_code == second.status_code == 200
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed is False
        assert client.session[SETUP_SESSION_KEY] == device.pk
        assert first.context["secret"] == second.context["secret"]
        assert first.context["secret"].replace(" ", "") == device.base32_key

    def test_qr_code_is_inline_svg_without_style_attributes(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.get(SETUP)
        page = response.content.decode()
        svg = re.search(r"<svg .*?</svg>", page, re.S)
        assert svg is not None
        assert svg.group(0).startswith('<svg role="img" viewBox=')
        assert "<title>QR code to scan with your authenticator app</title>" in svg.group(0)
        assert "style" not in svg.group(0)
        assert 'style="' not in page
        assert re.search(r"<script(?![^>]*\bsrc=)", page) is None  # no inline script
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["Cache-Control"].startswith("max-age=0")
        assert "no-store" in response["Cache-Control"]

    def test_setup_through_the_pages(self, client, login):
        user = factories.UserFactory()
        login(user)
        client.get(SETUP)
        device = TOTPDevice.objects.get(user=user, confirmed=False)

        response = client.post(SETUP, {"token": factories.totp_now(device)})

        assert response.status_code == 200
        page = response.content.decode()
        assert "Store these codes now: they are shown only this once." in page
        codes = _codes(response)
        assert len(codes) == len(set(codes)) == 10
        device.refresh_from_db()
        assert device.confirmed is True
        assert SETUP_SESSION_KEY not in client.session
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        # Only digests are kept.
        stored = set(
            RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True)
        )
        assert stored == {token_digest(RecoveryCodeDevice.normalize(code)) for code in codes}
        assert AuditEvent.objects.filter(action="accounts.mfa.enable", actor=user).count() == 1
        # The session stays signed in, now verified, and the security page says so.
        assert "You have 10 recovery codes left." in client.get(SECURITY).content.decode()

    def test_wrong_code_keeps_the_device_unconfirmed(self, client, login):
        user = factories.UserFactory()
        login(user)
        client.get(SETUP)
        device = TOTPDevice.objects.get(user=user)

        response = client.post(SETUP, {"token": _wrong(device)})

        assert response.status_code == 400
        assert "That code is not valid." in response.content.decode()
        device.refresh_from_db()
        assert device.confirmed is False
        assert client.session[SETUP_SESSION_KEY] == device.pk
        assert not AuditEvent.objects.filter(action="accounts.mfa.enable").exists()

    def test_malformed_code_is_refused_by_the_form(self, client, login):
        user = factories.UserFactory()
        login(user)
        client.get(SETUP)
        response = client.post(SETUP, {"token": "12ab56"})
        assert response.status_code == 400
        assert "Enter the 6 digits shown by your authenticator app." in response.content.decode()

    def test_post_without_a_setup_in_progress_starts_again(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.post(SETUP, {"token": "123456"}, follow=True)
        assert response.redirect_chain == [(SETUP, 302)]
        assert "The setup had expired" in response.content.decode()
        assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1

    def test_someone_elses_device_in_the_session_is_ignored(self, client, login):
        other = factories.UserFactory()
        foreign = services.start_totp_setup(actor=other)
        user = factories.UserFactory()
        login(user)
        session = client.session
        session[SETUP_SESSION_KEY] = foreign.pk
        session.save()

        response = client.post(SETUP, {"token": factories.totp_now(foreign)})

        assert response.status_code == 302
        foreign.refresh_from_db()
        assert foreign.confirmed is False
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    def test_replacing_the_authenticator_keeps_the_session(self, client, login):
        user = factories.UserFactory()
        old = factories.add_totp(user)
        old_codes = services.regenerate_recovery_codes(actor=user)
        login(user)
        page = client.get(SETUP).content.decode()
        assert "Your current authenticator keeps working until you confirm the new one." in page
        new = TOTPDevice.objects.get(user=user, confirmed=False)

        response = client.post(SETUP, {"token": factories.totp_now(new)})

        assert response.status_code == 200
        assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]
        assert not TOTPDevice.objects.filter(pk=old.pk).exists()
        assert client.get("/").status_code == 200  # still signed in and verified
        device = RecoveryCodeDevice.objects.get(user=user)
        assert not device.verify_token(old_codes[0])


class TestRecoveryCodes:
    def test_regenerate_shows_new_codes_once_and_old_ones_stop_working(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        old_codes = services.regenerate_recovery_codes(actor=user)
        login(user)

        response = client.post(RECOVERY)

        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        new_codes = _codes(response)
        assert len(new_codes) == 10
        assert not set(new_codes) & set(old_codes)
        assert "Your previous recovery codes no longer work." in response.content.decode()
        device = RecoveryCodeDevice.objects.get(user=user)
        assert not device.verify_token(old_codes[0])
        device.throttle_reset()
        assert device.verify_token(new_codes[0])
        assert services.recovery_codes_left(user) == 9
        assert AuditEvent.objects.filter(action="accounts.mfa.recovery_codes").count() == 2
        # Not shown again.
        assert new_codes[1] not in client.get(SECURITY).content.decode()

    def test_get_leads_to_the_security_page(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        login(user)
        response = client.get(RECOVERY)
        assert response.status_code == 302
        assert response["Location"] == SECURITY
        assert services.recovery_codes_left(user) == 0

    def test_without_second_factor_is_refused(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.post(RECOVERY, follow=True)
        assert response.redirect_chain == [(SECURITY, 302)]
        assert "Set up an authenticator app first" in response.content.decode()
        assert not RecoveryCodeDevice.objects.filter(user=user).exists()


class TestDisableMFA:
    def test_member_turns_it_off_with_the_password(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        services.regenerate_recovery_codes(actor=user)
        login(user)
        assert client.get(DISABLE).status_code == 200

        response = client.post(DISABLE, {"password": factories.PASSWORD})

        assert response.status_code == 302
        assert response["Location"] == SECURITY
        assert not TOTPDevice.objects.filter(user=user).exists()
        assert not RecoveryCodeDevice.objects.filter(user=user).exists()
        event = AuditEvent.objects.get(action="accounts.mfa.disable")
        assert event.actor_id == user.pk
        assert event.object_id == str(user.pk)
        assert client.get("/").status_code == 200  # still signed in
        assert not User.objects.get(pk=user.pk).has_mfa

    def test_wrong_password_changes_nothing(self, client, login):
        user = factories.UserFactory()
        factories.add_totp(user)
        login(user)
        response = client.post(DISABLE, {"password": "not-my-password"})
        assert response.status_code == 400
        assert "That is not your current password." in response.content.decode()
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
        assert not AuditEvent.objects.filter(action="accounts.mfa.disable").exists()

    def test_coordinator_is_refused_with_a_clear_message(self, client, login):
        coordinator = factories.national_coordinator()
        factories.add_totp(coordinator)
        login(coordinator)

        page = client.get(DISABLE).content.decode()
        assert "requires two-factor authentication, so it cannot be turned off" in page
        assert 'name="password"' not in page

        response = client.post(DISABLE, {"password": factories.PASSWORD})

        assert response.status_code == 400
        assert (
            "Your role requires two-factor authentication; set up a new authenticator instead."
            in response.content.decode()
        )
        assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).count() == 1
        assert not AuditEvent.objects.filter(action="accounts.mfa.disable").exists()
        assert client.get("/").status_code == 200

    def test_without_second_factor_leads_back(self, client, login):
        user = factories.UserFactory()
        login(user)
        response = client.get(DISABLE, follow=True)
        assert response.redirect_chain == [(SECURITY, 302)]
        assert "Two-factor authentication is already off." in response.content.decode()
