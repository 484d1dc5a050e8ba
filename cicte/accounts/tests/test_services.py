"""The accounts services: who may do what, and that every write is audited."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings

from cicte.accounts import permissions, selectors, services
from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import ApiToken, Organization, RoleAssignment, TOTPDevice, User
from cicte.accounts.tests import factories as f
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


def test_secretariat_admin_registers_any_organisation():
    admin = f.secretariat_admin()
    org = services.create_organization(
        actor=admin,
        name="Ministerio de Seguridad",
        kind=OrganizationKind.MINISTRY,
        member_state=f.state("AR"),
    )
    partner = services.create_organization(
        actor=admin, name="UNODC", kind=OrganizationKind.INTERNATIONAL
    )
    assert org.member_state.code == "AR"
    assert partner.member_state is None
    event = last_event()
    assert event.action == "accounts.organization.create"
    assert event.object_id == str(partner.pk)
    assert event.actor_id == admin.pk


def test_coordinator_registers_only_their_own_states_institutions():
    coordinator = f.national_coordinator("BR")
    org = services.create_organization(
        actor=coordinator,
        name="CTIR Gov",
        kind=OrganizationKind.NATIONAL_CSIRT,
        member_state=f.state("BR"),
    )
    assert org.pk
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=coordinator,
            name="CERT.ar",
            kind=OrganizationKind.NATIONAL_CSIRT,
            member_state=f.state("AR"),
        )
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=coordinator, name="Interpol", kind=OrganizationKind.INTERNATIONAL
        )
    assert not Organization.objects.filter(name__in=["CERT.ar", "Interpol"]).exists()


def test_member_cannot_register_organisations():
    member = f.UserFactory()
    f.grant(member, "member", network_slug="csirtamericas")
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=member,
            name="X",
            kind=OrganizationKind.POLICE,
            member_state=member.organization.member_state,
        )


def test_state_institution_needs_a_state_and_secretariat_none():
    admin = f.secretariat_admin()
    with pytest.raises(ValidationError) as exc:
        services.create_organization(actor=admin, name="Customs", kind=OrganizationKind.CUSTOMS)
    assert "member_state" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_organization(
            actor=admin,
            name="Other secretariat",
            kind=OrganizationKind.SECRETARIAT,
            member_state=f.state("MX"),
        )


def test_update_organization_audits_changed_fields_only():
    admin = f.secretariat_admin()
    org = f.OrganizationFactory(name="Old name")
    services.update_organization(actor=admin, organization=org, name="New name")
    event = last_event()
    assert event.action == "accounts.organization.update"
    assert event.changes == {"name": ["Old name", "New name"]}


def test_coordinator_assigns_member_role_in_their_network_to_their_state():
    coordinator = f.national_coordinator("AR", "csirtamericas")
    same_state = f.UserFactory(organization=f.OrganizationFactory(member_state=f.state("AR")))
    other_state = f.UserFactory(organization=f.OrganizationFactory(member_state=f.state("CL")))
    assignment = services.assign_role(
        actor=coordinator,
        user=same_state,
        role=f.role("member"),
        network=f.network("csirtamericas"),
    )
    assert assignment.pk
    assert f.network("csirtamericas").pk in selectors.network_ids_for(
        User.objects.get(pk=same_state.pk)
    )
    event = last_event()
    assert event.action == "accounts.role.assign"
    assert event.subject_member_state_id == f.state("AR").pk
    with pytest.raises(PermissionDenied):  # another network
        services.assign_role(
            actor=coordinator,
            user=same_state,
            role=f.role("member"),
            network=f.network("unscr-1540"),
        )
    with pytest.raises(PermissionDenied):  # another state's person
        services.assign_role(
            actor=coordinator,
            user=other_state,
            role=f.role("member"),
            network=f.network("csirtamericas"),
        )
    with pytest.raises(PermissionDenied):  # a role only the Secretariat grants
        services.assign_role(
            actor=coordinator,
            user=same_state,
            role=f.role("national_coordinator"),
            network=f.network("csirtamericas"),
        )


def test_org_admin_adds_own_people_to_networks_of_the_organisation():
    org = f.OrganizationFactory()
    f.join(org, "targeted-financial-sanctions")
    admin = f.UserFactory(organization=org)
    f.grant(admin, "org_admin")
    colleague = f.UserFactory(organization=org)
    services.assign_role(
        actor=admin,
        user=colleague,
        role=f.role("observer"),
        network=f.network("targeted-financial-sanctions"),
    )
    with pytest.raises(PermissionDenied):  # the organisation is not in that network
        services.assign_role(
            actor=admin, user=colleague, role=f.role("member"), network=f.network("csirtamericas")
        )
    with pytest.raises(PermissionDenied):  # someone of another organisation
        services.assign_role(
            actor=admin,
            user=f.UserFactory(),
            role=f.role("member"),
            network=f.network("targeted-financial-sanctions"),
        )


def test_role_scope_is_enforced():
    admin = f.secretariat_admin()
    user = f.UserFactory()
    with pytest.raises(ValidationError):
        services.assign_role(
            actor=admin, user=user, role=f.role("member")
        )  # a network role without network
    assignment = services.assign_role(actor=admin, user=user, role=f.role("org_admin"))
    assert assignment.organization == user.organization
    assert (
        services.assign_role(actor=admin, user=user, role=f.role("org_admin")).pk == assignment.pk
    )


def test_revoke_role_and_forget_cached_grants():
    admin = f.secretariat_admin()
    user = f.UserFactory()
    assignment = services.assign_role(
        actor=admin, user=user, role=f.role("member"), network=f.network("unscr-1540")
    )
    assert permissions.all_perms(user) == {
        "accounts.contribute",
        "directory.export_contacts",
        "advisories.publish_advisories",
        "messaging.send_message",
    }
    services.revoke_role(actor=admin, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert permissions.all_perms(user) == set()
    assert last_event().action == "accounts.role.revoke"


def test_admin_cannot_revoke_own_admin_role():
    admin = f.secretariat_admin()
    with pytest.raises(ValidationError):
        services.revoke_role(actor=admin, assignment=admin.role_assignments.get())


def test_coordinator_permission_applies_to_their_state_only():
    coordinator = f.national_coordinator("MX", "aviation-security")
    mexican = f.OrganizationFactory(member_state=f.state("MX"))
    peruvian = f.OrganizationFactory(member_state=f.state("PE"))
    assert permissions.can(coordinator, "accounts.manage_users", organization=mexican)
    assert not permissions.can(coordinator, "accounts.manage_users", organization=peruvian)
    assert permissions.can(
        coordinator,
        "accounts.manage_memberships",
        member_state_id=mexican.member_state_id,
        network_id=f.network("aviation-security").pk,
    )
    assert not permissions.can(
        coordinator,
        "accounts.manage_memberships",
        member_state_id=mexican.member_state_id,
        network_id=f.network("csirtamericas").pk,
    )
    assert coordinator.has_perm("accounts.manage_users", mexican)
    assert not coordinator.has_perm("accounts.manage_users", peruvian)
    assert not coordinator.has_perm("accounts.manage_networks")


def test_create_user_sends_invitation(mailoutbox):
    admin = f.secretariat_admin()
    org = f.OrganizationFactory()
    with pytest.raises(ValidationError):
        services.create_user(
            actor=admin, username=admin.username.upper(), email="new@example.org", organization=org
        )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        user = services.create_user(
            actor=admin,
            username="ana",
            email="Ana@Example.org",
            organization=org,
            full_name="Ana Pérez",
        )
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Ana@example.org"]
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_update_user_self_service_and_management():
    member = f.UserFactory()
    services.update_user(actor=member, user=member, full_name="New Name")
    with pytest.raises(PermissionDenied):
        services.update_user(actor=member, user=member, is_active=False)
    admin = f.secretariat_admin()
    with pytest.raises(ValidationError):
        services.update_user(actor=admin, user=admin, is_active=False)
    token, _secret = services.create_api_token(
        actor=member, name="t", scopes=["accounts:read"], expires_in_days=5
    )
    services.update_user(actor=admin, user=member, is_active=False)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_api_token_is_stored_as_sha256_digest():
    user = f.UserFactory()
    token, secret = services.create_api_token(
        actor=user, name="TAXII client", scopes=["accounts:read"], expires_in_days=30
    )
    assert secret.startswith("cicte_")
    assert len(secret) >= 6 + 43  # 32 random bytes, url-safe base64
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert services.authenticate_token(secret) == token
    assert services.authenticate_token(secret + "x") is None
    with pytest.raises(ValidationError):
        services.create_api_token(actor=user, name="t", scopes=["nope:read"], expires_in_days=30)
    with pytest.raises(ValidationError):
        services.create_api_token(actor=user, name="t", scopes=["accounts:read"], expires_in_days=0)


def test_totp_seed_is_encrypted_at_rest():
    user = f.UserFactory()
    device = f.add_totp(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert stored != device.key
    assert device.key not in stored
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key


def test_totp_accepts_a_code_once_and_with_one_step_of_drift():
    device = f.add_totp(f.UserFactory())
    code = f.totp_now(device)
    assert device.verify_token(code)
    assert not device.verify_token(code)  # replay
    device.throttle_reset()
    assert not device.verify_token(f.totp_now(device, offset_steps=5))


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2():
    user = f.UserFactory(password="a-long-enough-password-1")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a-long-enough-password-1")


def test_production_settings_hash_with_argon2():
    from cicte import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_recovery_codes_are_hashed_and_single_use():
    user = f.UserFactory()
    device = services.start_totp_setup(actor=user)
    codes = services.confirm_totp(actor=user, device=device, token=f.totp_now(device))
    assert len(codes) == 10
    from cicte.accounts.models import RecoveryCode, RecoveryCodeDevice

    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert codes[0] not in digests
    rdevice = RecoveryCodeDevice.objects.get(user=user)
    assert rdevice.verify_token(codes[0].upper())
    rdevice.throttle_reset()
    assert not rdevice.verify_token(codes[0])
    assert services.recovery_codes_left(user) == 9
    assert AuditEvent.objects.filter(action="accounts.mfa.enable", object_id=str(user.pk)).exists()


def test_looking_at_another_persons_account_is_audited(client, login):
    admin = f.secretariat_admin()
    f.add_totp(admin)
    person = f.UserFactory()
    login(admin)
    assert client.get(f"/accounts/users/{person.pk}/").status_code == 200
    event = last_event()
    assert (event.action, event.object_id, event.actor_id) == (
        "accounts.user.view",
        str(person.pk),
        admin.pk,
    )
    _token, secret = services.create_api_token(
        actor=admin, name="t", scopes=["accounts:read"], expires_in_days=1
    )
    response = client.get(f"/api/users/{person.pk}/", headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(action="accounts.user.view", object_id=str(person.pk)).count()
        == 2
    )
    before = AuditEvent.objects.count()
    assert client.get(f"/accounts/users/{admin.pk}/").status_code == 200  # one's own: not recorded
    assert AuditEvent.objects.count() == before
