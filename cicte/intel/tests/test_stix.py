"""The STIX 2.1 rules the store applies to every object: validity, TLP 2.0, version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.intel import stix

DATA = Path(__file__).parent / "data"
INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-20T12:00:00.000Z",
    "modified": "2026-11-21T08:30:00.123456Z",
    "name": "C2 address",
    "pattern": "[ipv4-addr:value = '198.51.100.7']",
    "pattern_type": "stix",
    "valid_from": "2026-11-20T12:00:00Z",
}


@pytest.mark.parametrize(
    "name", ["threat-reports_poisonivy.json", "indicators-for-C2-with-COA.json"]
)
def test_the_oasis_examples_are_valid(name):
    bundle = json.loads((DATA / name).read_text())
    for obj in bundle["objects"]:
        assert stix.validate(obj) is obj


def test_custom_objects_properties_and_extensions_are_kept():
    custom = {
        "type": "x-cicte-sighting-note",
        "spec_version": "2.1",
        "id": "x-cicte-sighting-note--2f1a4f2e-5d7a-4c1e-9a51-1d1f2c3b4a5e",
        "created": "2026-11-20T12:00:00Z",
        "modified": "2026-11-20T12:00:00Z",
        "x_reporter": {"state": "CO"},
    }
    assert stix.validate(custom) == custom
    with_property = INDICATOR | {"x_cicte_confidence_note": "seen twice"}
    assert stix.validate(with_property) == with_property


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"pattern": "[ipv4-addr:value = "}, "pattern"),
        ({"spec_version": "2.0"}, "spec_version"),
        ({"created": "yesterday"}, "created"),
        ({"id": "indicator--not-a-uuid"}, "id"),
        ({"pattern_type": None}, "pattern_type"),
    ],
)
def test_invalid_objects_are_refused_with_a_reason(change, reason):
    obj = {k: v for k, v in (INDICATOR | change).items() if v is not None}
    with pytest.raises(stix.InvalidObject) as excinfo:
        stix.validate(obj)
    assert reason in str(excinfo.value)


@pytest.mark.parametrize("obj", [[], "indicator", {"id": "x"}, {"type": "indicator"}])
def test_what_is_not_an_object_is_refused(obj):
    with pytest.raises(stix.InvalidObject):
        stix.validate(obj)


def test_cyber_observables_need_no_spec_version_nor_version():
    address = {
        "type": "ipv4-addr",
        "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.7",
    }
    assert stix.validate(address) == address
    assert stix.version_of(address) is None


def test_tlp_from_markings():
    assert stix.tlp_of(INDICATOR) is None
    for label, marking in TLP2_MARKING_IDS.items():
        assert stix.tlp_of(INDICATOR | {"object_marking_refs": [marking]}) == label
    white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert stix.tlp_of(INDICATOR | {"object_marking_refs": [white]}) == TLP.CLEAR
    both = [TLP2_MARKING_IDS[TLP.GREEN], TLP2_MARKING_IDS[TLP.RED]]
    assert stix.tlp_of(INDICATOR | {"object_marking_refs": both}) == TLP.RED
    other = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"
    assert stix.tlp_of(INDICATOR | {"object_marking_refs": [other]}) is None


def test_versions_and_timestamps():
    assert stix.version_of(INDICATOR) == "2026-11-21T08:30:00.123456Z"
    assert stix.version_of({k: v for k, v in INDICATOR.items() if k != "modified"}) == (
        "2026-11-20T12:00:00.000Z"
    )
    assert stix.parse_timestamp("2026-11-21T08:30:00.123456Z") == dt.datetime(
        2026, 11, 21, 8, 30, 0, 123456, tzinfo=dt.UTC
    )
    assert stix.parse_timestamp("2026-11-21T08:30:00Z").microsecond == 0
    with pytest.raises(ValueError):
        stix.parse_timestamp("2026-11-21T08:30:00+02:00")
