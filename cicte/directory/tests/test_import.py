"""The CSV import of contacts and designations: a good file creates everything; a file with bad
rows leaves nothing behind and reports each of them (row, column, message); the file's encoding,
size and header are checked; coordinators import for their own state only; the page, the
template download and the ``import_contacts`` command with its exit status."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cicte.accounts.models import User
from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import exchange
from cicte.directory.choices import DesignationStatus
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db

AVIATION = "aviation-security"
HEADER = [
    "organization",
    "name",
    "kind",
    "title",
    "languages",
    "time_zone",
    "availability",
    "office_phone",
    "mobile_phone",
    "phone_24_7",
    "institutional_email",
    "personal_email",
    "network",
    "role",
    "note_verbale_number",
    "note_verbale_date",
    "valid_from",
    "attr:constituency",
]


def row(**values: str) -> dict[str, str]:
    return values


def make_csv(rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def orgs() -> dict[str, Any]:
    return {
        "psa": af.OrganizationFactory(slug="psa-ar", name="PSA", member_state=af.state("AR")),
        "cert": af.OrganizationFactory(
            slug="cert-ar", name="CERT.ar", kind="national_csirt", member_state=af.state("AR")
        ),
        "anac-br": af.OrganizationFactory(slug="anac-br", member_state=af.state("BR")),
    }


@pytest.fixture
def coordinator() -> User:
    user = af.national_coordinator("AR", AVIATION, username="coordinator-ar")
    af.grant(user, "national_coordinator", network_slug="inter-american-network-against-terrorism")
    return user


ANA = row(
    organization="psa-ar",
    name="Ana Gómez",
    kind="person",
    title="Jefa de guardia",
    languages="es;en",
    time_zone="America/Argentina/Buenos_Aires",
    availability="office_hours",
    office_phone="+54 11 4342-6000 ext. 12",
    mobile_phone="011 15 5555-0101",
    institutional_email="ana@psa.example.org",
    personal_email="ana@example.net",
    network=AVIATION,
    role="focal_point",
    note_verbale_number="NV-2025-001",
    note_verbale_date="2025-01-10",
    valid_from="2025-01-15",
)
DESK = row(
    organization="psa-ar",
    name="Mesa de guardia",
    kind="functional",
    availability="24/7",
    phone_24_7="+54 11 4342-6099",
    network=AVIATION,
    role="operational",
)


def _state() -> tuple[int, int, int]:
    return (Contact.objects.count(), ContactDesignation.objects.count(), AuditEvent.objects.count())


# --- Good files ------------------------------------------------------------------------------


def test_a_good_file_creates_everything(orgs: Any, coordinator: User) -> None:
    data = make_csv(
        [
            ANA,
            # The same contact, a second designation: its details need not be repeated.
            row(
                organization="psa-ar",
                name="ana  gómez",
                network="inter-american-network-against-terrorism",
                role="national_poc",
            ),
            DESK,
        ]
    )
    result = exchange.import_contacts(actor=coordinator, data=data, filename="ar.csv")
    assert result.errors == []
    assert result.rows == 3
    assert result.contacts_created == ["Ana Gómez", "Mesa de guardia"]
    assert result.designations_created == 3
    assert result.pending_confirmation == 1  # the Inter-American Network needs confirmation

    ana = Contact.objects.get(name="Ana Gómez")
    assert ana.organization == orgs["psa"]
    assert ana.title == "Jefa de guardia"
    assert ana.language_codes == ["en", "es"]
    assert sorted(ana.phones.values_list("kind", "number", "extension")) == [
        ("mobile", "+5491155550101", ""),
        ("office", "+541143426000", "12"),
    ]
    assert sorted(ana.emails.values_list("kind", "address")) == [
        ("institutional", "ana@psa.example.org"),
        ("personal", "ana@example.net"),
    ]
    aviation = ana.designations.get(network__slug=AVIATION)
    assert aviation.status == DesignationStatus.ACTIVE
    assert aviation.role == "focal_point"
    assert aviation.note_verbale_number == "NV-2025-001"
    assert aviation.note_verbale_date.isoformat() == "2025-01-10"
    assert aviation.valid_from.isoformat() == "2025-01-15"
    assert aviation.designated_by == coordinator
    assert ana.designations.get(network__slug__startswith="inter").status == "pending"
    desk = Contact.objects.get(name="Mesa de guardia")
    assert desk.kind == "functional"
    assert desk.availability == "24_7"

    event = AuditEvent.objects.get(action="directory.import")
    assert event.actor == coordinator
    assert event.object_repr == "ar.csv"
    assert event.subject_member_state_id == af.state("AR").pk
    assert event.changes == {
        "file": "ar.csv",
        "rows": 3,
        "contacts_created": 2,
        "contacts_reused": 0,
        "designations_created": 3,
    }
    # The services' own events, one per contact and designation.
    assert AuditEvent.objects.filter(action="directory.contact.create").count() == 2
    assert AuditEvent.objects.filter(action="directory.designation.create").count() == 3


def test_semicolons_bom_attributes_and_exported_cells(orgs: Any) -> None:
    admin = af.secretariat_admin()
    data = make_csv(
        [
            row(
                organization="cert-ar",
                name="CERT.ar",
                kind="functional",
                languages="es, en",
                # As a CSV export writes it, neutralised for spreadsheets.
                office_phone="'+54 11 4000-0000",
                institutional_email="cert@cert.example.ar",
                network="csirtamericas",
                role="national_poc",
                **{"attr:constituency": "Government"},
            )
        ],
        delimiter=";",
    )
    result = exchange.import_contacts(actor=admin, data=b"\xef\xbb\xbf" + data)
    assert result.errors == []
    designation = ContactDesignation.objects.get(contact__name="CERT.ar")
    assert designation.attributes == {"constituency": "Government"}
    assert list(designation.contact.phones.values_list("number", flat=True)) == ["+541140000000"]
    assert designation.contact.language_codes == ["en", "es"]


def test_an_existing_contact_is_designated_as_it_is(orgs: Any, coordinator: User) -> None:
    existing = df.contact(orgs["psa"], name="Ana Gómez", title="Directora")
    data = make_csv([{**ANA, "title": "Something else"}])
    result = exchange.import_contacts(actor=coordinator, data=data)
    assert result.errors == []
    assert result.contacts_created == []
    assert result.contacts_reused == ["Ana Gómez"]
    assert Contact.objects.filter(name="Ana Gómez").count() == 1
    existing.refresh_from_db()
    assert existing.title == "Directora"
    assert existing.designations.get().network.slug == AVIATION
    assert any("without changing their details" in line for line in exchange.import_summary(result))
    # The same file again designates nobody twice.
    before = _state()
    again = exchange.import_contacts(actor=coordinator, data=data)
    assert [(e.row, e.column) for e in again.errors] == [(2, "role")]
    assert again.errors[0].message == (
        "Ana Gómez is already designated to aviation-security in this role."
    )
    assert _state() == before


def test_dry_run_writes_nothing(orgs: Any, coordinator: User) -> None:
    before = _state()
    result = exchange.import_contacts(actor=coordinator, data=make_csv([ANA, DESK]), dry_run=True)
    assert result.ok
    assert result.designations_created == 2
    assert _state() == before
    assert exchange.import_summary(result)[-1] == "This was a check only: nothing was written."


# --- Bad files -------------------------------------------------------------------------------


def test_bad_rows_leave_nothing_behind_and_are_reported(orgs: Any, coordinator: User) -> None:
    pe = af.OrganizationFactory(slug="hidden-pe", member_state=af.state("PE"))
    af.join(orgs["anac-br"], AVIATION)  # visible to the coordinator, but not of their state
    rows = [
        ANA,  # good: rolled back with the rest
        {**DESK, "phone_24_7": "12345"},  # 3: bad phone
        {**DESK, "name": "Desk 2", "network": "no-such-network"},  # 4: unknown network
        {**DESK, "name": "Desk 3", "role": "instructor"},  # 5: role not used by the network
        {**DESK, "name": "Desk 4", "organization": "anac-br"},  # 6: another state's organisation
        {**DESK, "name": "Desk 5", "organization": pe.slug},  # 7: one the coordinator cannot see
        {**DESK, "name": "Desk 6", "note_verbale_date": "31/01/2025"},  # 8: bad date
        # 9: a network the coordinator does not coordinate
        {**DESK, "name": "Desk 7", "network": "csirtamericas", "role": "technical"},
        {**DESK, "name": "Desk 8", "time_zone": "Mars/Olympus"},  # 10: bad time zone
        {**DESK, "name": "", "phone_24_7": ""},  # 11: no name
        # 12: the same contact as row 2, described differently
        {**ANA, "title": "Other title", "role": "alternate"},
        {**DESK, "name": "Desk 9", "phone_24_7": ""},  # 13: no way to reach it
        {**DESK, "name": "Desk 10", "attr:constituency": "Airports"},  # 14: not this network's
    ]
    before = _state()
    result = exchange.import_contacts(actor=coordinator, data=make_csv(rows))
    assert _state() == before
    assert not result.ok
    report = [(e.row, e.column) for e in result.errors]
    assert report == [
        (3, "phone_24_7"),
        (4, "network"),
        (5, "role"),
        (6, "organization"),
        (7, "organization"),
        (8, "note_verbale_date"),
        (9, "network"),
        (10, "time_zone"),
        (11, "name"),
        (12, "title"),
        (13, "institutional_email"),
        (14, "attr:constituency"),
    ]
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(3, "phone_24_7")] == (
        "12345 is not a valid number for its country: check the digits and the country code."
    )
    assert messages[(4, "network")] == "No network has the short name no-such-network."
    assert messages[(5, "role")] == (
        "The network aviation-security does not use the role instructor; it uses: "
        "alternate, focal_point, operational."
    )
    assert messages[(6, "organization")] == (
        f"You may not manage the contacts of {orgs['anac-br'].name}."
    )
    assert messages[(7, "organization")] == "No organisation has the short name hidden-pe."
    assert messages[(8, "note_verbale_date")] == (
        "31/01/2025 is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31."
    )
    assert messages[(9, "network")] == (
        "You may not designate contacts of Argentina to csirtamericas."
    )
    assert messages[(10, "time_zone")] == (
        "Choose a time zone from the list (e.g. America/Bogota)."
    )
    assert messages[(11, "name")] == "This column must not be empty."
    assert messages[(12, "title")] == "Differs from row 2, which describes the same contact."
    assert messages[(13, "institutional_email")] == (
        "Give at least one email address or phone number."
    )
    assert messages[(14, "attr:constituency")] == (
        "The network aviation-security has no attribute constituency."
    )
    assert not AuditEvent.objects.filter(action="directory.import").exists()


def test_file_level_problems() -> None:
    admin = af.secretariat_admin()

    def problems(data: bytes, **kwargs: Any) -> list[tuple[int, str, str]]:
        result = exchange.import_contacts(actor=admin, data=data, **kwargs)
        return [(e.row, e.column, e.message) for e in result.errors]

    latin1 = "organization,name,network,role\r\npsa-ar,Ana Gómez,aviation-security,focal_point\r\n"
    assert problems(latin1.encode("latin-1")) == [
        (
            0,
            "",
            "The file is not UTF-8 text (the first bad byte is at position 45). "
            'In your spreadsheet, save it as "CSV UTF-8".',
        )
    ]
    assert problems(b"x" * 2048, max_bytes=1024) == [
        (0, "", "The file is larger than 1 KB: split it into several files.")
    ]
    assert problems(b"") == [
        (0, "", "The file is empty: it needs a header row and one row per designation.")
    ]
    assert problems(b"organization,name,network,role\r\n") == [
        (0, "", "The file has a header row but no designations.")
    ]
    assert problems(b"organization,name,network,colour\r\nx,y,z,w\r\n") == [
        (
            1,
            "colour",
            "Unknown column. The columns are: " + ", ".join(exchange.IMPORT_COLUMNS) + ", and "
            "attr:<key>.",
        ),
        (1, "role", "This column is required."),
    ]
    rows = b"organization,name,network,role\r\n" + b"a,b,c,d\r\n" * 3
    assert problems(rows, max_rows=2) == [
        (0, "", "The file has 3 rows; import at most 2 at a time.")
    ]


def test_only_coordinators_and_the_secretariat_import() -> None:
    member_org = af.OrganizationFactory()
    af.join(member_org, AVIATION)
    with pytest.raises(PermissionDenied, match="You may not import contacts"):
        exchange.import_contacts(actor=af.UserFactory(organization=member_org), data=b"")


# --- The page --------------------------------------------------------------------------------


def _upload(data: bytes, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_page_access(client: Client, login: Any) -> None:
    response = client.get("/directory/import/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/directory/import/"
    member_org = af.OrganizationFactory()
    af.join(member_org, AVIATION)
    login(af.UserFactory(organization=member_org))
    assert client.get("/directory/import/").status_code == 403
    assert client.post("/directory/import/", {"file": _upload(b"x")}).status_code == 403
    assert client.get("/directory/import/template.csv").status_code == 403


def test_import_page_reports_bad_rows(
    client: Client, login: Any, orgs: Any, coordinator: User
) -> None:
    af.add_totp(coordinator)
    login(coordinator)
    response = client.get("/directory/import/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/directory/import/template.csv"' in html
    assert "<code>attr:constituency</code>" in html
    assert 'enctype="multipart/form-data"' in html

    before = _state()
    data = make_csv([ANA, {**DESK, "mobile_phone": "+54 11 nope"}])
    response = client.post("/directory/import/", {"file": _upload(data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "<td>3</td>" in html
    assert "<code>mobile_phone</code>" in html
    assert _state() == before


def test_import_page_imports_and_summarises(
    client: Client, login: Any, orgs: Any, coordinator: User
) -> None:
    af.add_totp(coordinator)
    login(coordinator)
    response = client.post("/directory/import/", {"file": _upload(make_csv([ANA, DESK]))})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import complete" in html
    assert "2 contacts created." in html
    assert "2 designations created, 0 of them awaiting Secretariat confirmation." in html
    assert ContactDesignation.objects.count() == 2
    assert AuditEvent.objects.filter(action="directory.import", actor=coordinator).count() == 1


def test_import_page_checks_encoding_and_size(
    client: Client, login: Any, orgs: Any, coordinator: User
) -> None:
    af.add_totp(coordinator)
    login(coordinator)
    response = client.post(
        "/directory/import/", {"file": _upload("organization,name\r\nx,Gómez\r\n".encode("cp1252"))}
    )
    assert "The file is not UTF-8 text" in response.content.decode()
    big = _upload(b"organization,name,network,role\r\n" + b"x" * exchange.MAX_IMPORT_BYTES)
    response = client.post("/directory/import/", {"file": big})
    assert "The file is larger than 2048 KB" in response.content.decode()
    assert Contact.objects.count() == 0


def test_template_download(client: Client, login: Any, coordinator: User) -> None:
    af.add_totp(coordinator)
    login(coordinator)
    response = client.get("/directory/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="directory-import-template.csv"'
    )
    text = response.content.decode("utf-8-sig")
    (header,) = list(csv.reader(io.StringIO(text)))
    assert header[: len(exchange.IMPORT_COLUMNS)] == exchange.IMPORT_COLUMNS
    assert {"attr:constituency", "attr:expertise_areas", "attr:certifications"} <= set(header)
    # The template is itself a valid (empty) file.
    result = exchange.import_contacts(actor=coordinator, data=response.content)
    assert [e.message for e in result.errors] == ["The file has a header row but no designations."]


# --- The command -----------------------------------------------------------------------------


def test_command_imports_and_prints_a_summary(
    tmp_path: Any, orgs: Any, coordinator: User, capsys: Any
) -> None:
    path = tmp_path / "ar.csv"
    path.write_bytes(make_csv([ANA, DESK]))
    call_command("import_contacts", str(path), "--actor", coordinator.username)
    out = capsys.readouterr().out
    assert "2 rows read." in out
    assert "2 designations created, 0 of them awaiting Secretariat confirmation." in out
    assert ContactDesignation.objects.count() == 2
    assert AuditEvent.objects.get(action="directory.import").changes["file"] == "ar.csv"


def test_command_exit_status_and_report_on_bad_rows(
    tmp_path: Any, orgs: Any, coordinator: User
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(make_csv([ANA, {**DESK, "role": "expert"}]))
    before = _state()
    err = io.StringIO()
    # call_command, not ManagementUtility: the latter closes the database connections when the
    # command fails, which would end the test's own transaction on PostgreSQL.
    with pytest.raises(CommandError) as failure:
        call_command("import_contacts", str(path), "--actor", coordinator.username, stderr=err)
    assert failure.value.returncode == 1  # what manage.py exits with
    assert (
        "row 3, column role: The network aviation-security does not use the role expert"
        in err.getvalue()
    )
    assert "Nothing was imported: 1 problem(s) in bad.csv." in str(failure.value)
    assert _state() == before


def test_command_refuses_unknown_or_unauthorised_actors(tmp_path: Any) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(make_csv([ANA]))
    with pytest.raises(CommandError, match="No active account has the username 'nobody'"):
        call_command("import_contacts", str(path), "--actor", "nobody")
    with pytest.raises(CommandError, match="You may not import contacts"):
        call_command("import_contacts", str(path), "--actor", af.UserFactory().username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_contacts", str(tmp_path / "missing.csv"), "--actor", af.UserFactory().username
        )
