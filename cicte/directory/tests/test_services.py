"""The directory's services: designation lifecycle, history, permissions, validation."""

import datetime as dt
from pathlib import Path

import pysequoia
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import services
from cicte.directory.choices import DesignationStatus
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db


def test_phones_are_stored_in_e164_and_bad_ones_refused():
    org = af.OrganizationFactory(member_state=af.state("AR"))
    contact = df.contact(
        org,
        phones=[
            {"kind": "mobile", "number": "011 15 5555-0101"},
            {"kind": "office", "number": "+54 11 4342-6000"},
        ],
    )
    assert sorted(contact.phones.values_list("number", flat=True)) == [
        "+541143426000",
        "+5491155550101",
    ]
    with pytest.raises(ValidationError) as exc:
        df.contact(org, phones=[{"kind": "office", "number": "12345"}])
    assert "phones" in exc.value.message_dict


def test_pgp_key_parsed_and_private_or_garbage_refused():
    org = af.OrganizationFactory()
    cert = pysequoia.Cert.generate("Duty Desk <desk@example.org>")
    public = str(cert)
    contact = df.contact(org, pgp_key=public)
    assert contact.pgp_fingerprint == cert.fingerprint.upper()
    assert contact.pgp_user_ids == ["Duty Desk <desk@example.org>"]
    assert contact.pgp_expires_at is not None
    with pytest.raises(ValidationError, match="not a valid OpenPGP"):
        df.contact(
            org,
            pgp_key="-----BEGIN PGP PUBLIC KEY BLOCK-----\nnonsense\n-----END PGP PUBLIC KEY BLOCK-----",
        )
    with pytest.raises(ValidationError, match="private key"):
        df.contact(org, pgp_key=str(cert.secrets))


def test_expired_pgp_key_refused():
    # A public key made with GnuPG under a faked clock: created 2020-01-01, expired 2020-12-31.
    expired = (Path(__file__).parent / "data" / "expired-key.asc").read_text()
    with pytest.raises(ValidationError, match="expired on 2020-12-31"):
        df.contact(af.OrganizationFactory(), pgp_key=expired)


def test_coordinator_designates_in_own_state_and_network_only():
    coordinator = af.national_coordinator("CO", "csirtamericas")
    org = af.OrganizationFactory(member_state=af.state("CO"))
    contact = df.contact(org, actor=coordinator)
    designation = df.designation(contact, "csirtamericas", "national_poc", actor=coordinator)
    assert designation.status == DesignationStatus.ACTIVE  # CSIRTAmericas needs no confirmation
    assert designation.member_state.code == "CO"
    with pytest.raises(PermissionDenied):
        df.designation(contact, "aviation-security", "focal_point", actor=coordinator)
    foreign = df.contact(af.OrganizationFactory(member_state=af.state("PE")))
    with pytest.raises(PermissionDenied):
        df.designation(foreign, "csirtamericas", "national_poc", actor=coordinator)
    with pytest.raises(PermissionDenied):
        df.contact(af.OrganizationFactory(member_state=af.state("PE")), actor=coordinator)


def test_confirmation_and_replacement_keep_history():
    coordinator = af.national_coordinator("AR", "inter-american-network-against-terrorism")
    admin = af.secretariat_admin()
    org = af.OrganizationFactory(member_state=af.state("AR"))
    first = df.designation(
        df.contact(org),
        "inter-american-network-against-terrorism",
        "national_poc",
        actor=coordinator,
    )
    assert first.status == DesignationStatus.PENDING
    assert first.effective_from is None
    services.confirm_designation(actor=admin, designation=first)
    assert first.status == DesignationStatus.ACTIVE
    assert first.effective_from == timezone.localdate()
    ContactDesignation.objects.filter(pk=first.pk).update(
        effective_from=dt.date(2024, 1, 1), valid_from=dt.date(2024, 1, 1)
    )
    first.refresh_from_db()
    second = df.designation(
        df.contact(org),
        "inter-american-network-against-terrorism",
        "national_poc",
        actor=coordinator,
        replaces=first,
    )
    first.refresh_from_db()
    assert first.status == DesignationStatus.ACTIVE  # until the replacement is confirmed
    services.confirm_designation(actor=admin, designation=second)
    first.refresh_from_db()
    assert first.status == DesignationStatus.REPLACED
    assert first.valid_to == second.effective_from
    in_2024 = ContactDesignation.objects.in_force_on(dt.date(2024, 6, 1))
    assert list(in_2024) == [first]
    assert list(ContactDesignation.objects.in_force_on(timezone.localdate())) == [second]
    actions = list(
        AuditEvent.objects.filter(object_type="directory.contactdesignation").values_list(
            "action", flat=True
        )
    )
    assert actions.count("directory.designation.confirm") == 2


def test_confirmation_is_the_secretariats():
    coordinator = af.national_coordinator("AR", "unscr-1540")
    pending = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("AR"))),
        "unscr-1540",
        "national_poc",
        actor=coordinator,
    )
    with pytest.raises(PermissionDenied):
        services.confirm_designation(actor=coordinator, designation=pending)
    services.reject_designation(
        actor=af.secretariat_admin(), designation=pending, reason="Note verbale missing"
    )
    assert pending.status == DesignationStatus.REJECTED
    with pytest.raises(ValidationError):
        services.confirm_designation(actor=af.secretariat_admin(), designation=pending)


def test_withdrawal_ends_validity_and_keeps_the_record():
    designation = df.designation(df.contact(), "csirtamericas", "technical")
    services.withdraw_designation(
        actor=af.secretariat_admin(), designation=designation, reason="Left the post"
    )
    assert designation.status == DesignationStatus.WITHDRAWN
    assert designation.valid_to == timezone.localdate()
    assert ContactDesignation.objects.filter(pk=designation.pk).exists()
    with pytest.raises(ValidationError):
        services.withdraw_designation(actor=af.secretariat_admin(), designation=designation)


def test_network_specific_attributes_are_validated():
    contact = df.contact()
    designation = df.designation(
        contact,
        "cargo-container-security",
        "instructor",
        attributes={"certifications": "WCO SAFE; ISPS", "certified_until": "2027-05-01"},
    )
    assert designation.attributes == {
        "certifications": ["WCO SAFE", "ISPS"],
        "certified_until": "2027-05-01",
    }
    with pytest.raises(ValidationError, match="Unknown attributes"):
        df.designation(
            contact, "cargo-container-security", "instructor", attributes={"shoe_size": "42"}
        )
    with pytest.raises(ValidationError, match="date"):
        df.designation(
            contact,
            "cargo-container-security",
            "instructor",
            attributes={"certified_until": "next year"},
        )
    with pytest.raises(ValidationError, match="does not use"):
        df.designation(contact, "cargo-container-security", "national_poc")


def test_contact_updates_own_details_but_not_organisation():
    person = af.UserFactory()
    contact = df.contact(person.organization, user=person)
    services.update_contact(
        actor=person,
        contact=contact,
        title="Director",
        phones=[{"kind": "office", "number": "+54 11 4342-6001"}],
    )
    contact.refresh_from_db()
    assert contact.title == "Director"
    with pytest.raises(PermissionDenied):
        services.update_contact(actor=person, contact=contact, is_active=False)
    with pytest.raises(PermissionDenied):
        services.update_contact(actor=af.UserFactory(), contact=contact, title="Intruder")
    event = AuditEvent.objects.filter(action="directory.contact.update").latest("id")
    assert set(event.changes) == {"title", "phones"}


def test_visible_to_network_members_and_secretariat_only():
    designation = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("MX"))),
        "csirtamericas",
        "national_poc",
    )
    member = af.UserFactory()
    af.grant(member, "member", network_slug="csirtamericas")
    outsider = af.UserFactory()
    af.grant(outsider, "member", network_slug="unscr-1540")
    admin = af.secretariat_admin()
    assert list(ContactDesignation.objects.visible_to(member)) == [designation]
    assert list(ContactDesignation.objects.visible_to(outsider)) == []
    assert list(ContactDesignation.objects.visible_to(admin)) == [designation]
    assert list(Contact.objects.visible_to(member)) == [designation.contact]
    assert list(Contact.objects.visible_to(outsider)) == []
    from django.contrib.auth.models import AnonymousUser

    assert list(ContactDesignation.objects.visible_to(AnonymousUser())) == []


def test_stale_designations():
    designation = df.designation(df.contact(), "csirtamericas", "national_poc")
    assert not designation.is_stale
    df.make_stale(designation)
    assert designation.is_stale
    services.verify_designation(actor=af.secretariat_admin(), designation=designation)
    assert not designation.is_stale
