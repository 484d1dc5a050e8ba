"""A member state's domestic list as FollowTheMoney entities, built from its listed designations.

The same shape as the UN parser's (:mod:`cicte.sanctions.sources.un`): a ``Person`` or
``Organization`` with its names, aliases, dates and place of birth, nationalities, document
numbers and addresses, ``topics: sanction``; hanging on it a ``Sanction`` (authority, program
"UNSCR 1373", listing date, reason = the public narrative summary, status and provisions telling
the freeze and its exemptions), ``Passport``/``Identification`` documents and ``Address``
entities, with ids derived by :func:`~cicte.sanctions.sources.slug_id` and
:func:`~cicte.sanctions.sources.related_id`.

Only public fields go in: never the statement of case, and nothing that changes without the
listing changing (no approval time), so that an approval that leaves the content as it was
publishes no new version. :func:`content_sha256` is the hash of the canonical JSON of that
content, given to ``import_list`` as the source's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from followthemoney import EntityProxy, model

from cicte.designations.choices import (
    PROGRAM,
    RESOLUTION,
    AliasQuality,
    DocumentType,
    FreezeStatus,
    SubjectKind,
    UnfreezeScope,
)
from cicte.designations.models import Designation
from cicte.sanctions.sources import ParsedList, related_id

ALIAS_PROPS: dict[str, str] = {
    AliasQuality.GOOD: "alias",
    AliasQuality.ORIGINAL_SCRIPT: "alias",
    AliasQuality.LOW: "weakAlias",
    AliasQuality.FORMER: "previousName",
}
DOCUMENT_LABELS: dict[str, str] = {
    DocumentType.PASSPORT: "Passport",
    DocumentType.NATIONAL_ID: "National identity document",
    DocumentType.TAX_NUMBER: "Tax number",
    DocumentType.REGISTRATION: "Registration number",
    DocumentType.OTHER: "Other",
}
NUMBER_PROPS: dict[str, str] = {
    DocumentType.PASSPORT: "passportNumber",
    DocumentType.TAX_NUMBER: "taxNumber",
}
FREEZE_STATUS = {
    FreezeStatus.FROZEN: "Assets frozen",
    FreezeStatus.PARTIALLY_UNFROZEN: "Assets frozen, partially unfrozen (humanitarian exemption)",
    FreezeStatus.UNFROZEN: "Assets unfrozen",
    FreezeStatus.NONE: "Assets frozen",
}
EXEMPTION_LABELS = {
    UnfreezeScope.BASIC_EXPENSES: "Exemption for basic expenses (UNSCR 1452, para. 1(a))",
    UnfreezeScope.EXTRAORDINARY_EXPENSES: (
        "Exemption for extraordinary expenses (UNSCR 1452, para. 1(b))"
    ),
}


def legal_basis(designation: Designation) -> str:
    """ "UNSCR 1373 (2001); <domestic law>, <article>"."""
    domestic = ", ".join(p for p in (designation.domestic_law, designation.article) if p)
    return f"{RESOLUTION}; {domestic}" if domestic else RESOLUTION


def _full_address(address: dict[str, str]) -> str:
    parts = [address.get(p, "") for p in ("street", "city", "region", "postal_code")]
    code = address.get("country", "")
    from followthemoney.types import registry

    parts.append(registry.country.caption(code) or code if code else "")
    return ", ".join(p for p in parts if p)


def _add_documents(
    parsed: ParsedList, entity: EntityProxy, documents: list[dict[str, str]]
) -> None:
    assert entity.id is not None
    for doc in documents:
        kind, number, code = doc["type"], doc["number"], doc.get("country", "")
        passport = kind == DocumentType.PASSPORT
        document = model.make_entity("Passport" if passport else "Identification")
        document.id = related_id(entity.id, "document", kind, number, code)
        document.add("holder", entity.id)
        document.add("type", DOCUMENT_LABELS.get(kind, kind))
        document.add("number", number)
        document.add("country", code, quiet=True)
        document.add("summary", doc.get("note", ""))
        prop = NUMBER_PROPS.get(kind, "idNumber")
        if kind == DocumentType.REGISTRATION and entity.schema.name == "Organization":
            prop = "registrationNumber"
        entity.add(prop, number)
        parsed.add_related(entity, document)


def _add_addresses(
    parsed: ParsedList, entity: EntityProxy, addresses: list[dict[str, str]]
) -> None:
    for item in addresses:
        parsed.add_address(
            entity,
            full=_full_address(item),
            street=item.get("street", ""),
            city=item.get("city", ""),
            state=item.get("region", ""),
            postal_code=item.get("postal_code", ""),
            country=item.get("country", ""),
        )


def provisions(designation: Designation) -> list[str]:
    """The measures in force: the freeze, and each humanitarian exemption granted."""
    out = ["Freezing of funds and other financial assets or economic resources (UNSCR 1373, 1(c))"]
    for exemption in designation.exemptions:
        label = EXEMPTION_LABELS.get(exemption.get("scope", ""), "Exemption")
        out.append(
            f"{label}: {exemption.get('amount', '')} {exemption.get('currency', '')}; "
            f"{exemption.get('terms', '')}".strip()
        )
    return out


def _sanction(parsed: ParsedList, entity: EntityProxy, designation: Designation) -> None:
    assert entity.id is not None
    sanction = model.make_entity("Sanction")
    sanction.id = related_id(entity.id, "sanction")
    sanction.add("entity", entity.id)
    sanction.add("authority", designation.authority)
    sanction.add("authorityId", designation.reference)
    sanction.add("program", PROGRAM)
    sanction.add("programId", PROGRAM)
    sanction.add("country", designation.member_state.code.lower(), quiet=True)
    if designation.listed_at is not None:
        sanction.add("listingDate", designation.listed_at.date().isoformat())
    sanction.add("reason", designation.public_summary)
    sanction.add("description", legal_basis(designation))
    sanction.add("status", FREEZE_STATUS[FreezeStatus(designation.freeze_status)])
    sanction.add("provisions", provisions(designation))
    parsed.add_related(entity, sanction)


def entity_of(parsed: ParsedList, designation: Designation) -> EntityProxy:
    """Add one designation (its entity and related ones) to ``parsed``."""
    details = designation.details
    person = details.get("kind") == SubjectKind.PERSON
    entity = model.make_entity("Person" if person else "Organization")
    entity.id = designation.ftm_id
    entity.add("name", details.get("name") or designation.name)
    if person:
        entity.add("firstName", details.get("first_name", ""))
        entity.add("secondName", details.get("second_name", ""))
        entity.add("middleName", [details.get("third_name", ""), details.get("fourth_name", "")])
        entity.add("gender", details.get("gender", ""), quiet=True)
        entity.add("birthDate", details.get("dates_of_birth", []), quiet=True)
        entity.add("birthPlace", details.get("place_of_birth", ""))
        entity.add("birthCountry", details.get("birth_country", ""), quiet=True)
        entity.add("nationality", details.get("nationalities", []), quiet=True)
    else:
        entity.add("legalForm", details.get("legal_form", ""))
        entity.add("registrationNumber", details.get("registration_number", ""))
        entity.add("jurisdiction", details.get("jurisdiction", ""), quiet=True)
    for alias in details.get("aliases", []):
        entity.add(ALIAS_PROPS.get(alias.get("quality"), "alias"), alias.get("name", ""))
    entity.add("programId", PROGRAM)
    entity.add("topics", "sanction")
    parsed.add(entity, designation.reference)
    _add_documents(parsed, entity, details.get("documents", []))
    _add_addresses(parsed, entity, details.get("addresses", []))
    _sanction(parsed, entity, designation)
    return entity


def build(
    list_key: str, designations: Iterable[Designation], *, published_at: datetime | None = None
) -> ParsedList:
    """The domestic list ``list_key`` of these (listed) designations, in reference order."""
    parsed = ParsedList(list_key=list_key, published_at=published_at)
    for designation in sorted(designations, key=lambda d: d.reference):
        entity_of(parsed, designation)
    return parsed


def content_sha256(parsed: ParsedList) -> str:
    """The SHA-256 of the list's canonical JSON (entities in order, values sorted)."""
    canonical = [
        {
            "id": e.id,
            "schema": e.schema.name,
            "properties": {k: sorted(v) for k, v in sorted(e.to_dict()["properties"].items())},
        }
        for e in parsed.all_entities()
    ]
    data = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()
