"""A designation as a listing proposal to the UN Security Council's sanctions committees: the
sections of the committees' standard form for listing (identifying information, basis for
listing, statement of case, narrative summary of reasons for listing, points of contact of the
designating state), as JSON and as XML in the UN consolidated list's structure.

The XML is the UN consolidated list (written by :func:`cicte.sanctions.exports.un_xml`, so the
UN parser reads the entry back) with one INDIVIDUAL or ENTITY, followed, inside the root, by a
``LISTING_PROPOSAL`` element holding the other sections of the form.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing XML only: lists are parsed with defusedxml
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cicte.designations.choices import RESOLUTION, ActionKind, AliasQuality, SubjectKind
from cicte.designations.models import Designation
from cicte.designations.publication import build, legal_basis
from cicte.sanctions import exports as list_exports

FORM = "Standard form for listing (United Nations Security Council sanctions committees)"
FORMATS = {
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}


@dataclass
class _Row:
    """A designation's FtM entity as the UN XML writer reads a list entry."""

    ftm_id: str
    schema: str
    source_id: str
    properties: dict[str, list[str]]
    related: list[dict[str, Any]]


def _row(designation: Designation) -> _Row:
    parsed = build(designation.list_key, [designation])
    entity = parsed.entities[0]
    return _Row(
        ftm_id=entity.id or "",
        schema=entity.schema.name,
        source_id=designation.reference,
        properties=entity.to_dict()["properties"],
        related=[r.to_dict() for r in parsed.related_of(entity)],
    )


def _contacts(designation: Designation, actor: Any) -> list[dict[str, str]]:
    """The officials of the designating state who stand behind the proposal: who exports it,
    who proposed the designation and who approved it."""
    people: list[tuple[str, Any]] = [("exporting official", actor)]
    first = designation.actions.filter(kind=ActionKind.DESIGNATE).select_related(
        "proposed_by__organization", "decided_by__organization"
    )
    for action in first[:1]:
        people.append(("proposing official", action.proposed_by))
        if action.decided_by is not None and action.status == "approved":
            people.append(("approving official", action.decided_by))
    seen: set[int] = set()
    out = []
    for role, person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        organization = person.organization
        out.append(
            {
                "role": role,
                "name": person.full_name or person.username,
                "organization": organization.name if organization else "",
                "email": person.email,
            }
        )
    return out


def proposal(designation: Designation, *, actor: Any, generated: datetime) -> dict[str, Any]:
    """The standard form's sections as one JSON-ready dict."""
    d = designation.details
    person = designation.kind == SubjectKind.PERSON
    aliases = d.get("aliases", [])
    identifying: dict[str, Any] = {
        "type": "individual" if person else "entity",
        "name": d.get("name", designation.name),
        "original_script": [
            a["name"] for a in aliases if a.get("quality") == AliasQuality.ORIGINAL_SCRIPT
        ],
        "aliases": [
            {"name": a["name"], "quality": a.get("quality", AliasQuality.GOOD)}
            for a in aliases
            if a.get("quality") != AliasQuality.ORIGINAL_SCRIPT
        ],
        "documents": d.get("documents", []),
        "addresses": d.get("addresses", []),
    }
    if person:
        identifying.update(
            name_parts={
                k: d.get(k, "") for k in ("first_name", "second_name", "third_name", "fourth_name")
            },
            gender=d.get("gender", ""),
            dates_of_birth=[
                {"type": "year" if len(v) == 4 else "exact", "value": v}
                for v in d.get("dates_of_birth", [])
            ],
            place_of_birth=d.get("place_of_birth", ""),
            birth_country=d.get("birth_country", ""),
            nationalities=d.get("nationalities", []),
        )
    else:
        identifying.update(
            legal_form=d.get("legal_form", ""),
            registration_number=d.get("registration_number", ""),
            jurisdiction=d.get("jurisdiction", ""),
        )
    return {
        "form": FORM,
        "generated_at": generated.isoformat(),
        "reference": designation.reference,
        "status": designation.status,
        "designating_state": {
            "code": designation.member_state.code,
            "name": designation.member_state.name,
            "authority": designation.authority,
        },
        "identifying_information": identifying,
        "basis_for_listing": {
            "resolution": RESOLUTION,
            "domestic_law": designation.domestic_law,
            "article": designation.article,
            "legal_basis": legal_basis(designation),
            "listed_on": designation.listed_at.date().isoformat()
            if designation.listed_at
            else None,
        },
        "statement_of_case": designation.statement_of_case,
        "narrative_summary": designation.public_summary,
        "points_of_contact": _contacts(designation, actor),
    }


def _sub(parent: ET.Element, tag: str) -> ET.Element:
    return ET.SubElement(parent, tag)


def _leaf(parent: ET.Element, tag: str, text: str | None) -> None:
    """An element with text; none at all for an empty value (as the UN list writes them)."""
    if text:
        ET.SubElement(parent, tag).text = text


def _trailer(form: dict[str, Any]) -> str:
    root = ET.Element("LISTING_PROPOSAL")
    _leaf(root, "FORM", form["form"])
    state = _sub(root, "DESIGNATING_STATE")
    for key in ("code", "name", "authority"):
        _leaf(state, key.upper(), form["designating_state"][key])
    _leaf(root, "REFERENCE_NUMBER", form["reference"])
    basis = _sub(root, "BASIS_FOR_LISTING")
    for key in ("resolution", "domestic_law", "article", "listed_on"):
        _leaf(basis, key.upper(), form["basis_for_listing"][key])
    _leaf(root, "STATEMENT_OF_CASE", form["statement_of_case"])
    _leaf(root, "NARRATIVE_SUMMARY", form["narrative_summary"])
    contacts = _sub(root, "POINTS_OF_CONTACT")
    for person in form["points_of_contact"]:
        contact = _sub(contacts, "CONTACT")
        for key in ("role", "name", "organization", "email"):
            _leaf(contact, key.upper(), person[key])
    ET.indent(root, space="  ", level=1)
    return "  " + ET.tostring(root, encoding="unicode") + "\n"


def proposal_xml(designation: Designation, *, actor: Any, generated: datetime) -> Iterator[str]:
    """The proposal as XML chunks: the UN list structure with the entry, then the form."""
    form = proposal(designation, actor=actor, generated=generated)
    return list_exports.un_xml([_row(designation)], generated=generated, trailer=_trailer(form))
