"""Network pages: who sees the members, and who adds organisations to a network or removes them."""

from __future__ import annotations

import pytest

from cicte.accounts.models import OrganizationMembership
from cicte.accounts.tests import factories as f
from cicte.accounts.tests.test_manage_views import World, build_world
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CSIRT = "/accounts/networks/csirtamericas/"


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize(
    ("actor", "sees_members", "may_add"),
    [
        ("other_member", False, False),  # belongs to no network
        ("org_admin", True, False),  # a member through their organisation
        ("coordinator_same", True, True),
        ("coordinator_other", True, True),
        ("secretariat", True, True),
    ],
)
def test_network_detail_shows_members_only_to_those_who_may_see_them(
    actor, sees_members, may_add, world, client, login
):
    f.grant(world.colleague, "observer", network_slug="csirtamericas")
    login(world.actors[actor])
    response = client.get(CSIRT)
    assert response.status_code == 200
    assert response.context["can_see_members"] is sees_members
    content = response.content.decode()
    assert ("Ministerio de Seguridad" in content) is sees_members
    assert ("Plain Colleague" in content) is sees_members
    if sees_members:
        assert [m.organization for m in response.context["memberships"]] == [world.target_org]
        holders = {a.user.full_name for a in response.context["holders"]}
        assert holders == {"Plain Colleague", "Coordinator Argentina", "Coordinator Brazil"}
        assert (response.context["membership_form"] is not None) is may_add


def test_unknown_network_answers_404(world, client, login):
    login(world.actors["other_member"])
    assert client.get("/accounts/networks/no-such-network/").status_code == 404


def test_anonymous_visitors_go_to_the_login_page(world, client):
    for path in (CSIRT, "/accounts/networks/no-such-network/", "/accounts/networks/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_coordinator_adds_their_own_states_organisation(world, client, login):
    coordinator = world.actors["coordinator_same"]
    login(coordinator)
    cert = f.OrganizationFactory(name="CERT.ar", kind="national_csirt", member_state=f.state("AR"))
    brazilian = f.OrganizationFactory(name="CTIR Gov", member_state=f.state("BR"))
    form = client.get(f"{CSIRT}members/add/").context["form"]
    offered = set(form.fields["organization"].queryset)
    assert cert in offered
    assert brazilian not in offered
    assert {r.slug for r in form.fields["role"].queryset} == {"member", "observer"}

    response = client.post(
        f"{CSIRT}members/add/", {"organization": cert.pk, "role": f.role("observer").pk}
    )
    assert response.status_code == 302
    assert response["Location"] == CSIRT
    membership = OrganizationMembership.objects.get(organization=cert)
    assert membership.role.slug == "observer"
    [event] = AuditEvent.objects.filter(
        action="accounts.membership.create", object_id=str(membership.pk)
    )
    assert event.actor_id == coordinator.pk

    # Adding it again with another role changes its role.
    client.post(f"{CSIRT}members/add/", {"organization": cert.pk, "role": f.role("member").pk})
    membership.refresh_from_db()
    assert membership.role.slug == "member"
    assert (
        AuditEvent.objects.filter(
            action="accounts.membership.update", object_id=str(membership.pk)
        ).count()
        == 1
    )

    # Another state's organisation is not a choice.
    before = AuditEvent.objects.count()
    response = client.post(
        f"{CSIRT}members/add/", {"organization": brazilian.pk, "role": f.role("member").pk}
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not OrganizationMembership.objects.filter(organization=brazilian).exists()
    assert AuditEvent.objects.count() == before


def test_coordinator_may_not_add_to_a_network_they_do_not_coordinate(world, client, login):
    login(world.actors["coordinator_same"])
    before = AuditEvent.objects.count()
    url = "/accounts/networks/aviation-security/members/add/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"organization": world.target_org.pk, "role": f.role("member").pk})
    assert response.status_code == 403
    assert not OrganizationMembership.objects.filter(network__slug="aviation-security").exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("actor", ["other_member", "org_admin"])
def test_people_without_membership_rights_may_not_add(actor, world, client, login):
    login(world.actors[actor])
    response = client.post(
        f"{CSIRT}members/add/", {"organization": world.target_org.pk, "role": f.role("observer").pk}
    )
    assert response.status_code == 403
    assert OrganizationMembership.objects.get(organization=world.target_org).role.slug == "member"


def test_secretariat_adds_a_partner_organisation(world, client, login):
    login(world.actors["secretariat"])
    bank = f.OrganizationFactory(name="Banco Uno", kind="private", member_state=None)
    response = client.post(
        "/accounts/networks/targeted-financial-sanctions/members/add/",
        {"organization": bank.pk, "role": f.role("member").pk},
    )
    assert response.status_code == 302
    assert OrganizationMembership.objects.get(organization=bank).network.slug == (
        "targeted-financial-sanctions"
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("other_member", 404),  # may not see who belongs to the network
        ("org_admin", 403),  # sees the members, does not manage them
        ("coordinator_other", 403),  # coordinates the network, for another state
        ("coordinator_same", 302),
        ("secretariat", 302),
    ],
)
def test_removing_an_organisation_from_a_network(actor, expected, world, client, login):
    membership = OrganizationMembership.objects.get(organization=world.target_org)
    login(world.actors[actor])
    url = f"{CSIRT}members/{membership.pk}/remove/"
    before = AuditEvent.objects.count()
    confirm = client.get(url)
    response = client.post(url)
    assert response.status_code == expected
    if expected == 302:
        assert confirm.status_code == 200
        assert not OrganizationMembership.objects.filter(pk=membership.pk).exists()
        [event] = AuditEvent.objects.filter(
            action="accounts.membership.delete", object_id=str(membership.pk)
        )
        assert event.actor_id == world.actors[actor].pk
    else:
        assert confirm.status_code == expected
        assert OrganizationMembership.objects.filter(pk=membership.pk).exists()
        assert AuditEvent.objects.count() == before


def test_a_membership_of_another_network_answers_404(world, client, login):
    other = f.join(world.actors["coordinator_same"].organization, "unscr-1540")
    login(world.actors["secretariat"])
    assert client.post(f"{CSIRT}members/{other.pk}/remove/").status_code == 404
    assert OrganizationMembership.objects.filter(pk=other.pk).exists()


def test_remove_links_appear_only_where_the_viewer_may_remove(world, client, login):
    f.join(world.actors["coordinator_other"].organization, "csirtamericas")
    login(world.actors["coordinator_same"])
    response = client.get(CSIRT)
    manageable = {
        m.organization.member_state.code: m.manageable for m in response.context["memberships"]
    }
    assert manageable == {"AR": True, "BR": False}
    content = response.content.decode()
    ar = OrganizationMembership.objects.get(organization=world.target_org)
    br = OrganizationMembership.objects.get(
        organization=world.actors["coordinator_other"].organization
    )
    assert f"{CSIRT}members/{ar.pk}/remove/" in content
    assert f"{CSIRT}members/{br.pk}/remove/" not in content
