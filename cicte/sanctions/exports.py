"""Exports of a list's current entries: FtM JSON lines, CSV, and the UN consolidated list's XML.

Each writer takes an iterable of ``ListEntity``-like rows (``ftm_id``, ``schema``,
``properties``, ``related``, ``source_id``) and yields text chunks, so views can stream them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol
from xml.sax.saxutils import escape

from followthemoney.types import registry

FORMATS = {
    "ftm": ("application/x-ndjson; charset=utf-8", "ftm.json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xml": ("application/xml; charset=utf-8", "xml"),
}
CSV_HEADER = [
    "id",
    "schema",
    "name",
    "aliases",
    "birth_dates",
    "nationalities",
    "documents",
    "listed_on",
    "list_id",
]


class Row(Protocol):
    ftm_id: str
    schema: str
    source_id: str
    properties: dict[str, list[str]]
    related: list[dict[str, Any]]


def _related(row: Row, *schemas: str) -> list[dict[str, Any]]:
    return [r for r in row.related if r.get("schema") in schemas]


def _listed_on(row: Row) -> list[str]:
    return [d for s in _related(row, "Sanction") for d in s["properties"].get("listingDate", [])]


def ftm_lines(rows: Iterable[Row]) -> Iterator[str]:
    """One FtM entity dict per line: each entry, then its Sanction, documents and addresses."""
    for row in rows:
        entity = {"id": row.ftm_id, "schema": row.schema, "properties": row.properties}
        yield json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n"
        for other in row.related:
            yield json.dumps(other, ensure_ascii=False, sort_keys=True) + "\n"


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _cell(value: str) -> str:
    # Spreadsheets run cells that start with these characters as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """A header, then one row per entry; several values of one column are joined with "; "."""
    yield _csv_line(CSV_HEADER)
    for row in rows:
        p = row.properties
        names = p.get("name", [])
        aliases = [a for prop in ("alias", "weakAlias", "previousName") for a in p.get(prop, [])]
        documents = [
            f"{d['schema']} {'/'.join(d['properties'].get('number', []))}"
            + (
                f" ({'/'.join(d['properties']['country'])})"
                if d["properties"].get("country")
                else ""
            )
            for d in _related(row, "Passport", "Identification")
        ]
        yield _csv_line(
            [
                _cell(v)
                for v in (
                    row.ftm_id,
                    row.schema,
                    names[0] if names else "",
                    "; ".join(names[1:] + aliases),
                    "; ".join(p.get("birthDate", [])),
                    "; ".join(p.get("nationality", [])),
                    "; ".join(documents),
                    "; ".join(_listed_on(row)),
                    row.source_id,
                )
            ]
        )


def _el(tag: str, value: str | None, indent: str) -> str:
    if not value:
        return ""
    return f"{indent}<{tag}>{escape(value)}</{tag}>\n"


def _values(tag: str, values: list[str], indent: str) -> str:
    if not values:
        return ""
    inner = "".join(_el("VALUE", v, indent + "  ") for v in values)
    return f"{indent}<{tag}>\n{inner}{indent}</{tag}>\n"


def _country_name(code: str) -> str:
    return registry.country.caption(code) or code


def _split_place(place: str) -> tuple[str, str]:
    """A place of birth written "a, b, Country": (the part before the last comma, the last)."""
    head, sep, tail = place.rpartition(", ")
    return (head, tail) if sep else ("", place)


NOTE_PREFIXES = {"Date of birth: ": "birth", "Place of birth: ": "place", "Document: ": "document"}


def _sorted_notes(notes: list[str]) -> dict[str, list[str]]:
    """The UN parser's notes on dates and places of birth and documents (see
    :mod:`cicte.sanctions.sources.un`), back to where they came from; the rest is COMMENTS1."""
    out: dict[str, list[str]] = {"comments": [], "birth": [], "place": [], "document": []}
    out["alias"] = []
    for note in notes:
        if note.startswith("Alias ") and ": " in note:
            out["alias"].append(note[len("Alias ") :])
            continue
        for prefix, kind in NOTE_PREFIXES.items():
            if note.startswith(prefix):
                out[kind].append(note[len(prefix) :])
                break
        else:
            out["comments"].append(note)
    return out


def _dates_of_birth(dates: list[str], notes: dict[str, list[str]], i: str) -> str:
    """EXACT dates, and the APPROXIMATELY and BETWEEN ones that the notes tell."""
    exact = list(dates)
    elements = []
    for note in notes["birth"]:
        kind, _, value = note.partition(" ")
        if kind == "approximately" and value in exact:
            exact.remove(value)
            tag = "YEAR" if len(value) == 4 else "DATE"
            inner = _el("TYPE_OF_DATE", "APPROXIMATELY", i + "  ") + _el(tag, value, i + "  ")
        elif kind == "between" and " to " in value:
            start, _, end = value.partition(" to ")
            if start.isdigit() and end.isdigit():
                exact = [d for d in exact if not (len(d) == 4 and int(start) <= int(d) <= int(end))]
            inner = _el("TYPE_OF_DATE", "BETWEEN", i + "  ")
            inner += _el("FROM_YEAR", start, i + "  ") + _el("TO_YEAR", end, i + "  ")
        else:
            inner = _el("NOTE", note, i + "  ")
        elements.append(inner)
    for date in exact:
        tag = "YEAR" if len(date) == 4 else "DATE"
        elements.insert(0, _el("TYPE_OF_DATE", "EXACT", i + "  ") + _el(tag, date, i + "  "))
    return "".join(
        f"{i}<INDIVIDUAL_DATE_OF_BIRTH>\n{inner}{i}</INDIVIDUAL_DATE_OF_BIRTH>\n"
        for inner in elements
    )


def _entry_xml(row: Row) -> str:
    p = row.properties
    person = row.schema == "Person"
    sanction: dict[str, list[str]] = next(iter(_related(row, "Sanction")), {"properties": {}})[
        "properties"
    ]
    i = "      "
    out: list[str] = []
    out.append(_el("DATAID", "/".join(sanction.get("recordId", [])), i))
    out.append(_el("VERSIONNUM", "1", i))
    if person:
        parts = {
            "FIRST_NAME": p.get("firstName", [""])[0],
            "SECOND_NAME": p.get("secondName", [""])[0],
            "THIRD_NAME": [*p.get("middleName", []), ""][0],
            "FOURTH_NAME": [*p.get("middleName", []), "", ""][1],
        }
        if not any(parts.values()):
            parts["FIRST_NAME"] = (p.get("name") or [""])[0]
        out.extend(_el(tag, value, i) for tag, value in parts.items())
    else:
        out.append(_el("FIRST_NAME", (p.get("name") or [""])[0], i))
    program = (sanction.get("program") or p.get("programId") or [""])[0]
    out.append(_el("UN_LIST_TYPE", program, i))
    out.append(_el("REFERENCE_NUMBER", row.source_id, i))
    out.append(_el("LISTED_ON", (sanction.get("listingDate") or [""])[0], i))
    if person:
        out.append(_el("GENDER", (p.get("gender") or [""])[0].capitalize(), i))
    notes = _sorted_notes(p.get("notes", []))
    comments_at = len(out)  # COMMENTS1 is written last: alias notes may fall back to it
    out.append("")
    if person:
        out.append(_values("TITLE", p.get("title", []), i))
        out.append(_values("DESIGNATION", p.get("position", []), i))
        out.append(_values("NATIONALITY", [_country_name(c) for c in p.get("nationality", [])], i))
    out.append(_values("LIST_TYPE", sanction.get("status") or ["UN List"], i))
    out.append(_values("LAST_DAY_UPDATED", sanction.get("modifiedAt", []), i))
    alias_tag = "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"
    names = p.get("name", [])
    aliases = [("Good", a) for a in names[1:]]
    aliases += [("Good", a) for a in p.get("alias", [])]
    aliases += [("Low", a) for a in p.get("weakAlias", [])]
    aliases += [("f.k.a.", a) for a in p.get("previousName", [])]
    alias_notes: dict[str, list[str]] = {}
    for text in notes["alias"]:
        for _quality, alias in aliases:
            if text.startswith(alias + ": "):
                alias_notes.setdefault(alias, []).append(text[len(alias) + 2 :])
                break
        else:
            notes["comments"].append("Alias " + text)
    for quality, alias in aliases:
        for note in alias_notes.pop(alias, None) or [""]:  # the UN repeats an alias per note
            out.append(
                f"{i}<{alias_tag}>\n{_el('QUALITY', quality, i + '  ')}"
                f"{_el('ALIAS_NAME', alias, i + '  ')}{_el('NOTE', note, i + '  ')}"
                f"{i}</{alias_tag}>\n"
            )
    address_tag = "INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS"
    for address in _related(row, "Address"):
        a = {k: (v[0] if v else "") for k, v in address["properties"].items()}
        prefix = ", ".join(
            x for x in (a.get("street"), a.get("city"), a.get("state"), a.get("postalCode")) if x
        )
        full = a.get("full", "")
        country = full[len(prefix) + 2 :] if prefix and full.startswith(prefix + ", ") else ""
        if not prefix:
            country = full
        inner = "".join(
            _el(tag, a.get(key), i + "  ")
            for tag, key in (
                ("STREET", "street"),
                ("CITY", "city"),
                ("STATE_PROVINCE", "state"),
                ("ZIP_CODE", "postalCode"),
            )
        )
        inner += _el("COUNTRY", country, i + "  ") + _el("NOTE", a.get("remarks"), i + "  ")
        out.append(f"{i}<{address_tag}>\n{inner}{i}</{address_tag}>\n")
    if person:
        out.append(_dates_of_birth(p.get("birthDate", []), notes, i))
        for place in p.get("birthPlace", []):
            head, country = _split_place(place)
            out.append(
                f"{i}<INDIVIDUAL_PLACE_OF_BIRTH>\n{_el('CITY', head, i + '  ')}"
                f"{_el('COUNTRY', country, i + '  ')}{i}</INDIVIDUAL_PLACE_OF_BIRTH>\n"
            )
        for note in notes["place"]:
            out.append(
                f"{i}<INDIVIDUAL_PLACE_OF_BIRTH>\n{_el('NOTE', note, i + '  ')}"
                f"{i}</INDIVIDUAL_PLACE_OF_BIRTH>\n"
            )
        for note in notes["document"]:
            out.append(
                f"{i}<INDIVIDUAL_DOCUMENT>\n{_el('NOTE', note, i + '  ')}{i}</INDIVIDUAL_DOCUMENT>\n"
            )
        for doc in _related(row, "Passport", "Identification"):
            d = doc["properties"]
            inner = _el("TYPE_OF_DOCUMENT", (d.get("type") or [doc["schema"]])[0], i + "  ")
            inner += _el("NUMBER", (d.get("number") or [""])[0], i + "  ")
            inner += _el(
                "ISSUING_COUNTRY",
                _country_name((d.get("country") or [""])[0]) if d.get("country") else "",
                i + "  ",
            )
            inner += _el("DATE_OF_ISSUE", (d.get("startDate") or [""])[0], i + "  ")
            inner += _el("CITY_OF_ISSUE", (d.get("authority") or [""])[0], i + "  ")
            inner += _el("NOTE", (d.get("summary") or [""])[0], i + "  ")
            out.append(f"{i}<INDIVIDUAL_DOCUMENT>\n{inner}{i}</INDIVIDUAL_DOCUMENT>\n")
    out[comments_at] = _el("COMMENTS1", "\n".join(notes["comments"]), i)
    tag = "INDIVIDUAL" if person else "ENTITY"
    return f"    <{tag}>\n{''.join(out)}    </{tag}>\n"


def un_xml(
    rows: Iterable[Row], *, generated: datetime | None = None, trailer: str = ""
) -> Iterator[str]:
    """The UN consolidated list's structure (INDIVIDUALS/INDIVIDUAL, ENTITIES/ENTITY, the same
    element names), generated from the stored entries. People go under INDIVIDUALS, every
    other schema under ENTITIES; a list's own id is written as REFERENCE_NUMBER. Names in
    original script are written as aliases, approximate dates of birth as exact ones (FtM keeps
    no qualifier; the entry's notes say it). ``trailer``: XML elements written after ENTITIES,
    inside the root (a designation's listing proposal adds its standard-form sections)."""
    when = (generated or datetime.now(UTC)).astimezone(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield f'<CONSOLIDATED_LIST dateGenerated="{stamp}">\n'
    people: list[Row] = []
    others: list[Row] = []
    for row in rows:
        (people if row.schema == "Person" else others).append(row)
    yield "  <INDIVIDUALS>\n"
    for row in people:
        yield _entry_xml(row)
    yield "  </INDIVIDUALS>\n  <ENTITIES>\n"
    for row in others:
        yield _entry_xml(row)
    yield "  </ENTITIES>\n"
    if trailer:
        yield trailer
    yield "</CONSOLIDATED_LIST>\n"


def write(fmt: str, rows: Iterable[Row]) -> Iterator[str]:
    """The chunks of an export in ``fmt`` ("ftm", "csv" or "xml")."""
    if fmt == "ftm":
        return ftm_lines(rows)
    if fmt == "csv":
        return csv_lines(rows)
    if fmt == "xml":
        return un_xml(rows)
    raise ValueError(f"unknown export format {fmt!r}: use ftm, csv or xml")
