"""The directory's pages: the authorization matrix {anonymous, member of another network, same
network other state, the state's coordinator, Secretariat} x {search list, contact detail,
designation detail, roster, document download}; sensitive fields by the network's policy; audit
events of views; constant query counts of the search; htmx partials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pysequoia
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import services
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as df
from cicte.directory.validation import display_phone

pytestmark = pytest.mark.django_db

NETWORK = "aviation-security"  # sensitive fields: same state; no confirmation
ACTORS = ("anonymous", "other_network", "same_network", "coordinator", "secretariat")
PDF = b"%PDF-1.4\n% designation of the focal point\n"

OFFICE = "+541143426000"
MOBILE = "+5491155550101"
HOTLINE = "+541143426099"
PERSONAL_EMAIL = "ana.private@example.net"


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """Designation documents go to a throwaway directory, not the checkout's var/."""
    field = ContactDesignation._meta.get_field("document")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))


@dataclass
class World:
    """An Argentine 24/7 contact designated to the aviation security focal points, with a
    designation document, and one actor of each kind."""

    contact: Contact
    designation: ContactDesignation
    fingerprint: str
    actors: dict[str, Any]


def build_world() -> World:
    admin = af.secretariat_admin(full_name="Secretariat Admin")
    af.add_totp(admin)
    org = af.OrganizationFactory(
        name="Policía de Seguridad Aeroportuaria", member_state=af.state("AR")
    )
    cert = pysequoia.Cert.generate("Ana Duty <ana@example.org>")
    contact = df.contact(
        org,
        actor=admin,
        name="Ana Duty Officer",
        title="Watch officer",
        availability="24_7",
        phones=[
            {"kind": "office", "number": OFFICE},
            {"kind": "mobile", "number": MOBILE},
            {"kind": "24_7", "number": HOTLINE},
        ],
        emails=[
            {"kind": "institutional", "address": "ana@psa.example.org"},
            {"kind": "personal", "address": PERSONAL_EMAIL},
        ],
        pgp_key=str(cert),
    )
    designation = df.designation(
        contact,
        NETWORK,
        "focal_point",
        actor=admin,
        note_verbale_number="NV-2025-017",
        document=SimpleUploadedFile("nv-2025-017.pdf", PDF, content_type="application/pdf"),
    )
    other_network = af.UserFactory(
        organization=af.OrganizationFactory(member_state=af.state("BR")),
        full_name="Member Elsewhere",
    )
    af.grant(other_network, "member", network_slug="unscr-1540")
    same_network = af.UserFactory(
        organization=af.OrganizationFactory(member_state=af.state("BR")),
        full_name="Member Brazil",
    )
    af.grant(same_network, "member", network_slug=NETWORK)
    coordinator = af.national_coordinator("AR", NETWORK, full_name="Coordinator Argentina")
    af.add_totp(coordinator)
    return World(
        contact=contact,
        designation=designation,
        fingerprint=cert.fingerprint.upper(),
        actors={
            "anonymous": None,
            "other_network": other_network,
            "same_network": same_network,
            "coordinator": coordinator,
            "secretariat": admin,
        },
    )


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def as_actor(client, login, world):
    def _as(name: str) -> Client:
        user = world.actors[name]
        if user is not None:
            login(user)
        return client

    return _as


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def views_of(obj_type: str, pk: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj_type, object_id=str(pk), action=action))


# actor -> (status, sees the contact, sees its sensitive fields)
MATRIX = {
    "anonymous": (302, False, False),
    "other_network": (404, False, False),
    "same_network": (200, True, False),
    "coordinator": (200, True, True),
    "secretariat": (200, True, True),
}


def assert_sensitive(content: str, expected: bool) -> None:
    assert (display_phone(MOBILE) in content) is expected
    assert (PERSONAL_EMAIL in content) is expected


@pytest.mark.parametrize("actor", ACTORS)
def test_search_matrix(actor, world, as_actor):
    client = as_actor(actor)
    response = client.get("/directory/")
    status, sees, sensitive = MATRIX[actor]
    if status == 302:
        assert_login_redirect(response, "/directory/")
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert [d.pk for d in response.context["rows"]] == ([world.designation.pk] if sees else [])
    assert ("Ana Duty Officer" in content) is sees
    if sees:
        assert display_phone(OFFICE) in content
        assert "ana@psa.example.org" in content
        assert "24/7" in content
    assert_sensitive(content, sensitive)


@pytest.mark.parametrize("actor", ACTORS)
def test_contact_detail_matrix_and_audit(actor, world, as_actor):
    client = as_actor(actor)
    url = f"/directory/contacts/{world.contact.pk}/"
    before = len(views_of("directory.contact", world.contact.pk, "directory.contact.view"))
    response = client.get(url)
    status, _sees, sensitive = MATRIX[actor]
    events = views_of("directory.contact", world.contact.pk, "directory.contact.view")
    if status == 302:
        assert_login_redirect(response, url)
        assert len(events) == before
        return
    assert response.status_code == (200 if status == 200 else 404)
    content = response.content.decode()
    if status == 404:
        assert "Ana Duty Officer" not in content
        assert len(events) == before
        return
    assert "Ana Duty Officer" in content
    assert display_phone(OFFICE) in content
    assert "English, Spanish" in content
    assert_sensitive(content, sensitive)
    assert (world.fingerprint[:4] in content) is sensitive
    assert ("BEGIN PGP PUBLIC KEY BLOCK" in content) is sensitive
    assert (display_phone(HOTLINE) in content) is sensitive
    # Each view is on the record, with its reader.
    assert len(events) == before + 1
    assert events[0].actor == world.actors[actor]
    assert events[0].subject_member_state.code == "AR"
    # The designation and its note verbale are listed.
    assert [d.pk for d in response.context["designations"]] == [world.designation.pk]
    assert "NV-2025-017" in content
    # Who looked: the designating state's coordinator and the Secretariat only.
    shows_viewers = actor in ("coordinator", "secretariat")
    assert (response.context["viewers"] is not None) is shows_viewers
    assert ("Who looked at this contact" in content) is shows_viewers


@pytest.mark.parametrize("actor", ACTORS)
def test_designation_detail_matrix(actor, world, as_actor):
    client = as_actor(actor)
    url = f"/directory/designations/{world.designation.pk}/"
    response = client.get(url)
    status, _sees, _sensitive = MATRIX[actor]
    if status == 302:
        assert_login_redirect(response, url)
        return
    assert response.status_code == status
    content = response.content.decode()
    if status == 404:
        assert "Ana Duty Officer" not in content
        return
    assert "Ana Duty Officer" in content
    assert "NV-2025-017" in content
    assert f"/directory/designations/{world.designation.pk}/document/" in content
    # Actions as permitted: the state's coordinator and the Secretariat withdraw and replace.
    manages = actor in ("coordinator", "secretariat")
    assert ("Withdraw the designation" in content) is manages
    assert ("Replace with another contact" in content) is manages
    assert "Confirm the designation" not in content  # already in force


@pytest.mark.parametrize("actor", ACTORS)
def test_roster_matrix(actor, world, as_actor):
    client = as_actor(actor)
    url = f"/directory/networks/{NETWORK}/roster/"
    response = client.get(url)
    status, _sees, sensitive = MATRIX[actor]
    if status == 302:
        assert_login_redirect(response, url)
        return
    assert response.status_code == status
    content = response.content.decode()
    if status == 404:
        assert "Ana Duty Officer" not in content
        return
    rows = response.context["rows"]
    assert len(rows) == 35
    argentina = next(row for row in rows if row["state"].code == "AR")
    assert [d.pk for d in argentina["designations"]] == [world.designation.pk]
    assert sum(1 for row in rows if not row["designations"]) == 34
    assert content.count("None designated") == 34
    assert (display_phone(HOTLINE) in content) is sensitive
    assert ("Restricted by the network" in content) is (not sensitive)
    assert_sensitive(content, sensitive)


@pytest.mark.parametrize("actor", ACTORS)
def test_document_download_matrix(actor, world, as_actor):
    client = as_actor(actor)
    url = f"/directory/designations/{world.designation.pk}/document/"
    response = client.get(url)
    status, _sees, _sensitive = MATRIX[actor]
    events = views_of(
        "directory.contactdesignation", world.designation.pk, "directory.contactdesignation.view"
    )
    if status == 302:
        assert_login_redirect(response, url)
        assert events == []
        return
    assert response.status_code == status
    if status == 404:
        assert events == []
        return
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="nv-2025-017')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert len(events) == 1
    assert events[0].actor == world.actors[actor]
    assert events[0].changes["document"].startswith("nv-2025-017")


def test_no_document_answers_404(world, as_actor):
    client = as_actor("secretariat")
    other = df.designation(df.contact(af.OrganizationFactory(member_state=af.state("CL"))), NETWORK)
    assert client.get(f"/directory/designations/{other.pk}/document/").status_code == 404


def test_sensitive_fields_follow_the_network_policy(world, as_actor):
    services.update_policy(
        actor=world.actors["secretariat"],
        network=af.network(NETWORK),
        sensitive_fields="members",
    )
    client = as_actor("same_network")
    content = client.get(f"/directory/contacts/{world.contact.pk}/").content.decode()
    assert_sensitive(content, True)
    assert world.fingerprint[:4] in content
    search = client.get("/directory/").content.decode()
    assert_sensitive(search, True)


def test_coordinator_sees_who_looked(world, client, login):
    login(world.actors["same_network"])
    client.get(f"/directory/contacts/{world.contact.pk}/")
    client.logout()
    login(world.actors["coordinator"])
    response = client.get(f"/directory/contacts/{world.contact.pk}/")
    viewers = [event.actor for event in response.context["viewers"]]
    assert viewers == [world.actors["coordinator"], world.actors["same_network"]]
    assert "Member Brazil" in response.content.decode()


def test_pending_designations_are_seen_only_by_their_state_and_the_secretariat(
    world, client, login
):
    coordinator = world.actors["coordinator"]
    services.update_policy(
        actor=world.actors["secretariat"], network=af.network(NETWORK), requires_confirmation=True
    )
    pending = df.designation(
        df.contact(world.contact.organization, name="Pending Person"),
        NETWORK,
        "alternate",
        actor=coordinator,
    )
    assert pending.status == "pending"
    login(world.actors["same_network"])
    assert client.get(f"/directory/designations/{pending.pk}/").status_code == 404
    assert "Pending Person" not in client.get("/directory/?status=pending").content.decode()
    client.logout()
    login(coordinator)
    response = client.get("/directory/?status=pending")
    assert [d.pk for d in response.context["rows"]] == [pending.pk]
    assert "Awaiting Secretariat confirmation" in response.content.decode()


# --- The search: filters, history, staleness, htmx, query counts -------------------------------


def test_search_filters_and_default_status(world, as_actor):
    client = as_actor("secretariat")
    withdrawn = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("PE")), name="Former Contact"),
        NETWORK,
        "alternate",
    )
    services.withdraw_designation(actor=world.actors["secretariat"], designation=withdrawn)
    names = lambda response: [d.contact.name for d in response.context["rows"]]  # noqa: E731
    assert names(client.get("/directory/")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?status=withdrawn")) == ["Former Contact"]
    assert names(client.get("/directory/?member_state=AR")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?member_state=PE")) == []
    assert names(client.get("/directory/?q=duty")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?q=psa.example")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?always_available=true")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?always_available=false")) == []
    assert names(client.get("/directory/?language=es")) == ["Ana Duty Officer"]
    assert names(client.get("/directory/?language=fr")) == []
    assert names(client.get("/directory/?role=alternate")) == []


def test_stale_designation_is_flagged(world, as_actor):
    df.make_stale(world.designation)
    client = as_actor("same_network")
    response = client.get("/directory/")
    content = response.content.decode()
    assert content.count("Verification overdue") == 2  # the filter's label and the row's flag
    assert 'class="is-stale"' in content
    response = client.get("/directory/?stale=true")
    assert [d.pk for d in response.context["rows"]] == [world.designation.pk]
    assert client.get("/directory/?stale=false").context["rows"] == []
    detail = client.get(f"/directory/contacts/{world.contact.pk}/").content.decode()
    assert "Verification overdue" in detail
    roster = client.get(f"/directory/networks/{NETWORK}/roster/").content.decode()
    assert "Verification overdue" in roster


def test_htmx_swaps_only_the_results(world, as_actor):
    client = as_actor("secretariat")
    response = client.get("/directory/?q=Ana", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.startswith('<section id="results"')
    assert "<html" not in content
    assert "Ana Duty Officer" in content
    assert response["Vary"].count("HX-Request") == 1
    full = client.get("/directory/?q=Ana").content.decode()
    assert "<html" in full
    assert 'hx-target="#results"' in full


def _more_designations(count: int, admin: Any) -> None:
    for n in range(count):
        code = ("CO", "MX", "PE", "CL")[n % 4]
        contact = df.contact(
            af.OrganizationFactory(member_state=af.state(code)),
            actor=admin,
            phones=[
                {"kind": "office", "number": df.PHONES[code]},
                {"kind": "24_7", "number": df.PHONES[code]},
            ],
            emails=[
                {"kind": "institutional", "address": f"desk{n}@example.org"},
                {"kind": "personal", "address": f"home{n}@example.net"},
            ],
            languages=["es", "en", "pt"],
        )
        df.designation(contact, NETWORK, "focal_point", actor=admin)
        if n % 3 == 0:
            df.designation(contact, "csirtamericas", "technical", actor=admin)


def _queries(client: Client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), len(response.context["rows"])


@pytest.mark.parametrize("actor", ["same_network", "coordinator", "secretariat"])
def test_search_query_count_does_not_grow_with_rows(actor, world, as_actor):
    admin = world.actors["secretariat"]
    _more_designations(2, admin)
    client = as_actor(actor)
    path = f"/directory/?network={NETWORK}"
    client.get(path)  # warm up the session
    few, few_rows = _queries(client, path)
    assert few_rows == 3
    _more_designations(27, admin)
    many, many_rows = _queries(client, path)
    assert many_rows == 25  # a page of 30
    assert many == few
    roster_few = _queries(client, f"/directory/networks/{NETWORK}/roster/")[0]
    _more_designations(5, admin)
    assert _queries(client, f"/directory/networks/{NETWORK}/roster/")[0] == roster_few
