"""The UN Security Council consolidated list (its official XML) as FollowTheMoney entities.

The XML is read with defusedxml: a file that declares entities (entity expansion, "billion
laughs") or refers to external ones is refused with a :class:`ListFormatError`, never expanded.

Mapping (element -> FtM):

- INDIVIDUAL -> ``Person``, ENTITY -> ``Organization``; id ``un-<reference number>``.
- FIRST_NAME, SECOND_NAME, THIRD_NAME, FOURTH_NAME -> ``firstName``, ``secondName``,
  ``middleName`` (third and fourth); their join -> ``name``. An ENTITY's FIRST_NAME is its ``name``.
- NAME_ORIGINAL_SCRIPT -> ``alias`` (FtM keeps every script).
- *_ALIAS: quality Good, a.k.a. or none -> ``alias``; Low -> ``weakAlias``; f.k.a. -> ``previousName``.
- TITLE -> ``title``; DESIGNATION -> ``position``; GENDER -> ``gender``; NATIONALITY -> ``nationality``.
- INDIVIDUAL_DATE_OF_BIRTH: EXACT or APPROXIMATELY, DATE or YEAR -> ``birthDate`` ("1961-05-23",
  "1961"); BETWEEN FROM_YEAR and TO_YEAR -> each year of the range. FtM has no "approximate"
  flag: the qualifier is kept in ``notes`` ("Date of birth: approximately 1961").
- INDIVIDUAL_PLACE_OF_BIRTH -> ``birthPlace`` (text) and ``birthCountry``.
- INDIVIDUAL_DOCUMENT -> ``passportNumber``/``idNumber`` and a ``Passport``/``Identification``.
- *_ADDRESS -> ``address`` (full text), ``country`` and an ``Address`` entity.
- COMMENTS1 -> ``notes`` (an alias's NOTE too, as "Alias NAME: note"); UN_LIST_TYPE -> ``programId``; a ``Sanction`` with authority, program
  (UN_LIST_TYPE), status (LIST_TYPE), unscId/authorityId (REFERENCE_NUMBER), listingDate
  (LISTED_ON), modifiedAt (LAST_DAY_UPDATED), recordId (DATAID).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import defusedxml.ElementTree as DET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from followthemoney import EntityProxy, model
from followthemoney.types import registry

from cicte.sanctions.sources import ListFormatError, ParsedList, related_id, slug_id

AUTHORITY = "United Nations Security Council"
NAME_PARTS = (
    ("FIRST_NAME", "firstName"),
    ("SECOND_NAME", "secondName"),
    ("THIRD_NAME", "middleName"),
    ("FOURTH_NAME", "middleName"),
)
ALIAS_PROPS = {
    "good": "alias",
    "a.k.a.": "alias",
    "": "alias",
    "low": "weakAlias",
    "f.k.a.": "previousName",
}
PASSPORT_WORDS = ("passport", "passeport", "pasaporte", "passaporte")


def _text(element: ET.Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def _child(element: ET.Element, tag: str) -> str:
    return _text(element.find(tag))


def _values(element: ET.Element, tag: str) -> list[str]:
    return [v for v in (_text(x) for x in element.findall(f"{tag}/VALUE")) if v]


def _load(source: str | Path | IO[bytes]) -> ET.Element:
    try:
        tree = DET.parse(source, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, DTDForbidden) as exc:
        raise ListFormatError(
            "refused: the XML declares entities (entity expansion is not allowed in a list file)"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise ListFormatError("refused: the XML refers to an external entity or document") from exc
    except DefusedXmlException as exc:
        raise ListFormatError(f"refused: {exc}") from exc
    except ET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc.msg))
        raise ListFormatError(f"malformed XML at line {line}, column {column}: {reason}") from exc
    except OSError as exc:
        raise ListFormatError(f"cannot read the file: {exc}") from exc
    root = tree.getroot()
    if root is None or root.tag != "CONSOLIDATED_LIST":
        tag = root.tag if root is not None else "nothing"
        raise ListFormatError(
            f"not a UN consolidated list: the root element is {tag}, not CONSOLIDATED_LIST"
        )
    return root


def _published_at(root: ET.Element) -> datetime | None:
    generated = root.get("dateGenerated") or ""
    if not generated:
        return None
    try:
        value = datetime.fromisoformat(generated.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _dates_of_birth(entity: EntityProxy, element: ET.Element) -> None:
    kind = _child(element, "TYPE_OF_DATE").upper()
    note = _child(element, "NOTE")
    values: list[str] = []
    if kind == "BETWEEN":
        start, end = _child(element, "FROM_YEAR"), _child(element, "TO_YEAR")
        if start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) <= 30:
            values = [str(year) for year in range(int(start), int(end) + 1)]
        else:
            values = [y for y in (start, end) if y]
    else:
        values = [v for v in (_child(element, "DATE"), _child(element, "YEAR")) if v]
    for value in values:
        entity.add("birthDate", value[:10])
    if values and kind in ("APPROXIMATELY", "BETWEEN"):
        shown = f"{values[0]} to {values[-1]}" if kind == "BETWEEN" else values[0]
        entity.add("notes", f"Date of birth: {kind.lower()} {shown}")
    if note:
        entity.add("notes", f"Date of birth: {note}")


def _place_of_birth(entity: EntityProxy, element: ET.Element) -> None:
    country = _child(element, "COUNTRY")
    place = _join(
        _child(element, "STREET"),
        _child(element, "CITY"),
        _child(element, "STATE_PROVINCE"),
        country,
    )
    if place:
        entity.add("birthPlace", place)
    if country:
        entity.add("birthCountry", country, quiet=True)
    note = _child(element, "NOTE")
    if note:
        entity.add("notes", f"Place of birth: {note}")


def _address(parsed: ParsedList, entity: EntityProxy, element: ET.Element) -> None:
    street, city = _child(element, "STREET"), _child(element, "CITY")
    state, postal = _child(element, "STATE_PROVINCE"), _child(element, "ZIP_CODE")
    country, note = _child(element, "COUNTRY"), _child(element, "NOTE")
    full = _join(street, city, state, postal, country)
    if not full:
        return
    parsed.add_address(
        entity,
        full=full,
        street=street,
        city=city,
        state=state,
        postal_code=postal,
        country=country,
        remarks=note,
    )


def _document(parsed: ParsedList, entity: EntityProxy, element: ET.Element) -> None:
    kind = _child(element, "TYPE_OF_DOCUMENT")
    kind2 = _child(element, "TYPE_OF_DOCUMENT2")
    number = _child(element, "NUMBER")
    note = _child(element, "NOTE")
    country = _child(element, "ISSUING_COUNTRY") or _child(element, "COUNTRY_OF_ISSUE")
    if not number:
        described = " ".join(p for p in (kind, kind2, note) if p)
        if described:
            entity.add("notes", f"Document: {described}")
        return
    assert entity.id is not None
    is_passport = any(word in kind.lower() for word in PASSPORT_WORDS)
    document = model.make_entity("Passport" if is_passport else "Identification")
    code = registry.country.clean(country) or country
    document.id = related_id(entity.id, "document", kind, number, code)
    document.add("holder", entity.id)
    document.add("type", kind or kind2)
    document.add("number", number)
    document.add("country", country, quiet=True)
    document.add("startDate", _child(element, "DATE_OF_ISSUE")[:10], quiet=True)
    document.add("authority", _child(element, "CITY_OF_ISSUE"))
    document.add("summary", " ".join(p for p in (kind2, note) if p))
    entity.add("passportNumber" if is_passport else "idNumber", number)
    parsed.add_related(entity, document)


def _aliases(entity: EntityProxy, element: ET.Element, tag: str) -> None:
    for alias in element.findall(tag):
        name = _child(alias, "ALIAS_NAME")
        if not name:
            continue
        quality = _child(alias, "QUALITY").lower()
        entity.add(ALIAS_PROPS.get(quality, "alias"), name)
        note = _child(alias, "NOTE")
        if note:
            entity.add("notes", f"Alias {name}: {note}")
        if tag == "INDIVIDUAL_ALIAS":
            # The UN gives some aliases a date and place of birth of their own.
            for date in (_child(alias, "DATE_OF_BIRTH"),):
                if date:
                    entity.add("birthDate", date[:10], quiet=True)
            country = _child(alias, "COUNTRY_OF_BIRTH")
            place = _join(_child(alias, "CITY_OF_BIRTH"), country)
            if place:
                entity.add("birthPlace", place)
            if country:
                entity.add("birthCountry", country, quiet=True)


def _sanction(parsed: ParsedList, entity: EntityProxy, element: ET.Element, ref: str) -> None:
    assert entity.id is not None
    sanction = model.make_entity("Sanction")
    sanction.id = related_id(entity.id, "sanction")
    sanction.add("entity", entity.id)
    sanction.add("authority", AUTHORITY)
    sanction.add("authorityId", ref)
    sanction.add("unscId", ref)
    sanction.add("program", _child(element, "UN_LIST_TYPE"))
    sanction.add("status", _values(element, "LIST_TYPE"))
    sanction.add("listingDate", _child(element, "LISTED_ON")[:10], quiet=True)
    sanction.add("modifiedAt", [v[:10] for v in _values(element, "LAST_DAY_UPDATED")], quiet=True)
    sanction.add("recordId", _child(element, "DATAID"))
    sanction.add("country", "zz")  # FtM's code for international bodies (the UN)
    parsed.add_related(entity, sanction)


def _entity(parsed: ParsedList, element: ET.Element, schema: str) -> None:
    ref = _child(element, "REFERENCE_NUMBER")
    if not ref:
        raise ListFormatError(
            f"a {element.tag} without REFERENCE_NUMBER (DATAID {_child(element, 'DATAID') or '?'})"
        )
    entity = model.make_entity(schema)
    entity.id = slug_id("un", ref)
    if schema == "Person":
        parts = []
        for tag, prop in NAME_PARTS:
            value = _child(element, tag)
            if value:
                entity.add(prop, value)
                parts.append(value)
        entity.add("name", " ".join(parts))
        entity.add("title", _values(element, "TITLE"))
        entity.add("position", _values(element, "DESIGNATION"))
        entity.add("gender", _child(element, "GENDER").lower(), quiet=True)
        for nationality in _values(element, "NATIONALITY"):
            entity.add("nationality", nationality, quiet=True)
        for dob in element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            _dates_of_birth(entity, dob)
        for pob in element.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            _place_of_birth(entity, pob)
        for document in element.findall("INDIVIDUAL_DOCUMENT"):
            _document(parsed, entity, document)
    else:
        entity.add("name", _child(element, "FIRST_NAME"))
    if not entity.get("name"):
        raise ListFormatError(f"{ref}: no name")
    entity.add("alias", _child(element, "NAME_ORIGINAL_SCRIPT"))
    alias_tag = "INDIVIDUAL_ALIAS" if schema == "Person" else "ENTITY_ALIAS"
    _aliases(entity, element, alias_tag)
    entity.add("notes", _child(element, "COMMENTS1"))
    entity.add("programId", _child(element, "UN_LIST_TYPE"))
    entity.add("topics", "sanction")
    parsed.add(entity, ref)
    for address in element.findall(f"{alias_tag.replace('_ALIAS', '')}_ADDRESS"):
        _address(parsed, entity, address)
    _sanction(parsed, entity, element, ref)


def parse(source: str | Path | IO[bytes], *, source_url: str | None = None) -> ParsedList:
    """Read the UN consolidated list XML (a path or a binary file object).

    Raises :class:`ListFormatError` for a malformed or unsafe file (line and column given).
    """
    root = _load(source)
    parsed = ParsedList(list_key="un", published_at=_published_at(root))
    for element in root.findall("INDIVIDUALS/INDIVIDUAL"):
        _entity(parsed, element, "Person")
    for element in root.findall("ENTITIES/ENTITY"):
        _entity(parsed, element, "Organization")
    if source_url:
        for sanction in parsed.sanctions:
            sanction.add("sourceUrl", source_url)
        for entity in parsed.entities:
            entity.add("sourceUrl", source_url)
    return parsed
