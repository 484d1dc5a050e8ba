"""The designation lifecycle through the pages (designate -> pending -> confirm; replace;
withdraw; reject; verify), contact forms (creation, validation, self-service), history ("in force
on" a past date), the work queues, the roster and the network policy page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory.choices import DesignationStatus
from cicte.directory.models import Contact, ContactDesignation, DirectoryPolicy
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db

IANAT = "inter-american-network-against-terrorism"  # designations need confirmation
PDF = b"%PDF-1.7\n% note verbale\n"


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    field = ContactDesignation._meta.get_field("document")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))


@pytest.fixture
def coordinator():
    user = af.national_coordinator("AR", IANAT, full_name="Coordinator Argentina")
    af.add_totp(user)
    return user


@pytest.fixture
def admin():
    user = af.secretariat_admin(full_name="Secretariat Admin")
    af.add_totp(user)
    return user


@pytest.fixture
def ministry():
    return af.OrganizationFactory(name="Ministerio de Seguridad", member_state=af.state("AR"))


def rows(prefix: str, items: list[dict[str, str]], total: int | None = None) -> dict[str, Any]:
    """The POST data of a repeated group of fields (a formset)."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(total if total is not None else len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def contact_data(organization: Any = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "person",
        "name": "Carlos Punto Focal",
        "title": "Director of international cooperation",
        "time_zone": "America/Argentina/Buenos_Aires",
        "availability": "office_hours",
        "office_hours_start": "09:00",
        "office_hours_end": "17:00",
        "office_days": ["1", "2", "3", "4", "5"],
        "languages": ["es", "en"],
        "pgp_key": "",
        "notes": "",
        "account": "",
        **rows(
            "phones",
            [
                {"kind": "office", "number": "011 4342-6000", "extension": "12"},
                {"kind": "mobile", "number": "", "extension": ""},
            ],
        ),
        **rows("emails", [{"kind": "institutional", "address": "carlos@minseg.example.org"}]),
        **rows("channels", [{"kind": "signal", "address": "+54 9 11 5555 0101"}]),
    }
    if organization is not None:
        data["organization"] = str(organization.pk)
    data.update(overrides)
    return data


def designation_data(network: str, role: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "network": network,
        "role": role,
        "note_verbale_number": "NV-ARG-2025-044",
        "note_verbale_date": "2025-03-10",
        "valid_from": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Designate -> pending -> confirm ---------------------------------------------------------


def test_coordinator_records_designates_and_the_secretariat_confirms(
    client, login, coordinator, admin, ministry
):
    login(coordinator)
    response = client.post("/directory/contacts/new/", contact_data(ministry))
    contact = Contact.objects.get(name="Carlos Punto Focal")
    assert response.status_code == 302
    assert response["Location"] == f"/directory/contacts/{contact.pk}/"
    assert [(p.kind, p.number, p.extension) for p in contact.phones.all()] == [
        ("office", "+541143426000", "12")
    ]
    assert list(contact.emails.values_list("address", flat=True)) == ["carlos@minseg.example.org"]
    assert contact.language_codes == ["en", "es"]
    assert contact.secure_channels == [{"kind": "signal", "address": "+54 9 11 5555 0101"}]
    assert contact.office_hours_start == dt.time(9, 0)
    assert AuditEvent.objects.filter(
        action="directory.contact.create", object_id=str(contact.pk), actor=coordinator
    ).exists()

    # The coordinator coordinates one network: the form opens on it.
    form_page = client.get(f"/directory/contacts/{contact.pk}/designate/")
    assert form_page.status_code == 200
    assert form_page.context["network"].slug == IANAT
    assert [value for value, _label in form_page.context["form"].fields["role"].choices] == [
        "national_poc",
        "alternate",
        "operational",
    ]
    response = client.post(
        f"/directory/contacts/{contact.pk}/designate/",
        {
            **designation_data(IANAT, "national_poc"),
            "document": SimpleUploadedFile("nv.pdf", PDF, content_type="application/pdf"),
        },
    )
    designation = ContactDesignation.objects.get(contact=contact)
    assert response.status_code == 302
    assert response["Location"] == f"/directory/designations/{designation.pk}/"
    assert designation.status == DesignationStatus.PENDING
    assert designation.note_verbale_number == "NV-ARG-2025-044"
    assert designation.note_verbale_date == dt.date(2025, 3, 10)
    assert designation.document.read() == PDF
    detail = client.get(response["Location"])
    assert "awaits the Secretariat&#x27;s confirmation" in detail.content.decode() or (
        "awaits the Secretariat's confirmation" in detail.content.decode()
    )
    # Pending designations are not in the directory as it stands, but the state sees them.
    assert client.get("/directory/").context["rows"] == []
    assert [d.pk for d in client.get("/directory/?status=pending").context["rows"]] == [
        designation.pk
    ]
    client.logout()

    login(admin)
    queue = client.get("/directory/designations/pending/")
    assert [d.pk for d in queue.context["rows"]] == [designation.pk]
    response = client.post(
        f"/directory/designations/{designation.pk}/confirm/",
        {"next": "/directory/designations/pending/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/directory/designations/pending/"
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.ACTIVE
    assert designation.confirmed_by == admin
    assert designation.effective_from == timezone.localdate()
    assert client.get("/directory/designations/pending/").context["rows"] == []
    assert [d.pk for d in client.get("/directory/").context["rows"]] == [designation.pk]
    actions = list(
        AuditEvent.objects.filter(
            object_type="directory.contactdesignation", object_id=str(designation.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["directory.designation.create", "directory.designation.confirm"]


def test_confirm_is_the_secretariats(client, login, coordinator, ministry):
    pending = df.designation(df.contact(ministry), IANAT, "national_poc", actor=coordinator)
    login(coordinator)
    detail = client.get(f"/directory/designations/{pending.pk}/").content.decode()
    assert "Confirm the designation" not in detail
    assert client.post(f"/directory/designations/{pending.pk}/confirm/").status_code == 403
    assert client.get("/directory/designations/pending/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == DesignationStatus.PENDING


def test_reject_needs_a_reason(client, login, coordinator, admin, ministry):
    pending = df.designation(df.contact(ministry), IANAT, "national_poc", actor=coordinator)
    login(admin)
    url = f"/directory/designations/{pending.pk}/reject/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert response.context["reject_form"].errors == {"reason": ["This field is required."]}
    pending.refresh_from_db()
    assert pending.status == DesignationStatus.PENDING
    response = client.post(url, {"reason": "The note verbale is not signed."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == DesignationStatus.REJECTED
    assert pending.end_reason == "The note verbale is not signed."


def test_a_bad_document_is_refused_on_the_form(client, login, coordinator, ministry):
    contact = df.contact(ministry)
    login(coordinator)
    response = client.post(
        f"/directory/contacts/{contact.pk}/designate/",
        {
            **designation_data(IANAT, "national_poc"),
            "document": SimpleUploadedFile("nv.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "document": ["The document must be a PDF, PNG or JPEG file."]
    }
    assert not ContactDesignation.objects.exists()


def test_a_role_the_network_does_not_use_is_refused(client, login, coordinator, ministry):
    contact = df.contact(ministry)
    login(coordinator)
    response = client.post(
        f"/directory/contacts/{contact.pk}/designate/", designation_data(IANAT, "instructor")
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not ContactDesignation.objects.exists()


def test_coordinator_cannot_designate_elsewhere(client, login, coordinator):
    foreign = df.contact(af.OrganizationFactory(member_state=af.state("PE")))
    df.designation(foreign, IANAT, "national_poc")
    login(coordinator)
    # Seen (a member of the network sees its directory) but not theirs to designate.
    assert client.get(f"/directory/contacts/{foreign.pk}/designate/").status_code == 403
    page = client.get(f"/directory/designations/new/?network={IANAT}")
    assert list(page.context["form"].fields["contact"].queryset) == []
    member = af.UserFactory()
    af.grant(member, "member", network_slug=IANAT)
    client.logout()
    login(member)
    assert client.get("/directory/designations/new/").status_code == 403
    assert client.get("/directory/contacts/new/").status_code == 403


def test_network_is_chosen_first_when_there_are_several(client, login, admin, ministry):
    contact = df.contact(ministry)
    login(admin)
    response = client.get(f"/directory/contacts/{contact.pk}/designate/")
    assert response.context["network_form"].fields["network"].queryset.count() == 9
    assert 'name="role"' not in response.content.decode()
    response = client.get(
        f"/directory/contacts/{contact.pk}/designate/?network=cargo-container-security"
    )
    form = response.context["form"]
    assert [f.label for f in form.attribute_fields] == ["Certifications", "Certified until"]
    response = client.post(
        f"/directory/contacts/{contact.pk}/designate/",
        designation_data(
            "cargo-container-security",
            "instructor",
            attr_certifications="WCO SAFE; ISPS",
            attr_certified_until="2027-05-01",
        ),
    )
    designation = ContactDesignation.objects.get(contact=contact)
    assert response.status_code == 302
    # The Secretariat's designations are in force at once.
    assert designation.status == DesignationStatus.ACTIVE
    assert designation.attributes == {
        "certifications": ["WCO SAFE", "ISPS"],
        "certified_until": "2027-05-01",
    }
    # Attributes are labelled from the network's policy, in the reader's language.
    client.cookies["django_language"] = "es"
    detail = client.get(f"/directory/contacts/{contact.pk}/").content.decode()
    assert "Certificaciones" in detail
    assert "WCO SAFE; ISPS" in detail


# --- Replace, history, withdraw, verify --------------------------------------------------------


def test_replace_then_a_past_date_answers_the_old_contact(
    client, login, coordinator, admin, ministry
):
    first = df.designation(df.contact(ministry, name="Old Contact"), IANAT, "national_poc")
    ContactDesignation.objects.filter(pk=first.pk).update(
        effective_from=dt.date(2024, 1, 1), valid_from=dt.date(2024, 1, 1)
    )
    newcomer = df.contact(ministry, name="New Contact")
    login(coordinator)
    page = client.get(f"/directory/designations/{first.pk}/replace/")
    assert page.status_code == 200
    assert page.context["form"].initial["role"] == "national_poc"
    response = client.post(
        f"/directory/designations/{first.pk}/replace/",
        {**designation_data(IANAT, "national_poc"), "contact": str(newcomer.pk)},
    )
    second = ContactDesignation.objects.get(contact=newcomer)
    assert response.status_code == 302
    assert second.replaces == first
    assert second.status == DesignationStatus.PENDING
    client.logout()
    login(admin)
    client.post(f"/directory/designations/{second.pk}/confirm/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DesignationStatus.REPLACED
    assert first.valid_to == second.effective_from == timezone.localdate()
    detail = client.get(f"/directory/designations/{first.pk}/").content.decode()
    assert "Replaced by" in detail
    assert "New Contact" in detail

    def names(path: str) -> list[str]:
        return [d.contact.name for d in client.get(path).context["rows"]]

    assert names("/directory/") == ["New Contact"]
    assert names("/directory/?on=2024-06-01") == ["Old Contact"]
    assert names(f"/directory/?on={timezone.localdate().isoformat()}") == ["New Contact"]


def test_withdraw_keeps_the_history(client, login, coordinator, ministry):
    designation = df.designation(df.contact(ministry, name="Leaving Contact"), IANAT, "alternate")
    login(coordinator)
    url = f"/directory/designations/{designation.pk}/withdraw/"
    # It cannot end before it came into force.
    response = client.post(url, {"reason": "Retired", "on": "2000-01-01"})
    assert response.status_code == 400
    assert response.context["withdraw_form"].errors == {
        "on": ["A designation cannot end before it came into force."]
    }
    response = client.post(url, {"reason": "Retired"})
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.WITHDRAWN
    assert designation.valid_to == timezone.localdate()
    assert designation.end_reason == "Retired"
    assert client.get("/directory/").context["rows"] == []
    history = client.get("/directory/?status=withdrawn")
    assert [d.pk for d in history.context["rows"]] == [designation.pk]
    assert AuditEvent.objects.filter(
        action="directory.designation.withdraw", object_id=str(designation.pk), actor=coordinator
    ).exists()


def test_others_in_the_network_may_not_withdraw_or_replace(client, login, ministry):
    designation = df.designation(df.contact(ministry), IANAT, "alternate")
    other = af.national_coordinator("BR", IANAT)
    af.add_totp(other)
    login(other)
    assert client.get(f"/directory/designations/{designation.pk}/").status_code == 200
    assert client.post(f"/directory/designations/{designation.pk}/withdraw/").status_code == 403
    assert client.get(f"/directory/designations/{designation.pk}/replace/").status_code == 403
    assert client.post(f"/directory/designations/{designation.pk}/verify/").status_code == 403
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.ACTIVE


def test_the_contact_verifies_their_stale_details(client, login, coordinator, ministry):
    person = af.UserFactory(organization=ministry, full_name="Duty Person")
    af.grant(person, "member", network_slug=IANAT)
    contact = df.contact(ministry, name="Duty Person", user=person)
    designation = df.make_stale(df.designation(contact, IANAT, "operational"))
    login(coordinator)
    page = client.get("/directory/designations/my-state/")
    assert [d.pk for d in page.context["rows"]] == [designation.pk]
    assert page.context["stale_count"] == 1
    assert "Verification overdue" in page.content.decode()
    client.logout()

    login(person)
    detail = client.get(f"/directory/contacts/{contact.pk}/")
    assert detail.context["is_self"] is True
    assert "Details are current" in detail.content.decode()
    response = client.post(
        f"/directory/designations/{designation.pk}/verify/",
        {"next": f"/directory/contacts/{contact.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/directory/contacts/{contact.pk}/"
    designation.refresh_from_db()
    assert not designation.is_stale
    assert AuditEvent.objects.filter(
        action="directory.designation.verify", object_id=str(designation.pk), actor=person
    ).exists()
    # An outside address in ``next`` is ignored.
    response = client.post(
        f"/directory/designations/{designation.pk}/verify/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/directory/designations/{designation.pk}/"


def test_state_designations_put_stale_ones_first(client, login, coordinator, ministry):
    fresh = df.designation(df.contact(ministry, name="Aaron Fresh"), IANAT, "alternate")
    stale = df.make_stale(
        df.designation(df.contact(ministry, name="Zoe Stale"), IANAT, "operational")
    )
    df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("CL"))), IANAT, "national_poc"
    )
    login(coordinator)
    page = client.get("/directory/designations/my-state/")
    assert [d.pk for d in page.context["rows"]] == [stale.pk, fresh.pk]
    member = af.UserFactory()
    af.grant(member, "member", network_slug=IANAT)
    client.logout()
    login(member)
    assert client.get("/directory/designations/my-state/").status_code == 403


# --- Contacts: validation and self-service ---------------------------------------------------


def test_contact_form_shows_what_is_wrong_where_it_is(client, login, coordinator, ministry):
    expired = (Path(__file__).parent / "data" / "expired-key.asc").read_text()
    login(coordinator)
    response = client.post(
        "/directory/contacts/new/",
        contact_data(
            ministry,
            pgp_key=expired,
            **rows("phones", [{"kind": "office", "number": "12345", "extension": ""}]),
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "expired on 2020-12-31" in form.errors["pgp_key"][0]
    assert form.phones.forms[0].errors["number"] == [
        "12345 is not a valid number for its country: check the digits and the country code."
    ]
    assert not Contact.objects.exists()
    # Neither an email nor a phone: the service says so above the emails.
    response = client.post(
        "/directory/contacts/new/",
        contact_data(
            ministry,
            **rows("phones", []),
            **rows("emails", [{"kind": "institutional", "address": ""}]),
        ),
    )
    assert response.context["form"].emails.section_errors == [
        "Give at least one email address or phone number."
    ]
    assert not Contact.objects.exists()


def test_coordinator_cannot_record_contacts_of_another_state(client, login, coordinator):
    foreign = af.OrganizationFactory(member_state=af.state("PE"))
    login(coordinator)
    response = client.post("/directory/contacts/new/", contact_data(foreign))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_contact_keeps_their_own_details(client, login, ministry):
    person = af.UserFactory(organization=ministry, full_name="Self Service")
    contact = df.contact(ministry, name="Self Service", user=person)
    login(person)
    search = client.get("/directory/").content.decode()
    assert 'href="/directory/mine/"' in search
    response = client.get("/directory/mine/")
    assert response["Location"] == f"/directory/contacts/{contact.pk}/"
    page = client.get(f"/directory/contacts/{contact.pk}/edit/")
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {
        "name",
        "title",
        "time_zone",
        "availability",
        "office_hours_start",
        "office_hours_end",
        "office_days",
        "languages",
        "pgp_key",
        "notes",
    }
    data = contact_data(title="Head of the watch office", availability="24_7")
    data.pop("kind")
    data.pop("account")
    data.update(
        rows(
            "phones",
            [{"kind": "24_7", "number": "+54 11 4342-6099", "extension": ""}],
        )
    )
    response = client.post(f"/directory/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "Head of the watch office"
    assert contact.availability == "24_7"
    assert contact.office_hours_start is None
    assert [(p.kind, p.number) for p in contact.phones.all()] == [("24_7", "+541143426099")]
    event = AuditEvent.objects.filter(action="directory.contact.update").latest("id")
    assert event.actor == person
    assert {"title", "availability", "phones"} <= set(event.changes)
    # Someone else of the organisation is not the contact.
    colleague = af.UserFactory(organization=ministry)
    client.logout()
    login(colleague)
    # (a contact designated nowhere is seen by its state's coordinators and itself alone)
    assert client.get(f"/directory/contacts/{contact.pk}/edit/").status_code == 404
    assert client.get("/directory/mine/").status_code == 404
    df.designation(contact, IANAT, "alternate")
    af.grant(colleague, "member", network_slug=IANAT)
    assert client.get(f"/directory/contacts/{contact.pk}/").status_code == 200
    assert client.get(f"/directory/contacts/{contact.pk}/edit/").status_code == 403


def test_unchanged_pgp_key_is_kept_and_an_emptied_one_removed(client, login, admin, ministry):
    import pysequoia

    cert = pysequoia.Cert.generate("Desk <desk@example.org>")
    contact = df.contact(ministry, pgp_key=str(cert))
    login(admin)
    page = client.get(f"/directory/contacts/{contact.pk}/edit/")
    form = page.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = "on" if value is True else ("" if value is False else str(value))
    data["pgp_key"] = contact.pgp_key.replace("\n", "\r\n")  # as browsers send a textarea
    for formset in form.formsets:
        data.update(rows(formset.prefix, list(formset.initial)))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(len(formset.initial))
    response = client.post(f"/directory/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    contact.refresh_from_db()
    assert contact.pgp_fingerprint == cert.fingerprint.upper()
    data["pgp_key"] = ""
    client.post(f"/directory/contacts/{contact.pk}/edit/", data)
    contact.refresh_from_db()
    assert contact.pgp_fingerprint == ""
    assert contact.pgp_key == ""


# --- Roster and policy -------------------------------------------------------------------------


def test_roster_puts_the_national_point_of_contact_first(client, login, admin, ministry):
    alternate = df.designation(
        df.contact(ministry, name="Alpha Alternate", availability="24_7"), IANAT, "alternate"
    )
    poc = df.designation(
        df.contact(
            ministry,
            name="Zulu Point",
            phones=[{"kind": "24_7", "number": "+54 11 4342-6099"}],
        ),
        IANAT,
        "national_poc",
    )
    df.designation(df.contact(ministry, name="Office Hours Only"), IANAT, "operational")
    login(admin)
    response = client.get(f"/directory/networks/{IANAT}/roster/")
    argentina = next(row for row in response.context["rows"] if row["state"].code == "AR")
    assert [d.pk for d in argentina["designations"]] == [poc.pk, alternate.pk]
    assert response.context["covered"] == 1
    content = response.content.decode()
    assert "Office Hours Only" not in content
    assert "data-print hidden" in content  # shown by the script, which prints
    assert client.get("/directory/networks/no-such-network/roster/").status_code == 404


def test_policy_page_and_edit(client, login, admin, coordinator):
    login(coordinator)
    page = client.get(f"/directory/networks/{IANAT}/policy/")
    assert page.status_code == 200
    assert "Edit the policy" not in page.content.decode()
    assert client.get(f"/directory/networks/{IANAT}/policy/edit/").status_code == 403
    assert client.get("/directory/networks/csirtamericas/policy/").status_code == 404
    client.logout()

    login(admin)
    url = f"/directory/networks/{IANAT}/policy/edit/"
    form = client.get(url).context["form"]
    assert form.initial["requires_confirmation"] is True
    data = {
        "requires_confirmation": "on",
        "verification_days": "90",
        "reminder_days": "10",
        "sensitive_fields": "coordinators",
        "roles": ["national_poc", "alternate"],
        **rows(
            "attributes",
            [
                {
                    "key": "Bad Key",
                    "type": "text",
                    "label_en": "Bad",
                    "label_es": "",
                    "label_fr": "",
                    "label_pt": "",
                }
            ],
        ),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "key" in response.context["form"].attributes.forms[0].errors
    data.update(
        rows(
            "attributes",
            [
                {
                    "key": "agency_type",
                    "type": "text",
                    "required": "on",
                    "label_en": "Agency type",
                    "label_es": "Tipo de organismo",
                    "label_fr": "",
                    "label_pt": "",
                },
                {"key": "", "type": "text"},
            ],
        )
    )
    response = client.post(url, data)
    assert response.status_code == 302
    policy = DirectoryPolicy.objects.get(network__slug=IANAT)
    assert policy.verification_days == 90
    assert policy.reminder_days == 10
    assert policy.sensitive_fields == "coordinators"
    assert policy.roles == ["national_poc", "alternate"]
    assert policy.attribute_schema == [
        {
            "key": "agency_type",
            "type": "text",
            "required": True,
            "label": {"en": "Agency type", "es": "Tipo de organismo"},
        }
    ]
    assert AuditEvent.objects.filter(action="directory.policy.update", actor=admin).exists()
