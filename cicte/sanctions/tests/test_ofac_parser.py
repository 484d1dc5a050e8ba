"""OFAC's SDN CSV parser, on the real files kept in cicte/sanctions/data."""

from __future__ import annotations

import io

import pytest

from cicte.sanctions.sources import ListFormatError, ParsedList, ofac


def props(parsed: ParsedList, ent_num: str) -> dict[str, list[str]]:
    entity = parsed.get(ent_num)
    assert entity is not None, ent_num
    return entity.to_dict()["properties"]


def documents(parsed: ParsedList, ent_num: str) -> list[dict]:
    entity = parsed.get(ent_num)
    assert entity is not None
    return [
        r.to_dict()
        for r in parsed.related_of(entity)
        if r.schema.name in ("Passport", "Identification")
    ]


def test_counts_and_schemas(ofac_list: ParsedList) -> None:
    assert ofac_list.list_key == "ofac"
    assert len(ofac_list.entities) == 7379
    schemas = dict.fromkeys(("Person", "Organization", "Vessel", "Airplane"), 0)
    for entity in ofac_list.entities:
        schemas[entity.schema.name] += 1
    assert schemas == {"Person": 3845, "Organization": 2994, "Vessel": 323, "Airplane": 217}
    assert len(ofac_list.sanctions) == 7379


def test_organisation_with_alt_names_addresses_and_remarks_aka(ofac_list: ParsedList) -> None:
    entity = ofac_list.get("306")
    assert entity is not None
    assert entity.id == "ofac-306"
    assert ofac_list.source_id_of(entity) == "306"
    p = props(ofac_list, "306")
    assert p["name"] == ["BANCO NACIONAL DE CUBA"]
    assert p["alias"] == ["BNC", "NATIONAL BANK OF CUBA"]  # Remarks a.k.a., then ALT.CSV
    assert p["programId"] == ["CUBA"]
    assert p["address"][0] == "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    assert p["country"] == ["ch", "es", "jp", "pa"]
    assert p["topics"] == ["sanction"]
    (sanction,) = [r.to_dict() for r in ofac_list.related_of(entity) if r.schema.name == "Sanction"]
    assert sanction["properties"]["authorityId"] == ["306"]
    assert sanction["properties"]["program"] == ["CUBA"]
    assert sanction["properties"]["entity"] == ["ofac-306"]


def test_individual_name_and_remarks(ofac_list: ParsedList) -> None:
    p = props(ofac_list, "6991")
    assert p["name"] == ["Abdullahi Hussein KAHIE"]
    assert p["lastName"] == ["KAHIE"]
    assert p["firstName"] == ["Abdullahi Hussein"]
    assert p["birthDate"] == ["1959-09-22"]
    assert p["birthPlace"] == ["Mogadishu, Somalia"]
    assert p["nationality"] == ["no"]
    assert p["passportNumber"] == ["26941812", "27781924"]
    assert p["idNumber"] == ["22095919778"]
    docs = {d["properties"]["number"][0]: d for d in documents(ofac_list, "6991")}
    assert docs["27781924"]["schema"] == "Passport"
    assert docs["27781924"]["properties"]["country"] == ["no"]
    assert docs["27781924"]["properties"]["startDate"] == ["2011-05-11"]
    assert docs["27781924"]["properties"]["endDate"] == ["2020-05-11"]
    assert docs["22095919778"]["schema"] == "Identification"
    assert docs["22095919778"]["properties"]["type"] == ["National ID No."]


def test_remarks_continued_in_the_comments_file(ofac_list: ParsedList) -> None:
    p = props(ofac_list, "12300")
    # SDN.CSV cuts Remarks at "PROMO RAI"; the comments file goes on with "Z S.A.S.; ...".
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL" in p["notes"][0]
    assert p["birthDate"] == ["1965-05-13", "1968-04-13", "1964-07-07"]
    assert p["idNumber"][:3] == ["7548733", "70163752", "172489729-1"]  # Cedula No.
    assert p["taxNumber"] == ["CIVJ650513LJA", "OUSV-640707"]  # R.F.C.
    assert p["passportNumber"] == ["AL720622"]


def test_dob_forms(ofac_list: ParsedList) -> None:
    assert props(ofac_list, "7782")["birthDate"] == ["1951"]  # circa
    assert props(ofac_list, "6944")["birthDate"] == ["1969", "1963", "1964-02-11"]
    assert props(ofac_list, "6944")["passportNumber"] == ["B 960789", "G 649385"]
    assert ofac._date_values("1960 to 1962") == ["1960", "1961", "1962"]
    assert ofac._date_values("Jan 1960 to Dec 1961") == ["1960", "1961"]
    assert ofac._date_values("Aug 1961") == ["1961-08"]
    assert ofac._date_values("circa 1961.") == ["1961"]
    assert ofac._date_values("unknown") == []


def test_nationality_words_and_citizenship(ofac_list: ParsedList) -> None:
    assert props(ofac_list, "6905")["nationality"] == ["ps"]  # "nationality Palestinian"
    citizens = [e for e in ofac_list.entities if e.get("citizenship", quiet=True)]
    assert len(citizens) > 700


def test_vessels_and_aircraft(ofac_list: ParsedList) -> None:
    vessel = props(ofac_list, "4234")
    assert vessel["name"] == ["HERMANN"]
    assert vessel["callSign"] == ["CL2685"]
    assert vessel["type"] == ["General Cargo"]
    assert vessel["tonnage"] == ["2597"]
    assert vessel["grossRegisteredTonnage"] == ["1098"]
    assert vessel["flag"] == ["cu"]
    assert vessel["notes"] == ["Owner: Compania Navegacion Golfo S.A."]
    plane = props(ofac_list, "15431")
    assert plane["model"] == ["IL76-TD"]
    assert plane["serialNumber"] == ["1023409321"]
    assert plane["buildDate"] == ["1992"]


SDN = b'1,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1970."\r\n'
ALT = b'1,10,"aka","ROE, Richard","weak"\r\n'
ADD = b'1,20,-0- ,-0- ,"Mexico",-0- \r\n\x1a'


def test_small_files_weak_alias_and_eof_mark() -> None:
    parsed = ofac.parse(io.BytesIO(SDN), io.BytesIO(ALT), io.BytesIO(ADD))
    p = parsed.entities[0].to_dict()["properties"]
    assert p["name"] == ["John DOE"]
    assert p["weakAlias"] == ["Richard ROE"]
    assert p["address"] == ["Mexico"]
    assert p["country"] == ["mx"]


@pytest.mark.parametrize(
    ("sdn", "alt", "add", "message"),
    [
        (b'1,"X","individual"\r\n', ALT, ADD, "SDN line 1: 3 fields, expected 12"),
        (
            b'x,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
            ALT,
            ADD,
            "SDN line 1: the first field",
        ),
        (
            SDN + b'2,"Y","robot",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
            ALT,
            ADD,
            "SDN line 2: unknown SDN_Type 'robot'",
        ),
        (SDN, b'1,10,"aka","unterminated\r\n', ADD, "ALT line"),
        (SDN, b'9,10,"aka","X",-0- \r\n', ADD, "ALT line 1: ent_num 9 is not in SDN"),
        (SDN, ALT, b'1,20,"x"\r\n', "ADD line 1: 3 fields, expected 6"),
        (
            SDN,
            b'1,10,"aka","X",-0-1,11,"aka","Y",-0- \r\n',
            ADD,
            "ALT line 1: 9 fields, expected 5",
        ),
    ],
)
def test_malformed_files_name_file_and_line(
    sdn: bytes, alt: bytes, add: bytes, message: str
) -> None:
    with pytest.raises(ListFormatError, match=message):
        ofac.parse(io.BytesIO(sdn), io.BytesIO(alt), io.BytesIO(add))
