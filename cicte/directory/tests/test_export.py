"""Exports of the directory: who may export what (an observer of the network is refused, a
contact the reader may not see answers 404, anonymous visitors go to the login page), what the
files hold (vCards parse back with vobject, CSV with the csv module; sensitive fields only where
the network allows; stale designations flagged; spreadsheet formulas neutralised), and that
every export is an audit event with its row count and filters."""

from __future__ import annotations

import csv
import io
from typing import Any

import pysequoia
import pytest
import vobject
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import exchange
from cicte.directory.tests import factories as df
from cicte.directory.tests.test_api import HOTLINE, MOBILE, NETWORK, PERSONAL, World, build_world

pytestmark = pytest.mark.django_db

CSV_URL = "/directory/export/csv/"
VCARD_URL = "/directory/export/vcard/"


@pytest.fixture
def world() -> World:
    world = build_world()
    for name in ("coordinator", "secretariat"):
        af.add_totp(world.users[name])  # their roles require a second factor
    observer = af.UserFactory(
        username="observer", organization=af.OrganizationFactory(member_state=af.state("CL"))
    )
    af.grant(observer, "observer", network_slug=NETWORK)
    world.users["observer"] = observer
    return world


def _body(response: Any) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return content.decode("utf-8")


def _csv(response: Any) -> list[dict[str, str]]:
    text = _body(response)
    assert text.startswith("\ufeff")  # so that spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _cards(response: Any) -> list[Any]:
    return list(vobject.readComponents(_body(response)))


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__endswith=".export").order_by("id"))


# --- The matrix ------------------------------------------------------------------------------

#                 search csv  contact vcard  rows listed
EXPECTED = {
    "other_network": (200, 404, False),  # exports their own networks; this one is hidden
    "observer": (403, 403, False),  # sees the directory, may not export it
    "same_network": (200, 200, True),
    "coordinator": (200, 200, True),
    "secretariat": (200, 200, True),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_export_matrix(client: Client, login: Any, world: World, who: str) -> None:
    search_status, contact_status, listed = EXPECTED[who]
    login(world.users[who])

    response = client.get(CSV_URL)
    assert response.status_code == search_status
    if search_status == 200:
        rows = _csv(response)
        assert (str(world.designation.pk) in {r["designation_id"] for r in rows}) is listed
        if not listed:
            assert rows == []
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="directory-')
        assert response["Cache-Control"] == "no-store"
    response = client.get(VCARD_URL)
    assert response.status_code == search_status
    if search_status == 200:
        assert len(_cards(response)) == (1 if listed else 0)

    response = client.get(f"/directory/contacts/{world.contact.pk}/vcard/")
    assert response.status_code == contact_status
    if contact_status == 200:
        assert _cards(response)[0].fn.value == "Ana Gómez"
    # A contact that does not exist answers like a hidden one, whoever asks.
    assert client.get("/directory/contacts/999999/vcard/").status_code == 404

    exports = _exports()
    if search_status == 200:
        assert [e.action for e in exports[:2]] == [
            "directory.designation.export",
            "directory.contact.export",
        ]
    else:
        assert all(e.object_type == "directory.contact" for e in exports)
    if contact_status == 200:
        event = exports[-1]
        assert event.object_type == "directory.contact"
        assert event.object_id == str(world.contact.pk)
        assert event.subject_member_state_id == af.state("AR").pk
        assert event.changes == {
            "rows": 1,
            "filters": {"contact": world.contact.pk, "format": "vcard"},
        }
    else:
        assert not any(e.object_id == str(world.contact.pk) for e in exports)


def test_anonymous_visitors_go_to_the_login_page(client: Client, world: World) -> None:
    for url in (
        CSV_URL,
        VCARD_URL,
        f"/directory/contacts/{world.contact.pk}/vcard/",
        "/directory/contacts/999999/vcard/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert _exports() == []


# --- CSV -------------------------------------------------------------------------------------


def test_csv_content_and_sensitive_columns(client: Client, login: Any, world: World) -> None:
    df.make_stale(world.designation)
    other = df.designation(
        df.contact(
            af.OrganizationFactory(slug="cert-co", member_state=af.state("CO")), name="Beto"
        ),
        NETWORK,
        "operational",
    )
    login(world.users["same_network"])
    response = client.get(CSV_URL)
    rows = _csv(response)
    header = list(rows[0])
    assert header[: len(exchange.EXPORT_COLUMNS)] == exchange.EXPORT_COLUMNS
    assert "attr:constituency" in header  # every network's attributes, one column each
    by_id = {row["designation_id"]: row for row in rows}
    assert set(by_id) == {str(world.designation.pk), str(other.pk)}
    ana = by_id[str(world.designation.pk)]
    assert ana["name"] == "Ana Gómez"
    assert ana["organization"] == "psa-ar"
    assert ana["member_state"] == "AR"
    assert ana["network"] == NETWORK
    assert ana["role"] == "focal_point"
    assert ana["status"] == "active"
    assert ana["languages"] == "en; es"
    assert ana["stale"] == "true"
    assert by_id[str(other.pk)]["stale"] == "false"
    # A spreadsheet would read "+54..." as a formula: the cell is neutralised.
    assert ana["office_phone"] == "'+541143426000"
    assert ana["institutional_email"] == "ana@psa.example.org"
    # A member of another state does not see the sensitive columns.
    for column in ("mobile_phone", "phone_24_7", "personal_email", "pgp_fingerprint"):
        assert ana[column] == ""
    text = _body(client.get(CSV_URL))
    for secret in (MOBILE, HOTLINE, PERSONAL, world.fingerprint):
        assert secret not in text

    event = _exports()[0]
    assert event.action == "directory.designation.export"
    assert event.actor_id == world.users["same_network"].pk
    assert event.changes == {"rows": 2, "filters": {"format": "csv"}}


def test_csv_for_the_designating_state_holds_sensitive_columns(
    client: Client, login: Any, world: World
) -> None:
    login(world.users["coordinator"])
    (row,) = _csv(client.get(CSV_URL))
    assert row["mobile_phone"] == "'" + MOBILE
    assert row["phone_24_7"] == "'" + HOTLINE
    assert row["personal_email"] == PERSONAL
    assert row["pgp_fingerprint"] == world.fingerprint
    assert row["pgp_expires_at"] != ""


def test_csv_follows_the_search_filters_and_records_them(
    client: Client, login: Any, world: World
) -> None:
    colombian = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("CO"))), NETWORK, "operational"
    )
    login(world.users["secretariat"])
    rows = _csv(client.get(CSV_URL, {"member_state": "CO", "q": "contact"}))
    assert [row["designation_id"] for row in rows] == [str(colombian.pk)]
    event = _exports()[0]
    assert event.changes == {
        "rows": 1,
        "filters": {"q": "contact", "member_state": ["CO"], "format": "csv"},
    }
    # Invalid filters export nothing and send the reader back to the search.
    response = client.get(CSV_URL, {"member_state": "XX"})
    assert response.status_code == 302
    assert response["Location"] == "/directory/?member_state=XX"
    assert len(_exports()) == 1


def test_csv_neutralises_spreadsheet_formulas(client: Client, login: Any, world: World) -> None:
    df.designation(
        df.contact(
            world.organization,
            name='=HYPERLINK("http://evil.example","x")',
            title="@SUM(A1:A9)",
            emails=[{"kind": "institutional", "address": "desk@psa.example.org"}],
        ),
        NETWORK,
        "alternate",
        note_verbale_number="-2+3",
    )
    login(world.users["coordinator"])
    rows = {row["institutional_email"]: row for row in _csv(client.get(CSV_URL))}
    row = rows["desk@psa.example.org"]
    assert row["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["title"] == "'@SUM(A1:A9)"
    assert row["note_verbale_number"] == "'-2+3"
    for value in (v for r in rows.values() for v in r.values()):
        assert not value.startswith(("=", "+", "-", "@"))


def test_csv_export_query_count_does_not_grow_with_rows(
    client: Client, login: Any, world: World
) -> None:
    login(world.users["same_network"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CSV_URL)
            _body(response)
        return len(ctx.captured_queries)

    few = count()
    for i in range(6):
        contact = df.contact(
            af.OrganizationFactory(member_state=af.state("CO")),
            phones=[{"kind": "mobile", "number": df.MOBILES["CO"]}],
            emails=[{"kind": "personal", "address": f"x{i}@example.net"}],
        )
        df.designation(contact, NETWORK, "operational")
    assert count() == few


# --- vCard -----------------------------------------------------------------------------------


def _types(prop: Any) -> list[str]:
    return [t.upper() for t in prop.params.get("TYPE", [])]


def test_contact_vcard_parses_back_with_its_fields(
    client: Client, login: Any, world: World
) -> None:
    df.make_stale(world.designation)
    login(world.users["coordinator"])
    response = client.get(f"/directory/contacts/{world.contact.pk}/vcard/")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="contact-{world.contact.pk}.vcf"'
    )
    (card,) = _cards(response)
    assert card.version.value == "3.0"
    assert card.fn.value == "Ana Gómez"
    assert card.n.value.family == "Ana Gómez"
    assert card.org.value == ["Policía de Seguridad Aeroportuaria"]
    assert card.title.value == "Jefa de guardia"
    phones = {tel.value: _types(tel) for tel in card.tel_list}
    assert phones == {
        "+541143426000": ["WORK", "VOICE"],
        MOBILE: ["CELL", "VOICE"],
        HOTLINE: ["WORK", "VOICE", "X-24-7"],
    }
    emails = {email.value: _types(email) for email in card.email_list}
    assert emails == {
        "ana@psa.example.org": ["INTERNET", "WORK"],
        PERSONAL: ["INTERNET", "HOME"],
    }
    assert sorted(lang.value for lang in card.lang_list) == ["en", "es"]
    assert card.tz.value == "America/Argentina/Buenos_Aires"
    note = card.note.value
    assert "Aviation security" in note
    assert "Focal point" in note
    assert "Argentina" in note
    assert "STALE: verification overdue" in note
    assert card.x_cicte_stale.value == "true"
    assert card.x_cicte_fingerprint.value == world.fingerprint
    assert card.key.params["TYPE"] == ["PGP"]
    assert pysequoia.Cert.from_bytes(card.key.value).fingerprint.upper() == world.fingerprint
    assert card.uid.value == f"urn:cicte:directory:contact:{world.contact.pk}"


def test_vcard_leaves_out_what_the_reader_may_not_see(
    client: Client, login: Any, world: World
) -> None:
    login(world.users["same_network"])
    response = client.get(f"/directory/contacts/{world.contact.pk}/vcard/")
    (card,) = _cards(response)
    assert [tel.value for tel in card.tel_list] == ["+541143426000"]
    assert [email.value for email in card.email_list] == ["ana@psa.example.org"]
    assert "key" not in card.contents
    assert "x-cicte-fingerprint" not in card.contents
    assert card.x_cicte_stale.value == "false"
    text = _body(client.get(f"/directory/contacts/{world.contact.pk}/vcard/"))
    for secret in (MOBILE, HOTLINE, PERSONAL, world.fingerprint):
        assert secret not in text


def test_many_contacts_in_one_vcard_file(client: Client, login: Any, world: World) -> None:
    duty = df.contact(
        world.organization,
        name="Mesa de guardia",
        kind="functional",
        availability="24_7",
        emails=[{"kind": "functional", "address": "guardia@psa.example.org"}],
    )
    df.designation(duty, NETWORK, "operational")
    df.designation(duty, NETWORK, "alternate")
    hidden = df.contact(af.OrganizationFactory(member_state=af.state("PE")), name="Hidden")
    df.designation(hidden, "unscr-1540", "expert")
    login(world.users["coordinator"])
    response = client.get(VCARD_URL)
    assert response["Content-Disposition"].startswith('attachment; filename="directory-')
    cards = {card.fn.value: card for card in _cards(response)}
    assert set(cards) == {"Ana Gómez", "Mesa de guardia"}
    desk = cards["Mesa de guardia"]
    assert desk.n.value.family == ""
    assert "24 hours a day" in desk.note.value
    assert desk.note.value.count("Aviation security") == 2
    assert "24/7 operational contact" in desk.note.value
    assert "Alternate point of contact" in desk.note.value
    event = _exports()[0]
    assert event.action == "directory.contact.export"
    assert event.changes == {"rows": 2, "filters": {"format": "vcard"}}


def test_export_reaches_only_where_the_reader_holds_the_permission(
    client: Client, login: Any, world: World
) -> None:
    # A member of the aviation network who observes the UNSCR 1540 network exports only the
    # aviation rows, although they see both.
    member = world.users["same_network"]
    af.grant(member, "observer", network_slug="unscr-1540")
    other = df.designation(
        df.contact(af.OrganizationFactory(member_state=af.state("MX"))), "unscr-1540", "expert"
    )
    login(member)
    rows = _csv(client.get(CSV_URL))
    assert [row["designation_id"] for row in rows] == [str(world.designation.pk)]
    response = client.get(f"/directory/contacts/{other.contact_id}/vcard/")
    assert response.status_code == 403
