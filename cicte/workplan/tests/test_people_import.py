"""Importing a participant list: CSV and XLSX, values in the four languages, deduplication
against the registry, and the row-by-row report with nothing imported when a row is wrong."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from cicte.core.models import AuditEvent
from cicte.workplan import people_import
from cicte.workplan.models import Person, Registration
from cicte.workplan.people_import import RowError
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    client_of,
    people_world_fixture,
)

pytestmark = pytest.mark.django_db

HEADER = "name,sex,email,organisation,member_state,position,status,pre_score,post_score"
VALID_CSV = "\n".join(
    [
        HEADER,
        "María José Núñez,Femenino,mj.nunez@example.gob.cl,CSIRT de Gobierno,CL,Analista,completado,50,90",
        "Jean-Baptiste Joseph,masculin,,CERT Haïti,Haïti,Technicien,attended,,",
        "Alex Morgan,other,alex@example.org,Ministry of Security,JM,,registered,,",
        'Sam Rivera,Prefiero no decirlo,sam.rivera@example.gov.co,Policía Nacional,Colombia,,,"62,5",',
        "Ana Perez,femenino,ANA.PEREZ@example.gov.ar,CERT.ar,Argentina,,completed,45,88",
    ]
)


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Any, event_pk: int, name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/workplan/events/{event_pk}/participants/import/",
        {"file": SimpleUploadedFile(name, data)},
    )


def test_valid_csv_is_imported_with_deduplication(login: Any, people_world: PeopleWorld) -> None:
    client = client_of(login, people_world.organiser)
    before = Person.objects.count()
    response = upload(client, people_world.event.pk, "list.csv", VALID_CSV.encode("utf-8"))
    assert response.status_code == 302, response.content.decode()[:2000]
    # Ana (same email, other case) is the registry's Ana, already registered: updated.
    assert Person.objects.count() == before + 4
    registrations = Registration.objects.filter(event=people_world.event)
    assert registrations.count() == 6
    maria = Person.objects.get(email_key="mj.nunez@example.gob.cl")
    assert (maria.full_name, maria.sex, maria.member_state.code, maria.position) == (
        "María José Núñez",
        "female",
        "CL",
        "Analista",
    )
    reg = registrations.get(person=maria)
    assert (reg.status, reg.pre_score, reg.post_score) == ("completed", Decimal(50), Decimal(90))
    jean = Person.objects.get(full_name="Jean-Baptiste Joseph")
    assert (jean.sex, jean.member_state.code, jean.email) == ("male", "HT", "")
    assert Person.objects.get(full_name="Alex Morgan").sex == "other"
    sam = Person.objects.get(full_name="Sam Rivera")
    assert sam.sex == "undisclosed" and sam.member_state.code == "CO"
    assert registrations.get(person=sam).pre_score == Decimal("62.5")
    ana = registrations.get(person=people_world.ana)
    assert (ana.status, ana.pre_score, ana.post_score) == ("completed", Decimal(45), Decimal(88))
    assert AuditEvent.objects.filter(action="workplan.participants.import").count() == 1
    # Importing the same list again adds nobody.
    response = upload(client, people_world.event.pk, "list.csv", VALID_CSV.encode("utf-8"))
    assert response.status_code == 302
    assert Person.objects.count() == before + 4
    assert registrations.count() == 6


def test_valid_xlsx_with_semicolons_and_french_and_portuguese(
    login: Any, people_world: PeopleWorld
) -> None:
    data = xlsx(
        [
            [
                "Name",
                "Sex",
                "Email",
                "Organisation",
                "Member_State",
                "Position",
                "Status",
                "Pre_Score",
                "Post_Score",
            ],
            [
                "Luísa Costa",
                "Feminino",
                "luisa@example.gov.br",
                "CTIR Gov",
                "Brasil",
                None,
                "concluído",
                70,
                95.5,
            ],
            ["Marc Tremblay", "Masculin", None, "GRC", "CA", "Sergent", "terminé", None, None],
            [None, None, None, None, None, None, None, None, None],
            [
                "Chris Lee",
                "Prefiro não dizer",
                "chris@example.org",
                None,
                None,
                None,
                None,
                None,
                None,
            ],
        ]
    )
    response = upload(
        client_of(login, people_world.admin), people_world.other_event.pk, "lista.xlsx", data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    registrations = Registration.objects.filter(event=people_world.other_event).select_related(
        "person"
    )
    got = {
        r.person.full_name: (
            r.person.sex,
            r.person.member_state and r.person.member_state.code,
            r.status,
            r.post_score,
        )
        for r in registrations
    }
    assert got == {
        "Luísa Costa": ("female", "BR", "completed", Decimal("95.5")),
        "Marc Tremblay": ("male", "CA", "completed", None),
        "Chris Lee": ("undisclosed", None, "registered", None),
    }


def test_semicolon_csv() -> None:
    rows, errors = people_import.check_file(
        "name;sex;member_state\nRosa Díaz;F;MX\n".encode(), "lista.csv"
    )
    assert errors == []
    assert rows[0].details.member_state.code == "MX" and rows[0].details.sex == "female"


BAD_CSV = "\n".join(
    [
        HEADER,
        "Good Person,female,good@example.org,Org,AR,,,,",
        ",male,,,,,,,",
        "Pat Doe,unknown,not-an-email,,Atlantis,,graduated,101,12.345",
        "Pat Roe,female,good@example.org,,,,,,",
        "Kim Poe,,,,,,,,",
        "Lou Moe,m,,,,,,,,extra",
    ]
)


def test_rejected_rows_are_all_reported_and_nothing_is_imported(
    login: Any, people_world: PeopleWorld
) -> None:
    people = Person.objects.count()
    registrations = Registration.objects.count()
    client = client_of(login, people_world.organiser)
    audit_count = AuditEvent.objects.count()
    response = upload(client, people_world.event.pk, "list.csv", BAD_CSV.encode("utf-8"))
    assert response.status_code == 400
    assert response.context["report"] == [
        RowError(3, "name", "The name is empty."),
        RowError(4, "sex", "unknown is not a sex: write female, male, other or prefer not to say."),
        RowError(4, "email", "not-an-email is not an email address."),
        RowError(
            4,
            "member_state",
            "Atlantis is not a member state: write its ISO 3166 code (AR, BR...) or its name.",
        ),
        RowError(
            4,
            "status",
            "graduated is not a status: write registered, attended, completed, absent or withdrawn.",
        ),
        RowError(4, "pre_score", "101 is not a score from 0 to 100 (at most two decimals)."),
        RowError(4, "post_score", "12.345 is not a score from 0 to 100 (at most two decimals)."),
        RowError(5, "email", "The same person as on line 2."),
        RowError(6, "sex", "The sex is empty: write female, male, other or prefer not to say."),
        RowError(7, "", "This row has more cells than the header."),
    ]
    body = response.content.decode()
    assert "Nothing was imported: 10 problems to fix" in body
    assert '<th scope="row">4</th>' in body
    assert (Person.objects.count(), Registration.objects.count(), AuditEvent.objects.count()) == (
        people,
        registrations,
        audit_count,
    )


def test_a_row_the_registry_refuses_rejects_the_whole_list(
    login: Any, people_world: PeopleWorld
) -> None:
    """Ana holds a valid certificate: a list saying she only attended is refused, and the valid
    new person on the line before is not imported either."""
    people = Person.objects.count()
    data = "\n".join(
        [
            "name,sex,email,status",
            "New Person,female,new@example.org,attended",
            "Ana Pérez,female,ana.perez@example.gov.ar,attended",
        ]
    ).encode()
    response = upload(
        client_of(login, people_world.organiser), people_world.event.pk, "l.csv", data
    )
    assert response.status_code == 400
    assert response.context["report"] == [
        RowError(3, "status", "This participant holds a valid certificate: revoke it first.")
    ]
    assert Person.objects.count() == people
    assert not Person.objects.filter(email_key="new@example.org").exists()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (
            b"name,sex,emial\nA,f,\n",
            "l.csv",
            [
                RowError(
                    1,
                    "emial",
                    "Unknown column. The columns are: name, sex, email, organisation, member_state, position, status, pre_score, post_score.",
                )
            ],
        ),
        (
            b"name,email\nA,a@example.org\n",
            "l.csv",
            [RowError(1, "sex", "This column is required.")],
        ),
        (
            b"",
            "l.csv",
            [
                RowError(
                    1, "", "The file is empty: it needs a header row and a row per participant."
                )
            ],
        ),
        (b"name,sex\n", "l.csv", [RowError(2, "", "The list has no participant.")]),
    ],
)
def test_header_problems(db: Any, data: bytes, name: str, expected: list[RowError]) -> None:
    rows, errors = people_import.check_file(data, name)
    assert (rows, errors) == ([], expected)


def test_unreadable_files(login: Any, people_world: PeopleWorld) -> None:
    client = client_of(login, people_world.organiser)
    response = upload(
        client, people_world.event.pk, "l.csv", "name,sex\nJosé,f\n".encode("latin-1")
    )
    assert response.status_code == 400
    assert (
        "The file is not UTF-8 text (byte 13): save it as CSV UTF-8." in response.content.decode()
    )
    response = upload(client, people_world.event.pk, "l.xlsx", b"PK\x03\x04 not really a zip")
    assert response.status_code == 400
    assert "The file is not an Excel workbook" in response.content.decode()


def test_only_organisers_and_the_secretariat_import(login: Any, people_world: PeopleWorld) -> None:
    for who in ("other_organiser", "coordinator", "member"):
        client = client_of(login, people_world.user(who))
        response = upload(client, people_world.event.pk, "l.csv", b"name,sex\nA B,f\n")
        assert response.status_code == 403, who
        client.logout()
    assert not Person.objects.filter(full_name="A B").exists()
