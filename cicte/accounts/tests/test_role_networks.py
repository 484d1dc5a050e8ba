"""Roles limited to some networks (``Role.networks``; none: any network): the designation roles
are held in the targeted financial sanctions network only (designations migration 0003). The
service refuses another network with a message naming the allowed ones; the management form
offers such a role only where it may be held, and says so; the API answers 400 on ``network``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cicte.accounts import services
from cicte.accounts.models import RoleAssignment
from cicte.accounts.tests import factories as f
from cicte.accounts.tests.test_api_endpoints import token_client
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TFS = "targeted-financial-sanctions"
LIMITED = (
    "The role Designation officer is held only in these networks: Targeted financial sanctions."
)


@pytest.fixture
def secretariat():
    user = f.secretariat_admin()
    f.add_totp(user)
    return user


@pytest.fixture
def person():
    return f.UserFactory(organization=f.OrganizationFactory(member_state=f.state("AR")))


def test_the_designation_roles_are_limited_to_the_tfs_network():
    for slug in ("designation_officer", "designation_approver"):
        assert [n.slug for n in f.role(slug).networks.all()] == [TFS]
    # Other roles name no network: any network.
    assert not f.role("member").networks.exists()
    assert f.role("member").allows_network(f.network("csirtamericas"))


# --- The service ---------------------------------------------------------------------------------


def test_the_service_grants_a_limited_role_in_its_network(secretariat, person):
    assignment = services.assign_role(
        actor=secretariat, user=person, role=f.role("designation_officer"), network=f.network(TFS)
    )
    assert assignment.network.slug == TFS
    assert AuditEvent.objects.filter(action="accounts.role.assign").count() == 1


def test_the_service_refuses_another_network_naming_the_allowed_ones(secretariat, person):
    with pytest.raises(ValidationError) as refused:
        services.assign_role(
            actor=secretariat,
            user=person,
            role=f.role("designation_officer"),
            network=f.network("csirtamericas"),
        )
    assert refused.value.message_dict == {"network": [LIMITED]}
    assert not RoleAssignment.objects.filter(user=person).exists()
    assert not AuditEvent.objects.filter(action="accounts.role.assign").exists()


def test_a_role_limited_to_several_networks_names_them_all(secretariat, person):
    member = f.role("member")
    member.networks.set([f.network(TFS), f.network("csirtamericas")])
    with pytest.raises(ValidationError) as refused:
        services.assign_role(
            actor=secretariat, user=person, role=member, network=f.network("aviation-security")
        )
    [message] = refused.value.message_dict["network"]
    assert "CSIRTAmericas" in message and "Targeted financial sanctions" in message
    services.assign_role(actor=secretariat, user=person, role=member, network=f.network(TFS))
    # Organisations' memberships follow the same limit.
    with pytest.raises(ValidationError):
        services.add_organization_to_network(
            actor=secretariat,
            organization=person.organization,
            network=f.network("aviation-security"),
            role=member,
        )


# --- The management page -------------------------------------------------------------------------


def test_the_form_offers_and_refuses_by_network(secretariat, person, client: Client, login):
    login(secretariat)
    page = client.get(f"/accounts/users/{person.pk}/")
    field = page.context["role_form"].fields["role"]
    labels = {role.slug: field.label_from_instance(role) for role in field.queryset}
    assert labels["designation_officer"] == (
        "Designation officer (only in: Targeted financial sanctions)"
    )
    assert labels["member"] == "Member"

    response = client.post(
        f"/accounts/users/{person.pk}/roles/add/",
        {
            "role": f.role("designation_officer").pk,
            "network": f.network("csirtamericas").pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["network"] == [LIMITED]
    assert not RoleAssignment.objects.filter(user=person).exists()

    # Without a network: the one network it is held in.
    response = client.post(
        f"/accounts/users/{person.pk}/roles/add/", {"role": f.role("designation_officer").pk}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=person).network.slug == TFS


def test_a_coordinator_of_the_tfs_network_is_offered_the_designation_roles(
    person, client: Client, login
):
    coordinator = f.national_coordinator("AR", network_slug=TFS)
    f.add_totp(coordinator)
    login(coordinator)
    page = client.get(f"/accounts/users/{person.pk}/")
    offered = {r.slug for r in page.context["role_form"].fields["role"].queryset}
    assert {"designation_officer", "designation_approver"} <= offered
    other = f.national_coordinator("AR", network_slug="csirtamericas")
    f.add_totp(other)
    client.logout()
    login(other)
    page = client.get(f"/accounts/users/{person.pk}/")
    offered = {r.slug for r in page.context["role_form"].fields["role"].queryset}
    assert not offered & {"designation_officer", "designation_approver"}


# --- The API -------------------------------------------------------------------------------------


def test_the_api_answers_400_naming_the_allowed_networks(secretariat, person):
    client = token_client(secretariat)
    payload = {"user": person.username, "role": "designation_approver", "network": "csirtamericas"}
    response = client.post("/api/role-assignments/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]["network"] == [
        "The role Designation approver is held only in these networks: "
        "Targeted financial sanctions."
    ]
    assert not RoleAssignment.objects.filter(user=person).exists()

    payload["network"] = TFS
    response = client.post("/api/role-assignments/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["network"] == TFS
