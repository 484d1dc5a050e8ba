"""MISP interoperability: events and feeds imported as STIX (TLP tags, galaxies, all or
nothing), collections exported as MISP feeds that PyMISP loads (never TLP:RED), round trip."""

from __future__ import annotations

import csv
import functools
import http.server
import json
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from pymisp import MISPEvent

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel import misp, misp_engine
from cicte.intel.models import Collection, StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

MISP_DATA = f.DATA / "misp"
AMBER_EVENT = "5b0f1d36-6c1e-4b8a-9d3f-2a7e4c1f0a11"
GREEN_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e01"
STRICT_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e02"
RED_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e03"
RED_ATTRIBUTE = "2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f12"
AMBER_VALUES = {
    ("ip-dst", "203.0.113.45"),
    ("domain", "update-finanzas.example.net"),
    ("url", "https://update-finanzas.example.net/login.php"),
    ("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("md5", "098f6bcd4621d373cade4e832627b4f6"),
    ("email-src", "tesoreria@finanzas-update.example.org"),
}


@pytest.fixture
def world():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "co": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "collection": f.collection(title="MISP imports"),
        "other": f.collection(title="Round trip"),
    }


def stored(collection: Collection) -> dict[str, str]:
    """stix_id -> TLP of what a collection holds."""
    return dict(StixObject.objects.filter(collection=collection).values_list("stix_id", "tlp"))


def attribute_values(event: dict) -> set[tuple[str, str]]:
    values = {(a["type"], a["value"]) for a in event.get("Attribute", [])}
    for obj in event.get("Object", []):
        values |= {(a["type"], a["value"]) for a in obj.get("Attribute", [])}
    return values


def feed_values(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Each event file of a feed loaded with PyMISP: its attribute (type, value) pairs."""
    values = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "manifest.json":
            continue
        event = MISPEvent()
        event.load(path.read_text())
        values[str(event.uuid)] = attribute_values(event.to_dict())
    return values


# --- Import ------------------------------------------------------------------------------------


def test_event_imported_with_tlp_galaxy_and_provenance(world):
    result = misp.import_location(
        actor=world["co"],
        collection=world["collection"],
        location=str(MISP_DATA / "event_amber.json"),
    )
    assert result.events == [AMBER_EVENT]
    assert result.source == "event_amber.json"
    labels = stored(world["collection"])
    assert result.stored == len(labels) > 20
    # The event's tlp:amber reaches every object, not only the report.
    assert set(labels.values()) == {TLP.AMBER}
    objects = [o.data for o in StixObject.objects.filter(collection=world["collection"])]
    patterns = " ".join(o["pattern"] for o in objects if o["type"] == "indicator")
    for _kind, value in AMBER_VALUES:
        assert value in patterns
    # The galaxy cluster is a STIX threat-actor.
    actors = [o for o in objects if o["type"] == "threat-actor"]
    assert [a["name"] for a in actors] == ["Lazarus Group"]
    assert actors[0]["aliases"] == ["Hidden Cobra", "Zinc"]
    report = next(o for o in objects if o["type"] == "report")
    assert report["id"] == f"report--{AMBER_EVENT}"
    assert f"threat-actor--{actors[0]['id'].split('--')[1]}" in report["object_refs"]
    event = AuditEvent.objects.get(action="intel.misp_import")
    assert event.changes["source"] == "event_amber.json"
    assert event.changes["events"] == [AMBER_EVENT]
    assert event.changes["stored"] == result.stored
    # Importing it again stores nothing new.
    again = misp.import_location(
        actor=world["co"],
        collection=world["collection"],
        location=str(MISP_DATA / "event_amber.json"),
    )
    assert (again.stored, again.unchanged) == (0, result.stored)


def test_tlp_tags_become_tlp_markings(world):
    result = misp.import_location(
        actor=world["co"],
        collection=world["collection"],
        location=str(MISP_DATA / "events_tlp.json"),
    )
    assert result.events == [GREEN_EVENT, STRICT_EVENT, RED_EVENT]
    labels = stored(world["collection"])
    assert labels[f"grouping--{GREEN_EVENT}"] == TLP.GREEN
    assert labels["indicator--2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f11"] == TLP.GREEN
    # An attribute tagged tlp:red in a tlp:green event is RED.
    assert labels[f"indicator--{RED_ATTRIBUTE}"] == TLP.RED
    assert labels[f"domain-name--{RED_ATTRIBUTE}"] == TLP.RED
    assert labels[f"grouping--{STRICT_EVENT}"] == TLP.AMBER_STRICT
    assert labels["indicator--2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f21"] == TLP.AMBER_STRICT
    assert labels[f"grouping--{RED_EVENT}"] == TLP.RED
    assert labels["indicator--2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f31"] == TLP.RED
    # The objects carry the TLP 2.0 marking ids themselves (the stored JSON says it too).
    indicator = StixObject.objects.get(stix_id="indicator--2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f21")
    assert indicator.data["object_marking_refs"] == [
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    ]
    # Another organisation of the network sees the GREEN part only.
    seen = set(StixObject.objects.readable_by(world["mx"]).values_list("tlp", flat=True))
    assert seen == {TLP.GREEN}


def test_clear_needs_the_right_to_publish_it(world):
    with pytest.raises(misp.MispError, match="TLP:CLEAR"):
        misp.import_location(
            actor=world["co"],
            collection=world["collection"],
            location=str(MISP_DATA / "event_white.json"),
        )
    assert stored(world["collection"]) == {}


def test_white_is_clear_for_those_who_may_publish_it(world):
    administrator = f.analyst(world["co"].organization)
    af.grant(administrator, "org_admin")
    misp.import_location(
        actor=administrator,
        collection=world["collection"],
        location=str(MISP_DATA / "event_white.json"),
    )
    assert set(stored(world["collection"]).values()) == {TLP.CLEAR}
    # TLP:CLEAR is public on the platform.
    assert StixObject.objects.visible_to(None).filter(type="indicator").count() == 1


def test_import_needs_the_write_right(world):
    with pytest.raises(PermissionDenied):
        misp.import_location(
            actor=world["outsider"],
            collection=world["collection"],
            location=str(MISP_DATA / "event_amber.json"),
        )
    assert stored(world["collection"]) == {}


BAD_DOCUMENTS = {
    "not json": ("{not json", "not valid JSON"),
    "no events": ("[]", "no MISP event"),
    "not an event": ('{"Attribute": []}', "not a MISP event"),
    "no uuid": ('{"Event": {"info": "x", "Attribute": []}}', "no valid uuid"),
    "no info": (
        '{"Event": {"uuid": "6f1b7c2e-0d3a-4f5b-8c9d-0e1f2a3b4c5d", "Attribute": []}}',
        "no info",
    ),
    "empty": (
        '{"Event": {"uuid": "6f1b7c2e-0d3a-4f5b-8c9d-0e1f2a3b4c5d", "info": "x"}}',
        "no attributes, objects or galaxies",
    ),
    "bad attributes": (
        '{"Event": {"uuid": "6f1b7c2e-0d3a-4f5b-8c9d-0e1f2a3b4c5d", "info": "x", '
        '"Attribute": {"type": "ip-dst"}}}',
        "Attribute must be a list",
    ),
    "bad date": (
        '{"Event": {"uuid": "6f1b7c2e-0d3a-4f5b-8c9d-0e1f2a3b4c5d", "info": "x", '
        '"date": "yesterday", "Attribute": [{"type": "ip-dst", "value": "192.0.2.1"}]}}',
        "is not a date",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_malformed_events_are_refused(world, tmp_path, name):
    text, message = BAD_DOCUMENTS[name]
    path = tmp_path / "events.json"
    path.write_text(text)
    with pytest.raises(misp.MispError, match=message):
        misp.import_location(actor=world["co"], collection=world["collection"], location=str(path))
    assert stored(world["collection"]) == {}
    assert not AuditEvent.objects.filter(action="intel.misp_import").exists()


def test_one_bad_event_refuses_them_all(world):
    with pytest.raises(misp.MispError, match="attribute has no value"):
        misp.import_location(
            actor=world["co"],
            collection=world["collection"],
            location=str(MISP_DATA / "malformed_attribute.json"),
        )
    assert stored(world["collection"]) == {}


def _copy_feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    shutil.copytree(MISP_DATA / "feed", folder)
    return folder


def _break_missing_file(folder: Path) -> str:
    (folder / f"{GREEN_EVENT}.json").unlink()
    return "cannot read"


def _break_other_uuid(folder: Path) -> str:
    shutil.copy(folder / f"{AMBER_EVENT}.json", folder / f"{GREEN_EVENT}.json")
    return f"the one event {GREEN_EVENT}"


def _break_manifest(folder: Path) -> str:
    (folder / "manifest.json").write_text('["not", "a", "manifest"]')
    return "manifest.json must be a JSON object keyed by event uuid."


def _break_empty_manifest(folder: Path) -> str:
    (folder / "manifest.json").write_text("{}")
    return "manifest.json must be a non-empty object keyed by event uuid."


def _break_manifest_key(folder: Path) -> str:
    (folder / "manifest.json").write_text('{"event-1": {}}')
    return "is not an event uuid"


def _break_event(folder: Path) -> str:
    path = folder / f"{GREEN_EVENT}.json"
    event = json.loads(path.read_text())
    event["Event"]["Attribute"][0]["uuid"] = "not-a-uuid"
    path.write_text(json.dumps(event))
    return "is not a UUID"


@pytest.mark.parametrize(
    "breaker",
    [
        _break_missing_file,
        _break_other_uuid,
        _break_manifest,
        _break_empty_manifest,
        _break_manifest_key,
        _break_event,
    ],
)
def test_malformed_feeds_are_refused(world, tmp_path, breaker):
    folder = _copy_feed(tmp_path)
    message = breaker(folder)
    with pytest.raises(misp.MispError, match=message):
        misp.import_location(
            actor=world["co"], collection=world["collection"], location=str(folder)
        )
    assert stored(world["collection"]) == {}


def test_feed_from_a_folder(world):
    result = misp.import_location(
        actor=world["co"], collection=world["collection"], location=str(MISP_DATA / "feed")
    )
    assert sorted(result.events) == sorted([AMBER_EVENT, GREEN_EVENT])
    assert result.source == "feed"
    labels = stored(world["collection"])
    assert labels[f"report--{AMBER_EVENT}"] == TLP.AMBER
    assert labels[f"grouping--{GREEN_EVENT}"] == TLP.GREEN


@pytest.fixture
def served_feed():
    """The fixture feed on a loopback HTTP server (the standard library's, in a thread)."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(MISP_DATA / "feed")
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_feed_from_a_url(world, served_feed):
    result = misp.import_location(
        actor=world["co"], collection=world["collection"], location=served_feed + "/"
    )
    assert sorted(result.events) == sorted([AMBER_EVENT, GREEN_EVENT])
    assert result.source == served_feed + "/"
    assert AuditEvent.objects.get(action="intel.misp_import").changes["source"] == result.source
    # The same objects as from the folder.
    folder_world = f.collection(title="From the folder")
    misp.import_location(
        actor=world["co"], collection=folder_world, location=str(MISP_DATA / "feed")
    )
    assert stored(world["collection"]) == stored(folder_world)
    # An event document by URL too; a missing feed is refused.
    single = f.collection(title="One event")
    one = misp.import_location(
        actor=world["co"], collection=single, location=f"{served_feed}/{GREEN_EVENT}.json"
    )
    assert one.events == [GREEN_EVENT]
    with pytest.raises(misp.MispError, match="answered 404"):
        misp.import_location(
            actor=world["co"], collection=f.collection(title="x"), location=served_feed + "/none/"
        )


# --- Export ------------------------------------------------------------------------------------


def _import_all(world) -> None:
    for name in ("event_amber.json", "events_tlp.json"):
        misp.import_location(
            actor=world["co"], collection=world["collection"], location=str(MISP_DATA / name)
        )


def test_round_trip(world, tmp_path):
    _import_all(world)
    folder = tmp_path / "out"
    counts = misp.export_feed(actor=world["co"], collection=world["collection"], folder=folder)
    assert counts["events"] == 3  # the RED event is not in the feed

    # PyMISP loads every event file; each has the attributes of the original event (the RED
    # attribute of the green event left out).
    values = feed_values(folder)
    originals = {
        event["uuid"]: attribute_values(event)
        for name in ("event_amber.json", "events_tlp.json")
        for event in misp_engine.events_of(json.loads((MISP_DATA / name).read_text()))
    }
    assert set(values) == {AMBER_EVENT, GREEN_EVENT, STRICT_EVENT}
    assert values[AMBER_EVENT] == originals[AMBER_EVENT] == AMBER_VALUES
    assert values[STRICT_EVENT] == originals[STRICT_EVENT]
    assert values[GREEN_EVENT] == originals[GREEN_EVENT] - {("domain", "rdp-brute.example.com")}

    # The manifest as MISP reads a feed: one entry per event file, with its metadata and tags.
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest) == set(values)
    for key, entry in manifest.items():
        assert {"Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp"} <= set(
            entry
        )
        assert entry["Orgc"]["name"] == world["co"].organization.name
        loaded = MISPEvent()
        loaded.load((folder / f"{key}.json").read_text())
        assert loaded.info == entry["info"]
    tags = {key: {t["name"] for t in entry["Tag"]} for key, entry in manifest.items()}
    assert "tlp:amber" in tags[AMBER_EVENT]
    assert "tlp:amber+strict" in tags[STRICT_EVENT]
    assert "tlp:green" in tags[GREEN_EVENT]
    assert 'misp-galaxy:threat-actor="Lazarus Group"' in tags[AMBER_EVENT]
    amber = json.loads((folder / f"{AMBER_EVENT}.json").read_text())["Event"]
    assert [c["value"] for g in amber["Galaxy"] for c in g["GalaxyCluster"]] == ["Lazarus Group"]

    # hashes.csv: the MD5 of each attribute value and its event.
    with (folder / "hashes.csv").open() as handle:
        rows = {tuple(row) for row in csv.reader(handle)}
    expected = {
        (misp_engine.value_digest(value), key)
        for key, pairs in values.items()
        for _t, value in pairs
    }
    assert rows == expected

    # Imported again into another collection: the same indicators, TLP and galaxy.
    again = misp.import_location(actor=world["co"], collection=world["other"], location=str(folder))
    assert sorted(again.events) == sorted(values)
    first = StixObject.objects.filter(collection=world["collection"]).exclude(tlp=TLP.RED)
    second = StixObject.objects.filter(collection=world["other"])

    def indicators(queryset):
        return {(o.data["pattern"], o.tlp) for o in queryset.filter(type="indicator")}

    assert indicators(second) == indicators(first)
    assert {o.data["name"] for o in second.filter(type="threat-actor")} == {"Lazarus Group"}
    assert not second.filter(tlp=TLP.RED).exists()


def test_red_never_leaves(world, tmp_path):
    _import_all(world)
    f.post(world["co"], world["collection"], [f.indicator("198.51.100.99", label=TLP.RED)])
    folder = tmp_path / "out"
    misp.export_feed(actor=world["co"], collection=world["collection"], folder=folder)
    text = " ".join(p.read_text() for p in folder.iterdir())
    for value in (
        "198.51.100.99",
        "rdp-brute.example.com",
        "jefe.gabinete@ministerio.example",
        RED_EVENT,
        RED_ATTRIBUTE,
    ):
        assert value not in text
    # The author reads them on the platform all the same.
    assert StixObject.objects.readable_by(world["co"]).filter(tlp=TLP.RED).exists()


def test_export_holds_what_the_exporter_may_read(world, tmp_path):
    _import_all(world)
    folder = tmp_path / "mx"
    misp.export_feed(actor=world["mx"], collection=world["collection"], folder=folder)
    values = feed_values(folder)
    # Another organisation of the network reads the GREEN event only (not AMBER, AMBER+STRICT).
    assert set(values) == {GREEN_EVENT}
    assert values[GREEN_EVENT] == {("ip-dst", "192.0.2.77")}
    with pytest.raises(Collection.DoesNotExist):
        misp.export_feed(
            actor=world["outsider"], collection=world["collection"], folder=tmp_path / "no"
        )
    assert not (tmp_path / "no").exists()


def test_filtered_export_is_audited(world, tmp_path):
    _import_all(world)
    folder = tmp_path / "green"
    counts = misp.export_feed(
        actor=world["co"],
        collection=world["collection"],
        folder=folder,
        filters={"tlp": ["green"]},
    )
    assert set(feed_values(folder)) == {GREEN_EVENT}
    event = AuditEvent.objects.get(action="intel.misp_feed.export")
    assert event.actor == world["co"]
    assert event.changes == {
        "rows": counts["objects"],
        "filters": {"collection": str(world["collection"].pk), "tlp": ["green"]},
    }


def test_commands(world, tmp_path):
    out = tmp_path / "feed"
    call_command(
        "import_misp",
        str(MISP_DATA / "feed"),
        collection=str(world["collection"].pk),
        user=world["co"].username,
    )
    assert len(stored(world["collection"])) > 20
    call_command(
        "export_misp_feed",
        str(out),
        collection=str(world["collection"].pk),
        user=world["co"].username,
        filter=["type=indicator"],
    )
    # Indicators only, outside their reports: one event of the collection (its uuid stays the
    # same from one export to the next) with their values (misp-stix rebuilds the attributes).
    values = feed_values(out)
    rest = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cicte:misp-feed:{world['collection'].pk}"))
    assert values == {rest: AMBER_VALUES | {("ip-dst", "192.0.2.77")}}
    with pytest.raises(CommandError, match="has no collection"):
        call_command(
            "export_misp_feed",
            str(tmp_path / "x"),
            collection=str(world["collection"].pk),
            user=world["outsider"].username,
        )
    with pytest.raises(CommandError, match="not valid JSON"):
        bad = tmp_path / "bad.json"
        bad.write_text("{")
        call_command(
            "import_misp", str(bad), collection=str(world["other"].pk), user=world["co"].username
        )


def test_objects_outside_reports_from_misp_and_elsewhere(world, tmp_path):
    misp.import_location(
        actor=world["co"],
        collection=world["collection"],
        location=str(MISP_DATA / "event_amber.json"),
    )
    f.post(world["co"], world["collection"], [f.indicator("198.51.100.7")])
    folder = tmp_path / "out"
    misp.export_feed(
        actor=world["co"],
        collection=world["collection"],
        folder=folder,
        filters={"type": "indicator"},
    )
    [values] = feed_values(folder).values()
    # misp-stix's own indicators come back as their MISP attributes, the others as it maps them.
    assert values >= AMBER_VALUES
    assert "198.51.100.7" in {value for _type, value in values - AMBER_VALUES}


def test_the_oasis_stix2_is_installed_not_the_misp_fork():
    """misp-stix before 2026 needs misp-lib-stix2, a fork installed over the ``stix2`` package
    that the store validates with: it must never replace it silently."""
    from importlib import metadata

    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("misp-lib-stix2")
    assert metadata.distribution("stix2").metadata["Author"].startswith("OASIS")
