"""The scheduled fetch, against an HTTP server on 127.0.0.1 serving copies of the list files."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cicte.core.models import AuditEvent
from cicte.sanctions import fetch, tasks
from cicte.sanctions.models import EntityChange, ListVersion, SanctionsList
from cicte.sanctions.tests.conftest import OFAC_FILES
from cicte.sanctions.tests.helpers import edited, small_un_xml

pytestmark = pytest.mark.django_db


class Files:
    """What the server serves: path -> bytes; ETags on or off; a delay; a status to force."""

    def __init__(self) -> None:
        self.content: dict[str, bytes] = {}
        self.etags = True
        self.delay = 0.0
        self.status = 200
        self.requests: list[tuple[str, str | None]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Files]]:
    files = Files()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            files.requests.append((self.path, self.headers.get("If-None-Match")))
            if files.delay:
                time.sleep(files.delay)
            body = files.content.get(self.path)
            if body is None or files.status != 200:
                self.send_response(404 if body is None else files.status)
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if files.etags and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            if files.etags:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # unless the client gave up (the timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", files
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def un_source(settings: Any, server: tuple[str, Files]) -> Files:
    base, files = server
    files.content["/un.xml"] = small_un_xml()
    settings.SANCTIONS_SOURCES = {"un": {"xml": f"{base}/un.xml"}, "ofac": {"sdn": ""}}
    settings.SANCTIONS_HTTP_TIMEOUT = 1
    return files


def test_fetch_imports_then_uses_a_conditional_request(un_source: Files) -> None:
    outcome = fetch.fetch_list("un")
    assert (outcome.status, outcome.version) == ("imported", 1)
    sanctions_list = SanctionsList.objects.get(key="un")
    assert sanctions_list.last_fetch_status == "imported"
    assert sanctions_list.last_fetch_at is not None
    version = ListVersion.objects.get()
    assert version.entity_count == 25
    assert version.actor_label == "scheduler"
    assert version.source_name.endswith("/un.xml")

    outcome = fetch.fetch_list("un")
    assert (outcome.status, outcome.message) == ("unchanged", "not modified (HTTP 304)")
    assert un_source.requests[-1][1] is not None  # If-None-Match was sent
    assert ListVersion.objects.count() == 1


def test_without_validators_the_sha256_tells_an_unchanged_file(un_source: Files) -> None:
    un_source.etags = False
    fetch.fetch_list("un")
    outcome = fetch.fetch_list("un")
    assert (outcome.status, outcome.message) == ("unchanged", "same SHA-256 as the last import")
    assert ListVersion.objects.count() == 1


def test_a_changed_file_makes_a_new_version_with_its_diff(un_source: Files) -> None:
    fetch.fetch_list("un")
    un_source.content["/un.xml"] = edited(small_un_xml(), remove="CDi.001")
    outcome = fetch.fetch_list("un")
    assert (outcome.status, outcome.version) == ("imported", 2)
    change = EntityChange.objects.get(version__number=2)
    assert (change.kind, change.entity.source_id) == ("removed", "CDi.001")


def test_errors_are_recorded_and_nothing_imported(un_source: Files) -> None:
    un_source.status = 500
    outcome = fetch.fetch_list("un")
    assert outcome.status == "error"
    assert outcome.message.endswith("/un.xml: HTTP 500")
    sanctions_list = SanctionsList.objects.get(key="un")
    assert sanctions_list.last_fetch_status == "error"
    assert sanctions_list.last_fetch_error == outcome.message
    assert AuditEvent.objects.filter(action="sanctions.list.fetch_failed").count() == 1

    un_source.status = 200
    un_source.content["/un.xml"] = b"<CONSOLIDATED_LIST><broken>"
    outcome = fetch.fetch_list("un")
    assert outcome.status == "error"
    assert outcome.message.startswith("malformed XML at line 1")
    assert ListVersion.objects.count() == 0


def test_timeout(un_source: Files) -> None:
    un_source.delay = 2
    outcome = fetch.fetch_list("un")
    assert outcome.status == "error"
    assert outcome.message.endswith("/un.xml: no answer within 1 s")


def test_ofac_files_are_fetched_together(settings: Any, server: tuple[str, Files]) -> None:
    base, files = server
    for name, path in OFAC_FILES.items():
        files.content[f"/{name}.csv"] = path.read_bytes()
    settings.SANCTIONS_SOURCES = {"ofac": {name: f"{base}/{name}.csv" for name in OFAC_FILES}}
    assert fetch.fetch_list("ofac").status == "imported"
    assert ListVersion.objects.get().entity_count == 7379
    # One file changed, the others answer 304: they are read again in full to parse.
    files.content["/alt.csv"] = (
        OFAC_FILES["alt"].read_bytes() + b'\r\n36,99999,"aka","CARIBBEAN AIR",-0- \r\n'
    )
    outcome = fetch.fetch_list("ofac")
    assert (outcome.status, outcome.version) == ("imported", 2)
    change = EntityChange.objects.get(version__number=2)
    assert change.entity.source_id == "36"
    assert change.diff == {"alias": [["AERO-CARIBBEAN"], ["AERO-CARIBBEAN", "CARIBBEAN AIR"]]}


def test_the_periodic_task_fetches_configured_lists_only(un_source: Files, settings: Any) -> None:
    assert tasks.fetch_sanctions_lists.call_local() == ["un:imported", "ofac:skipped"]
    settings.SANCTIONS_FETCH_ENABLED = False
    assert tasks.fetch_sanctions_lists.call_local() == []
