"""Managing people: the invitation email and its password link, roles granted and revoked, a lost
second factor reset, deactivation, and 404 for accounts the manager may not see."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from cicte.accounts.models import RoleAssignment, TOTPDevice, User
from cicte.accounts.tests import factories as f
from cicte.accounts.tests.test_manage_views import World, build_world
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def events(action: str, obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)))


# --- Opening an account ----------------------------------------------------------------------


def test_invitation_email_has_a_working_password_link(
    world, client, login, mailoutbox, django_capture_on_commit_callbacks
):
    login(world.actors["org_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/users/new/",
            {
                "username": "ana.perez",
                "full_name": "Ana Pérez",
                "email": "ana.perez@example.org",
                "organization": world.target_org.pk,
                "preferred_language": "es",
            },
        )
    person = User.objects.get(username="ana.perez")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana.perez@example.org"]
    assert message.subject  # in Spanish, her language
    assert "ana.perez" in message.body
    links = re.findall(
        re.escape(settings.BASE_URL) + r"(/accounts/password/reset/\S+/)", message.body
    )
    assert len(links) == 1

    # The person follows the link, anonymous, and chooses a password.
    visitor = Client()
    follow = visitor.get(links[0])
    assert follow.status_code == 302
    form_page = visitor.get(follow["Location"])
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    chosen = "a-long-and-private-passphrase-2025"
    done = visitor.post(follow["Location"], {"new_password1": chosen, "new_password2": chosen})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(chosen)
    # The link works once.
    again = Client().get(links[0])
    assert again.status_code == 200
    assert again.context["validlink"] is False


def test_create_form_offers_only_managed_organisations(world, client, login):
    login(world.actors["org_admin"])
    form = client.get("/accounts/users/new/").context["form"]
    assert list(form.fields["organization"].queryset) == [world.target_org]


def test_create_preselects_the_organisation_from_its_page(world, client, login):
    login(world.actors["secretariat"])
    form = client.get(f"/accounts/users/new/?organization={world.target_org.pk}").context["form"]
    assert form.initial["organization"] == world.target_org.pk


def test_duplicate_username_or_email_shows_on_the_form(world, client, login, mailoutbox):
    login(world.actors["secretariat"])
    before = User.objects.count()
    response = client.post(
        "/accounts/users/new/",
        {
            "username": world.target.username.upper(),
            "email": "someone.else@example.org",
            "organization": world.target_org.pk,
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["This username is already taken."]
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "someone.else",
            "email": world.target.email,
            "organization": world.target_org.pk,
            "preferred_language": "en",
        },
    )
    assert response.context["form"].errors["email"] == [
        "An account with this email address already exists."
    ]
    assert User.objects.count() == before
    assert mailoutbox == []


# --- Editing and deactivating ------------------------------------------------------------------


def _edit_data(user: User, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "organization": user.organization_id,
        "preferred_language": user.preferred_language,
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_an_account_revokes_its_tokens(world, client, login):
    from cicte.accounts import services

    token, _secret = services.create_api_token(
        actor=world.target, name="script", scopes=["accounts:read"], expires_in_days=30
    )
    login(world.actors["coordinator_same"])
    response = client.post(
        f"/accounts/users/{world.target.pk}/edit/", _edit_data(world.target, is_active=None)
    )
    assert response.status_code == 302
    world.target.refresh_from_db()
    token.refresh_from_db()
    assert world.target.is_active is False
    assert token.revoked_at is not None
    [event] = events("accounts.user.update", world.target)
    assert event.changes == {"is_active": [True, False]}


def test_a_manager_cannot_deactivate_their_own_account(world, client, login):
    admin = world.actors["org_admin"]
    login(admin)
    response = client.post(f"/accounts/users/{admin.pk}/edit/", _edit_data(admin, is_active=None))
    assert response.status_code == 200
    assert response.context["form"].errors["is_active"] == [
        "You cannot deactivate your own account."
    ]
    admin.refresh_from_db()
    assert admin.is_active is True


def test_moving_a_person_to_an_organisation_the_manager_does_not_manage_is_refused(
    world, client, login
):
    login(world.actors["org_admin"])
    other = world.actors["coordinator_same"].organization  # Argentine, but not theirs
    response = client.post(
        f"/accounts/users/{world.target.pk}/edit/", _edit_data(world.target, organization=other.pk)
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    world.target.refresh_from_db()
    assert world.target.organization == world.target_org


# --- Roles -----------------------------------------------------------------------------------


def test_coordinator_grants_and_revokes_roles(world, client, login):
    login(world.actors["coordinator_same"])
    page = client.get(f"/accounts/users/{world.target.pk}/")
    offered = {r.slug for r in page.context["role_form"].fields["role"].queryset}
    # Not the designation roles: they are held in the targeted financial sanctions network
    # only, which this coordinator (of CSIRTAmericas) does not coordinate.
    assert offered == {"org_admin", "member", "observer"}
    networks = [n.slug for n in page.context["role_form"].fields["network"].queryset]
    assert networks == ["csirtamericas"]

    response = client.post(
        f"/accounts/users/{world.target.pk}/roles/add/",
        {"role": f.role("member").pk, "network": f.network("csirtamericas").pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=world.target, role__slug="member")
    assert assignment.network.slug == "csirtamericas"
    assert assignment.granted_by == world.actors["coordinator_same"]
    [event] = events("accounts.role.assign", assignment)
    assert event.changes == {"role": "member", "network": "csirtamericas", "organization": None}

    # An organisation role, with a stray network left selected: the network is ignored.
    response = client.post(
        f"/accounts/users/{world.target.pk}/roles/add/",
        {"role": f.role("org_admin").pk, "network": f.network("csirtamericas").pk},
    )
    assert response.status_code == 302
    org_admin = RoleAssignment.objects.get(user=world.target, role__slug="org_admin")
    assert org_admin.organization == world.target_org
    assert org_admin.network is None

    confirm = client.get(f"/accounts/users/{world.target.pk}/roles/{assignment.pk}/revoke/")
    assert confirm.status_code == 200
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    response = client.post(f"/accounts/users/{world.target.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert len(AuditEvent.objects.filter(action="accounts.role.revoke")) == 1


def test_network_role_without_a_network_shows_on_the_form(world, client, login):
    login(world.actors["coordinator_same"])
    response = client.post(
        f"/accounts/users/{world.target.pk}/roles/add/", {"role": f.role("member").pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["network"] == [
        "This role is held in a network: choose one."
    ]
    assert not RoleAssignment.objects.filter(user=world.target).exists()


def test_roles_the_actor_may_not_grant_are_not_offered_nor_accepted(world, client, login):
    login(world.actors["coordinator_same"])
    before = AuditEvent.objects.count()
    response = client.post(
        f"/accounts/users/{world.target.pk}/roles/add/",
        {"role": f.role("national_coordinator").pk, "network": f.network("csirtamericas").pk},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    # A network the coordinator does not coordinate is not among the choices either.
    response = client.post(
        f"/accounts/users/{world.target.pk}/roles/add/",
        {"role": f.role("member").pk, "network": f.network("aviation-security").pk},
    )
    assert response.status_code == 200
    assert "network" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user=world.target).exists()
    assert AuditEvent.objects.count() == before


def test_secretariat_admin_cannot_revoke_their_own_role(world, client, login):
    admin = world.actors["secretariat"]
    login(admin)
    assignment = RoleAssignment.objects.get(user=admin, role__slug="secretariat_admin")
    response = client.post(f"/accounts/users/{admin.pk}/roles/{assignment.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "You cannot revoke your own Secretariat administrator role." in response.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_revoking_an_assignment_of_someone_else_answers_404(world, client, login):
    f.grant(world.colleague, "member", network_slug="csirtamericas")
    assignment = RoleAssignment.objects.get(user=world.colleague)
    login(world.actors["coordinator_same"])
    # The assignment belongs to the colleague, not to the person in the URL.
    response = client.post(f"/accounts/users/{world.target.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- A lost phone ----------------------------------------------------------------------------


def test_manager_resets_a_lost_second_factor(world, client, login):
    f.add_totp(world.target)
    login(world.actors["org_admin"])
    detail = client.get(f"/accounts/users/{world.target.pk}/")
    assert detail.context["has_mfa"] is True
    assert f"/accounts/users/{world.target.pk}/mfa/reset/" in detail.content.decode()
    confirm = client.get(f"/accounts/users/{world.target.pk}/mfa/reset/")
    assert confirm.status_code == 200
    assert TOTPDevice.objects.filter(user=world.target).exists()
    response = client.post(f"/accounts/users/{world.target.pk}/mfa/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.target).exists()
    [event] = events("accounts.mfa.disable", world.target)
    assert event.actor_id == world.actors["org_admin"].pk


def test_mfa_reset_by_someone_who_may_not_see_the_account_answers_404(world, client, login):
    f.add_totp(world.target)
    login(world.actors["coordinator_other"])
    assert client.post(f"/accounts/users/{world.target.pk}/mfa/reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=world.target).exists()


# --- 404 for what may not be seen ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "edit/"),
        ("post", "edit/"),
        ("get", "roles/add/"),
        ("post", "roles/add/"),
        ("post", "roles/1/revoke/"),
        ("get", "mfa/reset/"),
        ("post", "mfa/reset/"),
    ],
)
def test_every_page_of_an_invisible_account_answers_404(method, suffix, world, client, login):
    login(world.actors["coordinator_other"])
    before = AuditEvent.objects.count()
    for pk in (world.target.pk, 999_999):
        response = getattr(client, method)(f"/accounts/users/{pk}/{suffix}")
        assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_anonymous_visitors_go_to_the_login_page_whether_or_not_the_account_exists(client, world):
    for pk in (world.target.pk, 999_999):
        response = client.get(f"/accounts/users/{pk}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_refusal_by_the_service_on_a_visible_account_answers_403(world, client, login):
    """Coordinators do not grant or revoke the coordinator role (only the Secretariat does)."""
    coordinator = world.actors["coordinator_same"]
    login(coordinator)
    assignment = RoleAssignment.objects.get(user=coordinator, role__slug="national_coordinator")
    detail = client.get(f"/accounts/users/{coordinator.pk}/")
    [shown] = detail.context["assignments"]
    assert shown.revocable is False
    before = AuditEvent.objects.count()
    response = client.post(f"/accounts/users/{coordinator.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.count() == before
