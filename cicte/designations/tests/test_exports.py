"""The listing proposal to the UN committees: JSON and UN-style XML with the standard form's
sections; the XML parses (defusedxml, and the UN list parser reads the entry back); audited."""

from __future__ import annotations

import io
import json
from typing import Any

import defusedxml.ElementTree as DET
import pytest
from django.urls import reverse

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.designations import services
from cicte.designations.tests.conftest import ORGANISATION, api, listed, sign_in
from cicte.sanctions.sources import un

pytestmark = pytest.mark.django_db


def test_json_has_the_standard_form_sections(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    response = sign_in(proposer).get(
        reverse("designations:export", args=[designation.reference, "json"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    form = json.loads(response.content)
    assert form["reference"] == designation.reference
    assert form["designating_state"]["code"] == "CO"
    identity = form["identifying_information"]
    assert identity["type"] == "individual"
    assert identity["name_parts"]["first_name"] == "Juan Carlos"
    assert identity["original_script"] == ["خوان كارلوس"]
    assert {"name": "JC", "quality": "low"} in identity["aliases"]
    assert identity["dates_of_birth"] == [{"type": "exact", "value": "1975-03-14"}]
    assert identity["documents"][0]["number"] == "AX123456"
    basis = form["basis_for_listing"]
    assert basis["resolution"] == "UNSCR 1373 (2001)"
    assert basis["domestic_law"] == "Ley 1121 de 2006"
    assert basis["listed_on"] == designation.listed_at.date().isoformat()
    assert form["statement_of_case"].startswith("Confidential")
    assert form["narrative_summary"] == designation.public_summary
    roles = {c["role"]: c for c in form["points_of_contact"]}
    assert roles["exporting official"]["email"] == proposer.email
    assert roles["approving official"]["email"] == approver.email
    event = AuditEvent.objects.get(action="designations.designation.export")
    assert event.actor == proposer
    assert event.changes["filters"] == {"format": "json", "reference": designation.reference}


def test_xml_parses_and_reads_back_as_a_un_entry(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    response = sign_in(approver).get(
        reverse("designations:export", args=[designation.reference, "xml"])
    )
    assert response.status_code == 200
    root = DET.fromstring(response.content)
    assert root.tag == "CONSOLIDATED_LIST"
    person = root.find("INDIVIDUALS/INDIVIDUAL")
    assert person is not None
    assert person.findtext("FIRST_NAME") == "Juan Carlos"
    assert person.findtext("SECOND_NAME") == "Pérez"
    assert person.findtext("REFERENCE_NUMBER") == designation.reference
    assert person.findtext("UN_LIST_TYPE") == "UNSCR 1373"
    assert person.findtext("INDIVIDUAL_DOCUMENT/NUMBER") in {"AX123456", "79.456.123"}
    proposal = root.find("LISTING_PROPOSAL")
    assert proposal is not None
    assert proposal.findtext("BASIS_FOR_LISTING/RESOLUTION") == "UNSCR 1373 (2001)"
    assert proposal.findtext("BASIS_FOR_LISTING/ARTICLE") == "art. 20"
    assert proposal.findtext("STATEMENT_OF_CASE").startswith("Confidential")
    assert proposal.findtext("NARRATIVE_SUMMARY") == designation.public_summary
    assert proposal.findtext("DESIGNATING_STATE/CODE") == "CO"
    contacts = proposal.findall("POINTS_OF_CONTACT/CONTACT")
    assert {c.findtext("EMAIL") for c in contacts} == {approver.email, proposer.email}

    parsed = un.parse(io.BytesIO(response.content))
    [entity] = parsed.entities
    assert parsed.source_id_of(entity) == designation.reference
    assert entity.get("name") == ["Juan Carlos Pérez Gómez"]
    assert "AX123456" in entity.get("passportNumber")


def test_a_pending_organisation_exports_through_the_api(proposer: Any) -> None:
    action = services.propose_designation(
        actor=proposer, member_state=factories.state("CO"), data=ORGANISATION
    )
    reference = action.designation.reference
    caller = api(proposer, "sanctions:read")
    response = caller.get(f"/api/sanctions/designations/{reference}/export.xml/")
    assert response.status_code == 200
    root = DET.fromstring(response.content)
    entity = root.find("ENTITIES/ENTITY")
    assert entity is not None
    assert entity.findtext("FIRST_NAME") == "Fundación Horizonte Nuevo"
    assert root.findtext("LISTING_PROPOSAL/BASIS_FOR_LISTING/LISTED_ON") is None
    form = caller.get(f"/api/sanctions/designations/{reference}/export.json/").json()
    assert form["identifying_information"]["registration_number"] == "S0012345"
    assert form["status"] == "proposed"
    assert AuditEvent.objects.filter(action="designations.designation.export").count() == 2
