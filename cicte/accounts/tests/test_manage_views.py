"""The directory and management pages: the authorization matrix for organisations and people,
audit events of every write, constant query counts of the lists, htmx partials, member states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import MemberState, Organization, User
from cicte.accounts.tests import factories as f
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous",
    "other_member",
    "coordinator_same",
    "coordinator_other",
    "org_admin",
    "secretariat",
)


@dataclass
class World:
    """An Argentine ministry in CSIRTAmericas with its people, and one actor of each kind."""

    target_org: Organization
    target: User
    colleague: User
    actors: dict[str, Any]


def build_world() -> World:
    target_org = f.OrganizationFactory(
        name="Ministerio de Seguridad", acronym="MINSEG", member_state=f.state("AR")
    )
    f.join(target_org, "csirtamericas")
    target = f.UserFactory(organization=target_org, full_name="Target Person")
    colleague = f.UserFactory(organization=target_org, full_name="Plain Colleague")
    org_admin = f.UserFactory(organization=target_org, full_name="Org Admin")
    f.grant(org_admin, "org_admin")
    coordinator_same = f.national_coordinator("AR", full_name="Coordinator Argentina")
    coordinator_other = f.national_coordinator("BR", full_name="Coordinator Brazil")
    secretariat = f.secretariat_admin(full_name="Secretariat Admin")
    for person in (coordinator_same, coordinator_other, secretariat):
        f.add_totp(person)
    other_member = f.UserFactory(
        organization=f.OrganizationFactory(member_state=f.state("BR")),
        full_name="Member Brazil",
    )
    return World(
        target_org=target_org,
        target=target,
        colleague=colleague,
        actors={
            "anonymous": None,
            "other_member": other_member,
            "coordinator_same": coordinator_same,
            "coordinator_other": coordinator_other,
            "org_admin": org_admin,
            "secretariat": secretariat,
        },
    )


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def as_actor(client, login, world):
    """Sign in as one of the world's actors (or stay anonymous) and return the client."""

    def _as(name: str) -> Client:
        user = world.actors[name]
        if user is not None:
            login(user)
        return client

    return _as


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def audit_count() -> int:
    return AuditEvent.objects.count()


# --- Organisations: the matrix ---------------------------------------------------------------

# actor: (list, target listed, detail, create, edit)
ORGANIZATION_MATRIX = {
    "anonymous": (302, False, 302, 302, 302),
    "other_member": (200, False, 404, 403, 404),
    "coordinator_same": (200, True, 200, 302, 302),
    "coordinator_other": (200, True, 200, 200, 403),
    "org_admin": (200, True, 200, 403, 403),
    "secretariat": (200, True, 200, 302, 302),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_organization_list_matrix(actor, world, as_actor):
    client = as_actor(actor)
    status, listed, *_ = ORGANIZATION_MATRIX[actor]
    response = client.get("/accounts/organisations/")
    if status == 302:
        assert_login_redirect(response, "/accounts/organisations/")
        return
    assert response.status_code == status
    names = [o.name for o in response.context["rows"]]
    assert ("Ministerio de Seguridad" in names) is listed


@pytest.mark.parametrize("actor", ACTORS)
def test_organization_detail_matrix(actor, world, as_actor):
    client = as_actor(actor)
    expected = ORGANIZATION_MATRIX[actor][2]
    url = f"/accounts/organisations/{world.target_org.pk}/"
    response = client.get(url)
    if expected == 302:
        assert_login_redirect(response, url)
        return
    assert response.status_code == expected
    if expected == 200:
        assert b"Ministerio de Seguridad" in response.content
        # Its networks are shown to those who may see who belongs to CSIRTAmericas.
        assert [m.network.slug for m in response.context["memberships"]] == ["csirtamericas"]


@pytest.mark.parametrize("actor", ACTORS)
def test_organization_create_matrix(actor, world, as_actor):
    client = as_actor(actor)
    expected = ORGANIZATION_MATRIX[actor][3]
    before_orgs, before_events = Organization.objects.count(), audit_count()
    url = "/accounts/organisations/new/"
    data = {
        "name": "Unidad de Información Financiera",
        "acronym": "UIF",
        "kind": OrganizationKind.FIU,
        "member_state": f.state("AR").pk,
        "website": "https://www.argentina.gob.ar/uif",
        "description": "",
    }
    response = client.post(url, data)
    if expected == 302 and actor == "anonymous":
        assert_login_redirect(response, url)
    elif expected == 302:
        created = Organization.objects.get(name="Unidad de Información Financiera")
        assert response["Location"] == f"/accounts/organisations/{created.pk}/"
        assert created.member_state.code == "AR"
        assert created.kind == OrganizationKind.FIU
        event = AuditEvent.objects.get(
            action="accounts.organization.create", object_id=str(created.pk)
        )
        assert event.actor_id == world.actors[actor].pk
        return
    else:
        assert response.status_code == expected
        if expected == 200:
            # The form offers only the actor's own member states: Argentina is not a choice.
            assert "member_state" in response.context["form"].errors
    assert Organization.objects.count() == before_orgs
    assert audit_count() == before_events


@pytest.mark.parametrize("actor", ACTORS)
def test_organization_edit_matrix(actor, world, as_actor):
    client = as_actor(actor)
    expected = ORGANIZATION_MATRIX[actor][4]
    url = f"/accounts/organisations/{world.target_org.pk}/edit/"
    before_events = audit_count()
    get = client.get(url)
    data = {
        "name": "Ministerio de Seguridad Nacional",
        "acronym": "MINSEG",
        "kind": OrganizationKind.MINISTRY,
        "member_state": f.state("AR").pk,
        "website": "",
        "description": "Seguridad nacional.",
        "is_active": "on",
    }
    response = client.post(url, data)
    world.target_org.refresh_from_db()
    if expected == 302 and actor == "anonymous":
        assert_login_redirect(get, url)
        assert_login_redirect(response, url)
    elif expected == 302:
        assert get.status_code == 200
        assert response["Location"] == f"/accounts/organisations/{world.target_org.pk}/"
        assert world.target_org.name == "Ministerio de Seguridad Nacional"
        event = AuditEvent.objects.get(
            action="accounts.organization.update", object_id=str(world.target_org.pk)
        )
        assert event.changes == {
            "name": ["Ministerio de Seguridad", "Ministerio de Seguridad Nacional"],
            "description": ["", "Seguridad nacional."],
        }
        return
    else:
        assert get.status_code == expected
        assert response.status_code == expected
    assert world.target_org.name == "Ministerio de Seguridad"
    assert world.target_org.description == ""
    assert audit_count() == before_events


# --- People: the matrix ----------------------------------------------------------------------

# actor: (list, target listed, detail, create, edit)
PEOPLE_MATRIX = {
    "anonymous": (302, False, 302, 302, 302),
    "other_member": (403, False, 404, 403, 404),
    "coordinator_same": (200, True, 200, 302, 302),
    "coordinator_other": (200, False, 404, 200, 404),
    "org_admin": (200, True, 200, 302, 302),
    "secretariat": (200, True, 200, 302, 302),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_people_list_matrix(actor, world, as_actor):
    client = as_actor(actor)
    status, listed, *_ = PEOPLE_MATRIX[actor]
    response = client.get("/accounts/users/")
    if status == 302:
        assert_login_redirect(response, "/accounts/users/")
        return
    assert response.status_code == status
    if status == 200:
        usernames = [u.username for u in response.context["rows"]]
        assert (world.target.username in usernames) is listed
        brazilian = world.actors["other_member"].username
        assert (brazilian in usernames) is (actor in {"coordinator_other", "secretariat"})


@pytest.mark.parametrize("actor", ACTORS)
def test_people_detail_matrix(actor, world, as_actor):
    client = as_actor(actor)
    expected = PEOPLE_MATRIX[actor][2]
    url = f"/accounts/users/{world.target.pk}/"
    response = client.get(url)
    if expected == 302:
        assert_login_redirect(response, url)
        return
    assert response.status_code == expected
    if expected == 200:
        assert b"Target Person" in response.content
        assert response.context["has_mfa"] is False


@pytest.mark.parametrize("actor", ACTORS)
def test_people_create_matrix(
    actor, world, as_actor, mailoutbox, django_capture_on_commit_callbacks
):
    client = as_actor(actor)
    expected = PEOPLE_MATRIX[actor][3]
    before_users, before_events = User.objects.count(), audit_count()
    url = "/accounts/users/new/"
    data = {
        "username": "newperson",
        "full_name": "New Person",
        "email": "new.person@example.org",
        "organization": world.target_org.pk,
        "preferred_language": "es",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    if expected == 302 and actor == "anonymous":
        assert_login_redirect(response, url)
    elif expected == 302:
        created = User.objects.get(username="newperson")
        assert response["Location"] == f"/accounts/users/{created.pk}/"
        assert created.organization == world.target_org
        assert created.preferred_language == "es"
        assert not created.has_usable_password()
        event = AuditEvent.objects.get(action="accounts.user.create", object_id=str(created.pk))
        assert event.actor_id == world.actors[actor].pk
        assert [m.to for m in mailoutbox] == [["new.person@example.org"]]
        return
    else:
        assert response.status_code == expected
        if expected == 200:
            # The Argentine organisation is not among a Brazilian coordinator's choices.
            assert "organization" in response.context["form"].errors
    assert User.objects.count() == before_users
    assert audit_count() == before_events
    assert mailoutbox == []


@pytest.mark.parametrize("actor", ACTORS)
def test_people_edit_matrix(actor, world, as_actor):
    client = as_actor(actor)
    expected = PEOPLE_MATRIX[actor][4]
    url = f"/accounts/users/{world.target.pk}/edit/"
    before_events = audit_count()
    get = client.get(url)
    data = {
        "full_name": "Target Person Renamed",
        "email": world.target.email,
        "organization": world.target_org.pk,
        "preferred_language": "fr",
        "is_active": "on",
    }
    response = client.post(url, data)
    world.target.refresh_from_db()
    if expected == 302 and actor == "anonymous":
        assert_login_redirect(get, url)
        assert_login_redirect(response, url)
    elif expected == 302:
        assert get.status_code == 200
        assert response["Location"] == f"/accounts/users/{world.target.pk}/"
        assert world.target.full_name == "Target Person Renamed"
        assert world.target.preferred_language == "fr"
        event = AuditEvent.objects.get(
            action="accounts.user.update", object_id=str(world.target.pk)
        )
        assert event.changes == {
            "full_name": ["Target Person", "Target Person Renamed"],
            "preferred_language": ["en", "fr"],
        }
        return
    else:
        assert get.status_code == expected
        assert response.status_code == expected
    assert world.target.full_name == "Target Person"
    assert world.target.preferred_language == "en"
    assert audit_count() == before_events


def test_a_colleague_sees_the_account_but_may_not_manage_it(world, client, login):
    """Visible (same organisation) but not manageable answers 403, and nothing changes."""
    login(world.colleague)
    before = audit_count()
    assert client.get(f"/accounts/users/{world.target.pk}/").status_code == 403
    response = client.post(
        f"/accounts/users/{world.target.pk}/edit/",
        {
            "full_name": "Hijacked",
            "email": world.target.email,
            "organization": world.target_org.pk,
            "preferred_language": "en",
        },
    )
    assert response.status_code == 403
    world.target.refresh_from_db()
    assert world.target.full_name == "Target Person"
    assert world.target.is_active is True
    assert audit_count() == before


# --- Organisations: forms and filters --------------------------------------------------------


def test_coordinator_form_offers_only_their_states_and_state_kinds(world, as_actor):
    client = as_actor("coordinator_same")
    form = client.get("/accounts/organisations/new/").context["form"]
    assert [s.code for s in form.fields["member_state"].queryset] == ["AR"]
    assert form.fields["member_state"].required is True
    kinds = {value for value, _label in form.fields["kind"].choices}
    assert OrganizationKind.SECRETARIAT not in kinds
    assert OrganizationKind.INTERNATIONAL not in kinds
    assert OrganizationKind.NATIONAL_CSIRT in kinds


def test_secretariat_form_offers_every_state(world, as_actor):
    client = as_actor("secretariat")
    form = client.get("/accounts/organisations/new/").context["form"]
    assert form.fields["member_state"].queryset.count() == 35
    assert form.fields["member_state"].required is False


def test_service_validation_errors_show_on_the_form(world, as_actor):
    client = as_actor("secretariat")
    before = Organization.objects.count()
    # An international organisation has no member state (the model's rule, checked by the service).
    response = client.post(
        "/accounts/organisations/new/",
        {"name": "UNODC", "kind": OrganizationKind.INTERNATIONAL, "member_state": f.state("AR").pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["member_state"] == [
        "This kind of organisation does not belong to a member state."
    ]
    # The same name twice in one state.
    response = client.post(
        "/accounts/organisations/new/",
        {"name": "Ministerio de Seguridad", "kind": "ministry", "member_state": f.state("AR").pk},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Organization.objects.count() == before
    assert b'role="alert"' in response.content


def test_an_unchanged_edit_writes_nothing(world, as_actor):
    client = as_actor("secretariat")
    org = world.target_org
    before = audit_count()
    response = client.post(
        f"/accounts/organisations/{org.pk}/edit/",
        {
            "name": org.name,
            "acronym": org.acronym,
            "kind": org.kind,
            "member_state": org.member_state_id,
            "website": "",
            "description": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert audit_count() == before


def test_coordinator_may_not_move_an_organisation_to_another_state(world, as_actor):
    client = as_actor("coordinator_same")
    response = client.post(
        f"/accounts/organisations/{world.target_org.pk}/edit/",
        {"name": "Ministerio de Seguridad", "kind": "ministry", "member_state": f.state("BR").pk},
    )
    assert response.status_code == 200
    assert "member_state" in response.context["form"].errors
    world.target_org.refresh_from_db()
    assert world.target_org.member_state.code == "AR"


def test_organization_filters(world, as_actor):
    f.OrganizationFactory(
        name="UIF Argentina", kind=OrganizationKind.FIU, member_state=f.state("AR")
    )
    f.OrganizationFactory(name="COAF", kind=OrganizationKind.FIU, member_state=f.state("BR"))
    client = as_actor("secretariat")

    def names(query: str) -> list[str]:
        response = client.get(f"/accounts/organisations/?{query}")
        assert response.status_code == 200
        return [o.name for o in response.context["rows"]]

    assert names("kind=fiu") == ["COAF", "UIF Argentina"]
    assert names("kind=fiu&member_state=AR") == ["UIF Argentina"]
    assert names("network=csirtamericas") == ["Ministerio de Seguridad"]
    assert names("q=minseg") == ["Ministerio de Seguridad"]


def test_network_filter_offers_only_networks_whose_members_the_reader_sees(world, as_actor):
    client = as_actor("org_admin")  # a member of CSIRTAmericas through their organisation
    response = client.get("/accounts/organisations/")
    offered = [n.slug for n in response.context["filterset"].form.fields["network"].queryset]
    assert offered == ["csirtamericas"]
    # Asking for another network's members is refused by the filter, not answered.
    response = client.get("/accounts/organisations/?network=aviation-security")
    assert "network" in response.context["filterset"].form.errors


def test_people_filter_offers_only_visible_organisations(world, as_actor):
    client = as_actor("coordinator_same")
    response = client.get("/accounts/users/")
    offered = set(response.context["filterset"].form.fields["organization"].queryset)
    assert world.target_org in offered
    assert world.actors["other_member"].organization not in offered
    response = client.get(f"/accounts/users/?organization={world.target_org.slug}")
    assert {u.username for u in response.context["rows"]} == {
        world.target.username,
        world.colleague.username,
        world.actors["org_admin"].username,
    }


# --- htmx ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/accounts/organisations/", "/accounts/users/", "/accounts/networks/"]
)
def test_htmx_requests_get_only_the_results(path, world, as_actor):
    client = as_actor("secretariat")
    full = client.get(path)
    assert full.status_code == 200
    assert b"<html" in full.content
    assert b'class="filters"' in full.content
    assert b'id="results"' in full.content

    partial = client.get(path, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    content = partial.content.decode()
    assert content.startswith('<section id="results"')
    assert "<html" not in content
    assert 'class="filters"' not in content
    assert "<table" in content
    assert "HX-Request" in partial["Vary"]

    restore = client.get(path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in restore.content


def test_filter_form_is_wired_for_htmx_and_works_without_it(world, as_actor):
    client = as_actor("secretariat")
    content = client.get("/accounts/organisations/").content.decode()
    assert 'method="get" action="/accounts/organisations/"' in content
    assert 'hx-get="/accounts/organisations/"' in content
    assert 'hx-push-url="true"' in content
    assert 'hx-target="#results"' in content


def test_pagination_keeps_the_filters(world, as_actor):
    for n in range(30):
        f.OrganizationFactory(name=f"Aduana {n:02d}", kind=OrganizationKind.CUSTOMS)
    client = as_actor("secretariat")
    response = client.get("/accounts/organisations/?kind=customs")
    assert response.context["page_obj"].paginator.count == 30
    assert len(response.context["rows"]) == 25
    assert 'href="/accounts/organisations/?kind=customs&amp;page=2"' in response.content.decode()
    second = client.get("/accounts/organisations/?kind=customs&page=2")
    assert [o.name for o in second.context["rows"]] == [f"Aduana {n:02d}" for n in range(25, 30)]


# --- Query counts ----------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _more_organizations(count: int) -> None:
    for _ in range(count):
        org = f.OrganizationFactory(member_state=f.state("AR"))
        f.join(org, "csirtamericas")
        f.join(org, "unscr-1540", "observer")


def _more_people(organization: Organization, count: int) -> None:
    for _ in range(count):
        person = f.UserFactory(organization=organization)
        f.grant(person, "member", network_slug="csirtamericas")
        f.grant(person, "org_admin")
        f.add_totp(person)


@pytest.mark.parametrize("actor", ["secretariat", "coordinator_same"])
def test_list_query_counts_do_not_grow_with_rows(actor, world, as_actor):
    client = as_actor(actor)
    paths = [
        "/accounts/organisations/",
        "/accounts/users/",
        "/accounts/networks/",
        "/accounts/member-states/",
    ]
    _more_organizations(3)
    _more_people(world.target_org, 3)
    for path in paths:
        client.get(path)  # warm up the session and caches
    small = {path: _queries(client, path) for path in paths}
    _more_organizations(27)
    _more_people(world.target_org, 27)
    large = {path: _queries(client, path) for path in paths}
    assert large == small
    # Enough rows that a per-row query would have shown.
    assert client.get("/accounts/users/").context["page_obj"].paginator.count >= 30
    assert client.get("/accounts/organisations/").context["page_obj"].paginator.count >= 30


# --- Member states and networks --------------------------------------------------------------


def test_member_states_in_the_reader_language_with_visible_counts(world, as_actor):
    client = as_actor("other_member")
    response = client.get("/accounts/member-states/")
    states = response.context["states"]
    assert len(states) == 35
    counts = {s.code: s.organization_count for s in states}
    # The Brazilian member sees their own organisation and the coordinator's, not Argentina's.
    assert counts["BR"] == 2
    assert counts["AR"] == 0
    assert b'href="/accounts/organisations/?member_state=BR"' in response.content

    client.cookies["django_language"] = "es"
    response = client.get("/accounts/member-states/")
    names = [s.localized_name for s in response.context["states"]]
    assert "Estados Unidos" in names
    assert "Brasil" in names
    assert names.index("Belice") < names.index("Bolivia") < names.index("Brasil")
    assert b"Estados Unidos" in response.content


def test_member_state_counts_follow_visibility(world, as_actor):
    client = as_actor("secretariat")
    counts = {
        s.code: s.organization_count
        for s in client.get("/accounts/member-states/").context["states"]
    }
    assert counts["AR"] == Organization.objects.filter(member_state__code="AR").count() == 2
    assert sum(counts.values()) == Organization.objects.exclude(member_state=None).count()
    assert MemberState.objects.count() == 35


def test_network_list_in_spanish(world, as_actor):
    client = as_actor("other_member")
    client.cookies["django_language"] = "es"
    response = client.get("/accounts/networks/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 9
    assert b"Sanciones financieras dirigidas" in response.content
    names = [n.localized_name for n in response.context["rows"]]
    assert names == sorted(names)
    assert names[-1] == "Seguridad marítima y portuaria"
    rows = {n.slug: n for n in response.context["rows"]}
    # A member of no network is not told how many organisations belong to each.
    assert rows["csirtamericas"].members_visible is False
    assert {n.members_visible for n in rows.values()} == {False}
