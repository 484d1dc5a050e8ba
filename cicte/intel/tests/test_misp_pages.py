"""The MISP page (/intel/misp/): imports of MISP files, feed zips and feed addresses into the
collections a person may write (all or nothing; unsafe or oversized archives refused unread),
and exports of what a person may read of a collection as a zip of a MISP feed that PyMISP
loads (never TLP:RED; another organisation's AMBER objects not to those who cannot see them)."""

from __future__ import annotations

import functools
import http.server
import io
import json
import re
import stat
import threading
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from pymisp import MISPEvent

from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel import misp, misp_engine
from cicte.intel.models import Collection, StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

MISP_DATA = f.DATA / "misp"
FEED = MISP_DATA / "feed"
AMBER_EVENT = "5b0f1d36-6c1e-4b8a-9d3f-2a7e4c1f0a11"
GREEN_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e01"
STRICT_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e02"
RED_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e03"
RED_ATTRIBUTE = "2e5d3a7b-4c6f-4d8e-9fa0-1b2c3d4e5f12"
AMBER_IP = "203.0.113.45"
GREEN_IP = "192.0.2.77"
RED_VALUES = ("rdp-brute.example.com", "jefe.gabinete@ministerio.example", "198.51.100.99")


@pytest.fixture
def world() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "co": f.analyst(colombia),
        "co2": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "collection": f.collection(title="MISP imports"),
        "other": f.collection(title="Round trip"),
    }


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def stored(collection: Collection) -> dict[str, str]:
    return dict(StixObject.objects.filter(collection=collection).values_list("stix_id", "tlp"))


def upload(name: str, content: bytes, content_type: str = "application/json") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def import_file(client: Client, collection: Collection, name: str, content: bytes) -> Any:
    kind = "application/zip" if name.endswith(".zip") else "application/json"
    return client.post(
        "/intel/misp/import/",
        {"import-collection": str(collection.pk), "import-file": upload(name, content, kind)},
    )


def feed_zip(folder: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    """The test feed (manifest.json and its two event files) as a zip, at the top level or in
    ``folder``, with ``extra`` entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if folder:
            archive.writestr(f"{folder}/", b"")
        for path in sorted(FEED.iterdir()):
            archive.write(path, f"{folder}/{path.name}" if folder else path.name)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def errors_of(response: Any) -> str:
    """The error messages shown on the page (form errors), as text."""
    text = response.content.decode()
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</div>', text, flags=re.S))


def nothing_imported(collection: Collection) -> None:
    assert stored(collection) == {}
    assert not AuditEvent.objects.filter(action="intel.misp_import").exists()


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/intel/misp/"), ("post", "/intel/misp/import/"), ("post", "/intel/misp/export/")],
)
def test_anonymous_visitors_are_sent_to_the_login_page(method, url):
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_page_offers_the_collections_each_person_may_write_and_read(world):
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    page = client_of(world["mx"]).get("/intel/misp/")
    assert page.status_code == 200
    imports = list(page.context["import_form"].fields["collection"].queryset)
    exports = list(page.context["export_form"].fields["collection"].queryset)
    assert read_only not in imports and world["collection"] in imports
    assert set(exports) == {world["collection"], world["other"], read_only}
    content = page.content.decode()
    assert 'action="/intel/misp/import/"' in content
    assert 'action="/intel/misp/export/"' in content
    # TLP:RED is not offered for export.
    assert [value for value, _label in page.context["export_form"].fields["tlp"].choices] == [
        "clear",
        "green",
        "amber",
        "amber+strict",
    ]
    # A CSIRT of another network reads and writes none of them: neither form is offered.
    outsider = client_of(world["outsider"]).get("/intel/misp/")
    assert outsider.status_code == 200
    assert not outsider.context["may_import"] and not outsider.context["may_export"]
    assert "/intel/misp/import/" not in outsider.content.decode()


def test_the_collections_page_links_to_the_misp_page(world):
    page = client_of(world["co"]).get("/intel/")
    assert 'href="/intel/misp/"' in page.content.decode()


# --- Import --------------------------------------------------------------------------------------


def test_import_of_a_misp_event_file(world):
    client = client_of(world["co"])
    content = (MISP_DATA / "event_amber.json").read_bytes()
    response = import_file(client, world["collection"], "event_amber.json", content)
    assert response.status_code == 302
    assert response["Location"] == "/intel/misp/"
    labels = stored(world["collection"])
    assert len(labels) > 20 and set(labels.values()) == {TLP.AMBER}
    assert f"report--{AMBER_EVENT}" in labels
    page = client.get(response["Location"])
    text = page.content.decode()
    assert f"MISP events read: 1. STIX objects stored: {len(labels)}; already stored: 0." in text
    assert f'<a href="/intel/collections/{world["collection"].pk}/">' in text
    event = AuditEvent.objects.get(action="intel.misp_import")
    assert event.actor == world["co"]
    assert event.changes["source"] == "event_amber.json"
    assert event.changes["events"] == [AMBER_EVENT]
    # The same file again: nothing new, all already stored.
    again = import_file(client, world["collection"], "event_amber.json", content)
    assert again.status_code == 302
    text = client.get("/intel/misp/").content.decode()
    assert f"STIX objects stored: 0; already stored: {len(labels)}." in text


def test_import_of_a_misp_api_answer(world):
    content = (MISP_DATA / "events_tlp.json").read_bytes()
    response = import_file(client_of(world["co"]), world["collection"], "answer.json", content)
    assert response.status_code == 302
    labels = stored(world["collection"])
    assert labels[f"grouping--{GREEN_EVENT}"] == TLP.GREEN
    assert labels[f"grouping--{STRICT_EVENT}"] == TLP.AMBER_STRICT
    assert labels[f"grouping--{RED_EVENT}"] == TLP.RED


@pytest.mark.parametrize("folder", ["", "circl-feed"])
def test_import_of_a_feed_zip(world, folder):
    response = import_file(
        client_of(world["co"]),
        world["collection"],
        "feed.zip",
        feed_zip(folder, extra={f"{folder}/hashes.csv" if folder else "hashes.csv": b""}),
    )
    assert response.status_code == 302, errors_of(response)
    labels = stored(world["collection"])
    assert labels[f"report--{AMBER_EVENT}"] == TLP.AMBER
    assert labels[f"grouping--{GREEN_EVENT}"] == TLP.GREEN
    event = AuditEvent.objects.get(action="intel.misp_import")
    assert event.changes["source"] == "feed.zip"
    assert sorted(event.changes["events"]) == sorted([AMBER_EVENT, GREEN_EVENT])


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=0)
def test_uploads_spooled_to_disk_import_too(world):
    """Uploads larger than Django keeps in memory arrive as temporary files: read the same."""
    client = client_of(world["co"])
    response = import_file(client, world["collection"], "feed.zip", feed_zip("feed"))
    assert response.status_code == 302, errors_of(response)
    content = (MISP_DATA / "events_tlp.json").read_bytes()
    response = import_file(client, world["other"], "answer.json", content)
    assert response.status_code == 302, errors_of(response)
    assert f"report--{AMBER_EVENT}" in stored(world["collection"])
    assert f"grouping--{STRICT_EVENT}" in stored(world["other"])


def test_a_zip_made_on_macos_imports(world):
    """macOS adds a __MACOSX folder and ._ files of its own: they are not part of the feed."""
    content = feed_zip(
        "feed", extra={"__MACOSX/feed/._manifest.json": b"\x00\x05", "feed/.DS_Store": b"\x00"}
    )
    response = import_file(client_of(world["co"]), world["collection"], "feed.zip", content)
    assert response.status_code == 302, errors_of(response)
    assert f"report--{AMBER_EVENT}" in stored(world["collection"])


def test_a_malformed_event_is_refused_with_nothing_stored(world):
    content = (MISP_DATA / "malformed_attribute.json").read_bytes()
    response = import_file(client_of(world["co"]), world["collection"], "events.json", content)
    assert response.status_code == 400
    errors = errors_of(response)
    assert "nothing was imported" in errors
    assert "events.json, item 2" in errors and "an attribute has no value" in errors
    nothing_imported(world["collection"])


def test_objects_refused_by_the_store_import_nothing(world):
    """TLP:CLEAR (MISP's tlp:white) is public on the platform: only some roles may publish
    it; the whole import is refused, saying why."""
    content = (MISP_DATA / "event_white.json").read_bytes()
    response = import_file(client_of(world["co"]), world["collection"], "white.json", content)
    assert response.status_code == 400
    errors = errors_of(response)
    assert re.search(r"Nothing was imported: \d+ objects were refused: ", errors)
    assert "TLP:CLEAR" in errors
    nothing_imported(world["collection"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "no MISP event"),
        (b'{"Attribute": []}', "not a MISP event"),
        (b"PK\x03\x04 not really a zip", "not a readable zip archive"),
    ],
)
def test_unreadable_uploads_are_refused(world, content, message):
    response = import_file(client_of(world["co"]), world["collection"], "misp.json", content)
    assert response.status_code == 400
    assert message in errors_of(response)
    nothing_imported(world["collection"])


def test_a_feed_zip_with_a_bad_event_imports_nothing(world):
    broken = json.loads((FEED / f"{GREEN_EVENT}.json").read_text())
    broken["Event"]["Attribute"][0]["uuid"] = "not-a-uuid"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(FEED / "manifest.json", "manifest.json")
        archive.write(FEED / f"{AMBER_EVENT}.json", f"{AMBER_EVENT}.json")
        archive.writestr(f"{GREEN_EVENT}.json", json.dumps(broken))
    response = import_file(
        client_of(world["co"]), world["collection"], "feed.zip", buffer.getvalue()
    )
    assert response.status_code == 400
    assert "is not a UUID" in errors_of(response)
    nothing_imported(world["collection"])


def _zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_link() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(FEED / "manifest.json", "manifest.json")
        link = zipfile.ZipInfo(f"{GREEN_EVENT}.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


MANIFEST = (FEED / "manifest.json").read_bytes()
UNSAFE_ARCHIVES = {
    "parent folder": (
        lambda: _zip_of({"manifest.json": MANIFEST, f"../{GREEN_EVENT}.json": b"{}"}),
        "has an unsafe name",
    ),
    "traversal inside a folder": (
        lambda: _zip_of({"feed/manifest.json": MANIFEST, "feed/../../x.json": b"{}"}),
        "has an unsafe name",
    ),
    "absolute path": (
        lambda: _zip_of({"/feed/manifest.json": MANIFEST}),
        "has an unsafe name",
    ),
    "backslashes": (
        lambda: _zip_of({"manifest.json": MANIFEST, "..\\..\\evil.json": b"{}"}),
        "has an unsafe name",
    ),
    "drive": (
        lambda: _zip_of({"C:/manifest.json": MANIFEST}),
        "has an unsafe name",
    ),
    "link": (_with_link, "is a link, not a file"),
    "folders inside folders": (
        lambda: _zip_of({"a/b/manifest.json": MANIFEST}),
        "folders inside folders",
    ),
    "two folders": (
        lambda: _zip_of({"a/manifest.json": MANIFEST, "b/x.json": b"{}"}),
        "all in one folder",
    ),
    "top level and a folder": (
        lambda: _zip_of({"manifest.json": MANIFEST, "b/y.json": b"{}"}),
        "all in one folder",
    ),
    "no manifest": (
        lambda: _zip_of({f"{GREEN_EVENT}.json": (FEED / f"{GREEN_EVENT}.json").read_bytes()}),
        "has no manifest.json",
    ),
    "a name twice": (
        lambda: _zip_of({"manifest.json": MANIFEST, "feed/manifest.json": MANIFEST}),
        "appears twice",
    ),
}


@pytest.mark.parametrize("name", sorted(UNSAFE_ARCHIVES))
def test_unsafe_archives_are_refused(world, name):
    build, message = UNSAFE_ARCHIVES[name]
    response = import_file(client_of(world["co"]), world["collection"], "feed.zip", build())
    assert response.status_code == 400
    errors = errors_of(response)
    assert "feed.zip is not a MISP feed archive that can be imported" in errors
    assert message in errors
    nothing_imported(world["collection"])


@override_settings(MISP_MAX_UPLOAD_BYTES=1024 * 1024)
def test_a_zip_bomb_is_refused_unread(world):
    """A small archive that would expand beyond the limit is refused by the sizes its
    directory declares, before anything is decompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", MANIFEST)
        archive.writestr(f"{GREEN_EVENT}.json", b" " * (4 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 64 * 1024
    response = import_file(client_of(world["co"]), world["collection"], "bomb.zip", content)
    assert response.status_code == 400
    assert "uncompressed, it is larger than 1.0 MB" in errors_of(response)
    nothing_imported(world["collection"])


def _patch_sizes(content: bytes, name: str, size: int) -> bytes:
    """The archive with ``name``'s uncompressed size rewritten (local header and directory),
    as a forged archive would declare it."""
    data = bytearray(content)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = 0
        while (position := data.find(signature, position)) >= 0:
            name_at = position + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(encoded)] == encoded:
                data[position + offset : position + offset + 4] = size.to_bytes(4, "little")
            position += 4
    return bytes(data)


@override_settings(MISP_MAX_UPLOAD_BYTES=1024 * 1024)
def test_an_archive_that_lies_about_its_sizes_is_refused(world):
    """An entry that says it is small but expands to more is cut at its declared size, and
    its checksum then fails: refused, nothing stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", MANIFEST)
        archive.write(FEED / f"{AMBER_EVENT}.json", f"{AMBER_EVENT}.json")
        archive.writestr(f"{GREEN_EVENT}.json", b" " * (4 * 1024 * 1024))
    content = _patch_sizes(buffer.getvalue(), f"{GREEN_EVENT}.json", 100)
    response = import_file(client_of(world["co"]), world["collection"], "liar.zip", content)
    assert response.status_code == 400
    errors = errors_of(response)
    assert f"liar.zip: cannot read {GREEN_EVENT}.json (Bad CRC-32" in errors
    nothing_imported(world["collection"])


@override_settings(MISP_MAX_UPLOAD_BYTES=1000)
def test_a_file_larger_than_the_limit_is_refused(world):
    content = (MISP_DATA / "event_amber.json").read_bytes()
    assert len(content) > 1000
    response = import_file(client_of(world["co"]), world["collection"], "event.json", content)
    assert response.status_code == 400
    assert "The file is larger than 1000 bytes." in response.content.decode()
    nothing_imported(world["collection"])


def test_a_collection_the_person_may_not_write_is_refused(world):
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    content = (MISP_DATA / "event_amber.json").read_bytes()
    # Readable but not writable, and neither readable nor writable (another network's CSIRT).
    for user, collection in ((world["mx"], read_only), (world["outsider"], world["collection"])):
        response = import_file(client_of(user), collection, "event_amber.json", content)
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        nothing_imported(collection)


def test_the_import_checks_the_right_again(world, monkeypatch):
    """Should the form's choices and the right disagree (a role lost meanwhile), the import
    answers 403 before any address is fetched or anything stored."""
    from cicte.intel import services

    monkeypatch.setattr(services, "may_write", lambda actor, collection: False)
    content = (MISP_DATA / "event_amber.json").read_bytes()
    response = import_file(client_of(world["co"]), world["collection"], "event.json", content)
    assert response.status_code == 403
    nothing_imported(world["collection"])


def test_a_file_or_an_address_not_both_nor_neither(world):
    client = client_of(world["co"])
    collection = str(world["collection"].pk)
    neither = client.post("/intel/misp/import/", {"import-collection": collection})
    assert neither.status_code == 400
    assert "Choose a MISP file or give the address of a feed." in errors_of(neither)
    both = client.post(
        "/intel/misp/import/",
        {
            "import-collection": collection,
            "import-file": upload("e.json", (MISP_DATA / "event_amber.json").read_bytes()),
            "import-url": "https://feeds.example.org/misp/",
        },
    )
    assert both.status_code == 400
    assert "Choose a file or give an address, not both." in errors_of(both)
    nothing_imported(world["collection"])


@pytest.fixture
def served_feed():
    """The test feed on a loopback HTTP server (the standard library's, in a thread)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FEED))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_import_of_a_feed_by_its_address(world, served_feed):
    client = client_of(world["co"])
    response = client.post(
        "/intel/misp/import/",
        {"import-collection": str(world["collection"].pk), "import-url": served_feed + "/"},
    )
    assert response.status_code == 302, errors_of(response)
    assert f"report--{AMBER_EVENT}" in stored(world["collection"])
    assert AuditEvent.objects.get(action="intel.misp_import").changes["source"] == served_feed + "/"
    missing = client.post(
        "/intel/misp/import/",
        {"import-collection": str(world["other"].pk), "import-url": served_feed + "/none/"},
    )
    assert missing.status_code == 400
    assert "answered 404" in errors_of(missing)
    assert stored(world["other"]) == {}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/feed/", "resolves to a private or local address"),
        ("http://10.1.2.3/feed/", "resolves to a private or local address"),
        ("http://[::1]/feed/", "resolves to a private or local address"),
        ("https://user:secret@feeds.example.org/", "without a user name or password"),
        ("ftp://feeds.example.org/feed/", "Give an http:// or https:// address."),
    ],
)
def test_unsafe_feed_addresses_are_refused(world, url, message):
    with override_settings(MISP_FEED_ALLOW_PRIVATE_TARGETS=False):
        response = client_of(world["co"]).post(
            "/intel/misp/import/",
            {"import-collection": str(world["collection"].pk), "import-url": url},
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    nothing_imported(world["collection"])


# --- Export --------------------------------------------------------------------------------------


def _import_all(world: dict[str, Any]) -> None:
    for name in ("event_amber.json", "events_tlp.json"):
        misp.import_location(
            actor=world["co"], collection=world["collection"], location=str(MISP_DATA / name)
        )
    # A TLP:RED indicator posted outside MISP too.
    f.post(world["co"], world["collection"], [f.indicator(RED_VALUES[2], label=TLP.RED)])


def export(client: Client, collection: Collection, **filters: Any) -> Any:
    data: dict[str, Any] = {"export-collection": str(collection.pk)}
    data.update({f"export-{name}": value for name, value in filters.items()})
    return client.post("/intel/misp/export/", data)


def unzip(response: Any) -> dict[str, bytes]:
    """The files of a downloaded feed zip by name, after checking it is one folder."""
    assert response.status_code == 200, errors_of(response)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="misp-feed-')
    assert response["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        folders = {name.split("/")[0] for name in names}
        assert len(folders) == 1 and all(name.count("/") == 1 for name in names)
        return {name.split("/")[1]: archive.read(name) for name in names}


def loaded_events(files: dict[str, bytes]) -> dict[str, MISPEvent]:
    """Every event file loaded with PyMISP, by uuid; the manifest lists exactly them."""
    events = {}
    for name, content in files.items():
        if name in ("manifest.json", "hashes.csv"):
            continue
        event = MISPEvent()
        event.load(content.decode())
        assert name == f"{event.uuid}.json"
        events[str(event.uuid)] = event
    assert set(json.loads(files["manifest.json"])) == set(events)
    return events


def values_of(event: MISPEvent) -> set[str]:
    values = {attribute.value for attribute in event.attributes}
    for obj in event.objects:
        values |= {attribute.value for attribute in obj.attributes}
    return values


def test_export_download_is_a_feed_that_pymisp_loads_without_red(world):
    _import_all(world)
    response = export(client_of(world["co"]), world["collection"])
    files = unzip(response)
    assert {"manifest.json", "hashes.csv"} <= set(files)
    events = loaded_events(files)
    assert set(events) == {AMBER_EVENT, GREEN_EVENT, STRICT_EVENT}
    assert AMBER_IP in values_of(events[AMBER_EVENT])
    assert values_of(events[GREEN_EVENT]) == {GREEN_IP}
    # hashes.csv: the MD5 of each attribute value and its event.
    rows = {tuple(line.split(",")) for line in files["hashes.csv"].decode().splitlines()}
    assert (misp_engine.value_digest(GREEN_IP), GREEN_EVENT) in rows
    # TLP:RED never leaves: not the RED event, not the RED attribute, not the RED indicator.
    everything = b" ".join(files.values()).decode()
    for value in (*RED_VALUES, RED_EVENT, RED_ATTRIBUTE):
        assert value not in everything
    assert "tlp:red" not in everything
    event = AuditEvent.objects.get(action="intel.misp_feed.export")
    assert event.actor == world["co"]
    assert event.changes["filters"] == {"collection": str(world["collection"].pk)}
    assert event.changes["rows"] > 20


def test_the_exported_zip_imports_again(world):
    _import_all(world)
    client = client_of(world["co"])
    content = b"".join(export(client, world["collection"]).streaming_content)
    response = import_file(client, world["other"], "export.zip", content)
    assert response.status_code == 302, errors_of(response)

    def indicators(collection: Collection) -> set[tuple[str, str]]:
        rows = StixObject.objects.filter(collection=collection, type="indicator")
        return {(row.data["pattern"], row.tlp) for row in rows.exclude(tlp=TLP.RED)}

    assert indicators(world["other"]) == indicators(world["collection"])
    assert not StixObject.objects.filter(collection=world["other"], tlp=TLP.RED).exists()


def test_another_organisations_amber_is_not_exported_to_those_who_cannot_see_it(world):
    _import_all(world)
    # Mexico's CSIRT reads the collection but only the GREEN part of Colombia's objects.
    files = unzip(export(client_of(world["mx"]), world["collection"]))
    events = loaded_events(files)
    assert set(events) == {GREEN_EVENT}
    assert values_of(events[GREEN_EVENT]) == {GREEN_IP}
    everything = b" ".join(files.values()).decode()
    assert AMBER_IP not in everything and AMBER_EVENT not in everything
    assert STRICT_EVENT not in everything
    # Colombia's colleague, of the owner organisation, gets the AMBER events too (not RED,
    # which reaches its author alone and never leaves anyway).
    colleague = loaded_events(unzip(export(client_of(world["co2"]), world["collection"])))
    assert set(colleague) == {AMBER_EVENT, GREEN_EVENT, STRICT_EVENT}


def test_filtered_export(world):
    _import_all(world)
    client = client_of(world["co"])
    green = loaded_events(unzip(export(client, world["collection"], tlp=["green"])))
    assert set(green) == {GREEN_EVENT}
    dated = export(client, world["collection"], type=["indicator"], added_from="2000-01-01")
    [event] = loaded_events(unzip(dated)).values()
    assert AMBER_IP in values_of(event) and GREEN_IP in values_of(event)
    assert not values_of(event) & set(RED_VALUES)
    audited = AuditEvent.objects.filter(action="intel.misp_feed.export").order_by("pk")
    assert [e.changes["filters"] for e in audited] == [
        {"collection": str(world["collection"].pk), "tlp": ["green"]},
        {
            "collection": str(world["collection"].pk),
            "type": ["indicator"],
            "added_from": ["2000-01-01"],
        },
    ]


def test_red_cannot_be_asked_for(world):
    _import_all(world)
    response = export(client_of(world["co"]), world["collection"], tlp=["red"])
    assert response.status_code == 400
    assert "Select a valid choice. red is not one of the available choices." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="intel.misp_feed.export").exists()


def test_nothing_to_export_is_said_not_downloaded(world):
    _import_all(world)
    response = export(client_of(world["co"]), world["collection"], added_from="2999-01-01")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing to export" in response.content.decode()


def test_a_collection_the_person_may_not_read_is_refused(world):
    _import_all(world)
    response = export(client_of(world["outsider"]), world["collection"])
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert AMBER_IP not in response.content.decode()
    assert not AuditEvent.objects.filter(action="intel.misp_feed.export").exists()
