"""OFAC's Specially Designated Nationals list, legacy CSV files, as FollowTheMoney entities.

The files have no header row and ``-0-`` stands for an empty field:

- SDN.CSV: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
  Vess_flag, Vess_owner, Remarks
- ALT.CSV: ent_num, alt_num, alt_type (aka, fka, nka), alt_name, alt_remarks
- ADD.CSV: ent_num, add_num, address, city/state/postal code, country, add_remarks
- SDN_COMMENTS.CSV (optional): ent_num, the rest of Remarks that did not fit in SDN.CSV

SDN_Type "individual" -> ``Person``, "vessel" -> ``Vessel``, "aircraft" -> ``Airplane``, empty ->
``Organization``; id ``ofac-<ent_num>``. Individuals' names are written "SURNAME, Given": kept
as ``lastName``/``firstName`` and ``name`` "Given SURNAME". Remarks are parsed for DOB
(``birthDate``: "13 May 1965", "May 1965", "1965", "circa 1965", "1960 to 1962"), POB, nationality
and citizen (``nationality``/``citizenship``), Gender, Passport and national ID numbers
(``passportNumber``/``idNumber`` with ``Passport``/``Identification`` entities), Tax ID, email,
website, phone, IMO and MMSI numbers, a.k.a./f.k.a. quoted names; the whole text stays in ``notes``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from followthemoney import EntityProxy, model
from followthemoney.types import registry

from cicte.sanctions.sources import ListFormatError, ParsedList, related_id

AUTHORITY = "Office of Foreign Assets Control (OFAC), US Department of the Treasury"
EMPTY = "-0-"
SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}
ALT_PROPS = {"aka": "alias", "nka": "alias", "fka": "previousName"}
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
DATE_RE = re.compile(r"^(?:(?P<day>\d{1,2}) )?(?:(?P<month>[A-Za-z]{3})[a-z]* )?(?P<year>\d{4})$")
# Remarks labels that introduce an identity document number, with the FtM property they fill.
ID_LABELS = [
    (r"Passport(?: No\.?| Number)?|Diplomatic Passport(?: No\.?)?", "passportNumber"),
    (r"Tax ID No\.|RFC|R\.F\.C\.|RUC #|NIT #|RIF #|V\.A\.T\. Number|RTN", "taxNumber"),
    (r"SSN", "socialSecurityNumber"),
    (
        r"Cedula No\.|National ID No\.|Identification Number|C\.U\.R\.P\.|CURP #|D\.N\.I\.|"
        r"Personal ID Card|Registration ID|Registration Number|Company Number|"
        r"Business Registration (?:Document|Number) #|Credencial electoral|Electoral Registry No\.|"
        r"Driver's License No\.|Cartilla de Servicio Militar Nacional|Folio Mercantil No\.|"
        r"Matricula Mercantil No|Commercial Registry Number|I\.F\.E\.|C\.R\. No\.|"
        r"Residency Number|Public Security and Immigration No\.|Identity Number|Trade License No\.|"
        r"Kenyan ID No\.|Moroccan Personal ID No\.|UK Company Number|US FEIN|"
        r"Unified Social Credit Code \(USCC\)|Government Gazette Number|Legal Entity Number|"
        r"Chamber of Commerce Number|Certificate of Incorporation Number|Enterprise Number|"
        r"Italian Fiscal Code|Stateless Person ID Card|Turkish Identification Number|"
        r"Refugee ID Card|Afghan Tazkira Number|National Foreign ID Number|Citizen's Card Number",
        "idNumber",
    ),
]
DOCUMENT_RES = [
    (
        re.compile(
            rf"^(?P<label>{labels}) (?P<number>(?:[A-Z]{{1,3}} )?[^\s()]*\d[^\s()]*(?: \d[^\s()]*)*)"
            r"(?: \((?P<country>[^)]+)\))?(?P<rest>(?: .*)?)$",
            re.I,
        ),
        prop,
    )
    for labels, prop in ID_LABELS
]
QUOTED_RE = re.compile(r"'([^']+)'")


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value == EMPTY else " ".join(value.split())


def _rows(
    source: str | Path | IO[bytes], label: str, width: int
) -> Iterator[tuple[int, list[str]]]:
    """Rows of one OFAC file with their line numbers; the trailing EOF mark (^Z) is ignored."""
    try:
        raw = Path(source).read_bytes() if isinstance(source, (str, Path)) else source.read()
    except OSError as exc:
        raise ListFormatError(f"{label}: cannot read the file: {exc}") from exc
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # OFAC's older files are Windows-1252
    text = text.replace("\x1a", "")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != width:
                raise ListFormatError(
                    f"{label} line {reader.line_num}: {len(row)} fields, expected {width}"
                )
            if not row[0].strip().isdigit():
                raise ListFormatError(
                    f"{label} line {reader.line_num}: the first field ({row[0].strip()!r}) is not an ent_num"
                )
            yield reader.line_num, row
    except csv.Error as exc:
        raise ListFormatError(f"{label} line {reader.line_num}: malformed CSV: {exc}") from exc


def _date_values(text: str) -> list[str]:
    """FtM dates for an OFAC DOB: '13 May 1965', 'May 1965', '1965', 'circa 1965', '1960 to 1962'."""
    text = text.strip().rstrip(".").strip()
    text = re.sub(r"^circa ", "", text, flags=re.I)
    if " to " in text:
        start, _, end = text.partition(" to ")
        years = [_date_values(start), _date_values(end)]
        if years[0] and years[1]:
            first, last = int(years[0][0][:4]), int(years[1][0][:4])
            if 0 <= last - first <= 30:
                return [str(y) for y in range(first, last + 1)]
        return [v for vs in years for v in vs]
    match = DATE_RE.match(text)
    if not match:
        return []
    year = match.group("year")
    month = MONTHS.get((match.group("month") or "").lower()[:3])
    if match.group("month") and not month:
        return []
    if month and match.group("day"):
        return [f"{year}-{month:02d}-{int(match.group('day')):02d}"]
    if month:
        return [f"{year}-{month:02d}"]
    return [year]


def _name(raw: str, schema: str) -> tuple[str, str, str]:
    """(name, last name, first name) of an SDN or alias name."""
    if schema == "Person" and ", " in raw:
        last, _, first = raw.partition(", ")
        return f"{first} {last}".strip(), last.strip(), first.strip()
    return raw, "", ""


def _document(
    parsed: ParsedList,
    entity: EntityProxy,
    prop: str,
    label: str,
    number: str,
    country: str,
    rest: str,
) -> None:
    assert entity.id is not None
    entity.add(prop, number, quiet=True)
    if prop not in ("passportNumber", "idNumber"):
        return
    document = model.make_entity("Passport" if prop == "passportNumber" else "Identification")
    code = registry.country.clean(country) or country
    document.id = related_id(entity.id, "document", label, number, code)
    document.add("holder", entity.id)
    document.add("type", label)
    document.add("number", number)
    document.add("country", country, quiet=True)
    for kind, date in re.findall(r"(issued|expires) (\d{1,2} [A-Za-z]{3} \d{4})", rest):
        values = _date_values(date)
        document.add("startDate" if kind == "issued" else "endDate", values, quiet=True)
    parsed.add_related(entity, document)


def _remarks(parsed: ParsedList, entity: EntityProxy, remarks: str) -> None:
    """Properties from what OFAC keeps in Remarks; unknown parts stay in ``notes`` only."""
    entity.add("notes", remarks)
    schema = entity.schema
    for raw_part in remarks.rstrip(".").split("; "):
        part = re.sub(r"^alt\. ", "", raw_part.strip()).strip()
        if not part:
            continue
        lowered = part.lower()
        if lowered.startswith(("a.k.a.", "f.k.a.", "n.k.a.")):
            prop = "previousName" if lowered.startswith("f.k.a.") else "alias"
            for name in QUOTED_RE.findall(part):
                entity.add(prop, _name(name, schema.name)[0])
            continue
        if part.startswith("DOB ") and schema.is_a("Person"):
            entity.add("birthDate", _date_values(part[4:]), quiet=True)
            continue
        if part.startswith("POB ") and schema.is_a("Person"):
            entity.add("birthPlace", part[4:].strip())
            continue
        if lowered.startswith("nationality "):
            entity.add("nationality", part[12:].strip(), quiet=True)
            continue
        if lowered.startswith("citizen "):
            entity.add("citizenship", part[8:].strip(), quiet=True)
            continue
        if part.startswith("Gender ") and schema.is_a("Person"):
            entity.add("gender", part[7:].strip().lower(), quiet=True)
            continue
        if part.startswith("Email Address "):
            entity.add("email", part[14:].strip(), quiet=True)
            continue
        if part.startswith("Website "):
            entity.add("website", part[8:].strip(), quiet=True)
            continue
        if part.startswith(("Telephone ", "Phone Number ")):
            entity.add("phone", part.split(" ", 1)[1].strip(), quiet=True)
            continue
        if part.startswith("Vessel Registration Identification IMO "):
            entity.add("imoNumber", "IMO" + part.rsplit(" ", 1)[1], quiet=True)
            continue
        if part.startswith("MMSI "):
            entity.add("mmsi", part[5:].strip(), quiet=True)
            continue
        if part.startswith("Aircraft Model ") and schema.is_a("Airplane"):
            entity.add("model", part[15:].strip())
            continue
        if part.startswith("Aircraft Manufacture Date ") and schema.is_a("Airplane"):
            entity.add("buildDate", _date_values(part[26:]), quiet=True)
            continue
        if part.startswith("Aircraft Manufacturer's Serial Number (MSN) ") and schema.is_a(
            "Airplane"
        ):
            entity.add("serialNumber", part[44:].strip())
            continue
        if part.startswith("Organization Established Date "):
            entity.add("incorporationDate", _date_values(part[30:]), quiet=True)
            continue
        for pattern, prop in DOCUMENT_RES:
            match = pattern.match(part)
            if match:
                if prop in schema.properties:
                    _document(
                        parsed,
                        entity,
                        prop,
                        match.group("label"),
                        match.group("number").rstrip(".,"),
                        (match.group("country") or "").strip(),
                        match.group("rest") or "",
                    )
                break


def _open_all(
    sdn: str | Path | IO[bytes],
    alt: str | Path | IO[bytes],
    add: str | Path | IO[bytes],
    comments: str | Path | IO[bytes] | None,
) -> tuple[list, list, list, dict[str, str]]:
    sdn_rows = list(_rows(sdn, "SDN", 12))
    alt_rows = list(_rows(alt, "ALT", 5))
    add_rows = list(_rows(add, "ADD", 6))
    extra: dict[str, str] = {}
    if comments is not None:
        for _line, row in _rows(comments, "COMMENTS", 2):
            extra[row[0].strip()] = extra.get(row[0].strip(), "") + row[1]
    return sdn_rows, alt_rows, add_rows, extra


def parse(
    sdn: str | Path | IO[bytes],
    alt: str | Path | IO[bytes],
    add: str | Path | IO[bytes],
    comments: str | Path | IO[bytes] | None = None,
    *,
    source_url: str | None = None,
    published_at: datetime | None = None,
) -> ParsedList:
    """Read OFAC's SDN, ALT, ADD (and optional comments) CSV files: paths or binary file objects.

    Raises :class:`ListFormatError` naming the file and line of the first malformed row.
    """
    sdn_rows, alt_rows, add_rows, extra = _open_all(sdn, alt, add, comments)
    parsed = ParsedList(list_key="ofac", published_at=published_at)
    by_num: dict[str, EntityProxy] = {}
    for line, row in sdn_rows:
        ent_num = row[0].strip()
        kind = _clean(row[2]).lower()
        schema = SCHEMAS.get(kind)
        if schema is None:
            raise ListFormatError(f"SDN line {line}: unknown SDN_Type {kind!r}")
        raw_name = _clean(row[1])
        if not raw_name:
            raise ListFormatError(f"SDN line {line}: ent_num {ent_num} has no name")
        entity = model.make_entity(schema)
        entity.id = f"ofac-{ent_num}"
        name, last, first = _name(raw_name, schema)
        entity.add("name", name)
        if schema == "Person":
            entity.add("lastName", last)
            entity.add("firstName", first)
            entity.add("position", _clean(row[4]))
        programs = [p.strip(" []") for p in _clean(row[3]).split("] [") if p.strip(" []")]
        entity.add("programId", programs)
        if schema == "Vessel":
            entity.add("callSign", _clean(row[5]))
            entity.add("type", _clean(row[6]))
            entity.add("tonnage", _clean(row[7]).replace(",", ""), quiet=True)
            entity.add("grossRegisteredTonnage", _clean(row[8]).replace(",", ""), quiet=True)
            entity.add("flag", _clean(row[9]), quiet=True)
            if _clean(row[10]):
                entity.add("notes", f"Owner: {_clean(row[10])}")
        elif schema == "Airplane" and _clean(row[6]):
            entity.add("type", _clean(row[6]))
        remarks = _clean(row[11])
        if ent_num in extra:
            remarks = _clean(row[11] + extra.pop(ent_num))
        entity.add("topics", "sanction")
        parsed.add(entity, ent_num)
        if remarks:
            _remarks(parsed, entity, remarks)
        by_num[ent_num] = entity
        sanction = model.make_entity("Sanction")
        sanction.id = related_id(entity.id, "sanction")
        sanction.add("entity", entity.id)
        sanction.add("authority", AUTHORITY)
        sanction.add("authorityId", ent_num)
        sanction.add("program", programs)
        sanction.add("provisions", "Blocking of property and interests in property")
        sanction.add("country", "us")
        if source_url:
            sanction.add("sourceUrl", source_url)
        parsed.add_related(entity, sanction)
    for line, row in alt_rows:
        owner = by_num.get(row[0].strip())
        if owner is None:
            raise ListFormatError(f"ALT line {line}: ent_num {row[0].strip()} is not in SDN")
        name = _clean(row[3])
        if name:
            prop = ALT_PROPS.get(_clean(row[2]).lower(), "alias")
            if "weak" in _clean(row[4]).lower():
                prop = "weakAlias"
            owner.add(prop, _name(name, owner.schema.name)[0])
    for line, row in add_rows:
        owner = by_num.get(row[0].strip())
        if owner is None:
            raise ListFormatError(f"ADD line {line}: ent_num {row[0].strip()} is not in SDN")
        street, city, country, note = (_clean(row[i]) for i in (2, 3, 4, 5))
        full = ", ".join(p for p in (street, city, country) if p)
        if not full:
            continue
        parsed.add_address(
            owner, full=full, street=street, city=city, country=country, remarks=note
        )
    if source_url:
        for entity in parsed.entities:
            entity.add("sourceUrl", source_url)
    return parsed
