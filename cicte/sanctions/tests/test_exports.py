"""Exports: FtM JSON lines that followthemoney loads back, CSV, and UN-style XML that the UN
parser reads back to the same entities."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from followthemoney import model

from cicte.sanctions import exports, services
from cicte.sanctions.models import ListEntity
from cicte.sanctions.sources import ParsedList, un

pytestmark = pytest.mark.django_db


def _rows(key: str) -> list[ListEntity]:
    return list(ListEntity.objects.current().filter(sanctions_list__key=key).order_by("source_id"))


def _import(parsed: ParsedList) -> None:
    services.import_list(
        actor=None,
        parsed=parsed,
        source_name="file",
        source_bytes_sha256=hashlib.sha256(parsed.list_key.encode()).hexdigest(),
    )


def test_ftm_lines_load_back_with_followthemoney(un_list: ParsedList) -> None:
    _import(un_list)
    lines = "".join(exports.write("ftm", _rows("un"))).splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    by_id = {p.id: p for p in proxies}
    assert len(by_id) == len(proxies)
    assert sum(p.schema.name == "Sanction" for p in proxies) == 1003
    assert sum(p.schema.name in ("Person", "Organization") for p in proxies) == 1003
    person = by_id["un-qdi-080"]
    assert person.get("birthDate") == ["1975-07-15"]
    assert person.get("nationality") == ["de", "ma"]
    sanction = by_id["un-qdi-080-sanction"]
    assert sanction.get("entity") == ["un-qdi-080"]
    # Every proxy is the parser's own entity, property for property.
    original = {e.id: e.to_dict() for e in un_list.all_entities()}
    for proxy in proxies:
        assert {k: sorted(v) for k, v in proxy.to_dict()["properties"].items()} == {
            k: sorted(v) for k, v in original[proxy.id]["properties"].items()
        }


def test_csv_one_row_per_entity(ofac_list: ParsedList) -> None:
    _import(ofac_list)
    text = "".join(exports.write("csv", _rows("ofac")))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == exports.CSV_HEADER
    assert len(rows) == 7379
    row = next(r for r in rows if r["list_id"] == "6991")
    assert row["id"] == "ofac-6991"
    assert row["schema"] == "Person"
    assert row["name"] == "Abdullahi Hussein KAHIE"
    assert row["birth_dates"] == "1959-09-22"
    assert row["nationalities"] == "no"
    assert "Passport 27781924 (no)" in row["documents"]
    assert "Identification 22095919778 (no)" in row["documents"]


def test_csv_cells_never_start_a_formula() -> None:
    class Row:
        ftm_id, schema, source_id = "x-1", "Person", "=1+1"
        properties = {"name": ["=HYPERLINK(1)"]}
        related: list = []

    text = "".join(exports.csv_lines([Row()]))
    assert "'=HYPERLINK(1)" in text and "'=1+1" in text


def test_un_xml_round_trip_gives_the_same_entities(un_list: ParsedList) -> None:
    _import(un_list)
    xml = "".join(exports.write("xml", _rows("un"))).encode("utf-8")
    again = un.parse(io.BytesIO(xml))
    assert len(again.entities) == len(un_list.entities)
    for entity in un_list.entities:
        ref = un_list.source_id_of(entity)
        other = again.get(ref)
        assert other is not None, ref
        assert other.id == entity.id
        assert other.schema == entity.schema
        assert {k: sorted(v) for k, v in other.to_dict()["properties"].items()} == {
            k: sorted(v) for k, v in entity.to_dict()["properties"].items()
        }, ref
        assert sorted((r.id, r.schema.name) for r in again.related_of(other)) == sorted(
            (r.id, r.schema.name) for r in un_list.related_of(entity)
        ), ref


def test_ofac_as_un_style_xml_is_readable(ofac_list: ParsedList) -> None:
    _import(ofac_list)
    xml = "".join(exports.write("xml", _rows("ofac"))).encode("utf-8")
    again = un.parse(io.BytesIO(xml))
    assert len(again.entities) == 7379
    person = again.get("6991")
    assert person is not None
    assert person.get("passportNumber") == ["26941812", "27781924"]
    assert person.get("birthDate") == ["1959-09-22"]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="use ftm, csv or xml"):
        exports.write("pdf", [])
