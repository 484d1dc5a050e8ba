"""The UN consolidated list parser, on the real file kept in cicte/sanctions/data."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from cicte.sanctions.sources import ListFormatError, ParsedList, un


def props(parsed: ParsedList, ref: str) -> dict[str, list[str]]:
    entity = parsed.get(ref)
    assert entity is not None, ref
    return entity.to_dict()["properties"]


def related(parsed: ParsedList, ref: str, schema: str) -> list[dict]:
    entity = parsed.get(ref)
    assert entity is not None
    return [r.to_dict() for r in parsed.related_of(entity) if r.schema.name == schema]


def test_counts_and_published_date(un_list: ParsedList) -> None:
    assert un_list.list_key == "un"
    assert len(un_list.entities) == 1003
    assert sum(e.schema.name == "Person" for e in un_list.entities) == 730
    assert sum(e.schema.name == "Organization" for e in un_list.entities) == 273
    assert len(un_list.sanctions) == 1003
    assert un_list.published_at == datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=UTC)


def test_ids_are_deterministic_and_reference_numbers_kept(un_list: ParsedList) -> None:
    entity = un_list.get("QDi.001")
    assert entity is not None
    assert entity.id == "un-qdi-001"
    assert un_list.source_id_of(entity) == "QDi.001"


def test_every_name_part(un_list: ParsedList) -> None:
    p = props(un_list, "CDi.035")
    assert p["firstName"] == ["GÉDÉON"]
    assert p["secondName"] == ["KYUNGU"]
    assert p["middleName"] == ["MUTANGA WA BAFUNKWA", "KANONGA"]
    assert p["name"] == ["GÉDÉON KYUNGU MUTANGA WA BAFUNKWA KANONGA"]


def test_aliases_by_quality_and_original_script(un_list: ParsedList) -> None:
    p = props(un_list, "QDi.080")
    assert p["alias"] == ["سعيد باهاجى", "Zouheir Al Maghribi"]  # original script, then Good
    assert p["weakAlias"] == ["Mohamed Abbattay", "Abderrahmane Al Maghribi"]  # Low
    org = props(un_list, "CDe.001")
    assert org["alias"] == ["Allied Democratic Forces"]  # a.k.a.
    assert org["previousName"] == [
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l\u2019Ouganda",
        "ADF/NALU",
        "NALU",
    ]  # f.k.a.
    assert "Alias Tango Romeo: Call sign" in props(un_list, "CDi.030")["notes"]


def test_dates_of_birth_exact_approximate_between(un_list: ParsedList) -> None:
    assert props(un_list, "QDi.080")["birthDate"] == ["1975-07-15"]  # EXACT DATE
    assert props(un_list, "CDi.035")["birthDate"] == ["1974"]  # EXACT YEAR
    approx = props(un_list, "CDi.014")
    assert approx["birthDate"] == ["1962-03-17", "1966"]
    assert "Date of birth: approximately 1966" in approx["notes"]
    between = props(un_list, "CDi.030")
    assert between["birthDate"] == ["1973", "1974"]
    assert "Date of birth: between 1973 to 1974" in between["notes"]


def test_place_of_birth_nationality_gender_title_designation(un_list: ParsedList) -> None:
    p = props(un_list, "QDi.080")
    assert p["birthPlace"] == ["Haselünne, Lower Saxony, Germany"]
    assert p["birthCountry"] == ["de"]
    assert p["nationality"] == ["de", "ma"]
    cfi = props(un_list, "CFi.001")
    assert cfi["title"] == ["Former Head of State Central African Republic", "Professor"]
    assert cfi["birthPlace"] == ["Mouila, Gabon", "Izo, South Sudan"]  # the second from an alias
    assert props(un_list, "CDi.014")["position"] == [
        "FDLR-FOCA Chief of Staff",
        "FDLR-FOCA Interim Deputy Commander",
    ]
    assert props(un_list, "CDi.014")["gender"] == ["male"]


def test_documents(un_list: ParsedList) -> None:
    p = props(un_list, "QDi.080")
    assert p["passportNumber"] == ["Provisional passport No.: 28642163", "954242"]
    assert p["idNumber"] == ["1336597587"]
    passports = related(un_list, "QDi.080", "Passport")
    moroccan = next(d for d in passports if d["properties"]["number"] == ["954242"])
    assert moroccan["properties"]["country"] == ["ma"]
    assert moroccan["properties"]["startDate"] == ["1995-06-28"]
    assert moroccan["properties"]["authority"] == ["Meknas"]
    assert moroccan["properties"]["holder"] == ["un-qdi-080"]
    ids = related(un_list, "QDi.080", "Identification")
    assert ids[0]["properties"]["type"] == ["National Identification Number"]
    # Passport types in French and Spanish are passports too.
    kinds = sorted(d["properties"]["type"][0] for d in related(un_list, "KPi.006", "Passport"))
    assert kinds == ["Numéro de passeport", "Número de pasaporte", "Passport"]


def test_addresses(un_list: ParsedList) -> None:
    p = props(un_list, "QDi.080")
    assert p["address"] == ["Bunatwiete 23, Hamburg, 21073, Germany"]
    assert p["country"] == ["de"]
    (address,) = related(un_list, "QDi.080", "Address")
    assert address["properties"]["street"] == ["Bunatwiete 23"]
    assert address["properties"]["postalCode"] == ["21073"]
    assert address["properties"]["remarks"] == ["formerly resident at"]
    assert address["id"] in p["addressEntity"]


def test_sanction_list_type_listed_on_last_updated(un_list: ParsedList) -> None:
    (sanction,) = related(un_list, "QDi.080", "Sanction")
    s = sanction["properties"]
    assert s["entity"] == ["un-qdi-080"]
    assert s["authority"] == ["United Nations Security Council"]
    assert s["unscId"] == ["QDi.080"]
    assert s["program"] == ["Al-Qaida"]  # UN_LIST_TYPE
    assert s["status"] == ["UN List"]  # LIST_TYPE
    assert s["listingDate"] == ["2002-09-30"]
    assert s["modifiedAt"][0] == "2004-11-26"
    assert s["modifiedAt"][-1] == "2021-11-15"
    assert s["recordId"] == ["112030"]
    assert props(un_list, "QDi.080")["topics"] == ["sanction"]
    assert props(un_list, "QDi.080")["programId"] == ["Al-Qaida"]


def test_source_url_is_recorded_when_given() -> None:
    xml = (
        b"<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES><ENTITY><REFERENCE_NUMBER>QDe.999"
        b"</REFERENCE_NUMBER><FIRST_NAME>TEST ORG</FIRST_NAME></ENTITY></ENTITIES>"
        b"</CONSOLIDATED_LIST>"
    )
    parsed = un.parse(io.BytesIO(xml), source_url="https://example.org/list.xml")
    assert parsed.sanctions[0].get("sourceUrl") == ["https://example.org/list.xml"]
    assert parsed.published_at is None


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS>",
            "malformed XML at line 1, column 32: no element found$",
        ),
        (b"<OTHER/>", "root element is OTHER"),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>X</FIRST_NAME>"
            b"</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "without REFERENCE_NUMBER",
        ),
        (
            b"<CONSOLIDATED_LIST><ENTITIES><ENTITY><REFERENCE_NUMBER>A</REFERENCE_NUMBER>"
            b"<FIRST_NAME>X</FIRST_NAME></ENTITY><ENTITY><REFERENCE_NUMBER>A</REFERENCE_NUMBER>"
            b"<FIRST_NAME>Y</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>",
            "appears twice",
        ),
    ],
)
def test_malformed_files_are_refused(xml: bytes, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        un.parse(io.BytesIO(xml))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>
<FIRST_NAME>&lol4;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>
<FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://127.0.0.1:9/evil.dtd">
<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>
"""


def test_entity_expansion_is_refused(tmp_path) -> None:
    path = tmp_path / "lol.xml"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(ListFormatError, match="declares entities"):
        un.parse(path)


def test_external_entity_is_refused() -> None:
    with pytest.raises(ListFormatError, match="refused: the XML declares entities"):
        un.parse(io.BytesIO(EXTERNAL_ENTITY))


def test_external_dtd_is_not_fetched() -> None:
    # No network access is tried (port 9 is closed); the document itself is read as it is.
    parsed = un.parse(io.BytesIO(EXTERNAL_DTD))
    assert parsed.entities == []
