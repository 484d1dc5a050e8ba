"""What a TAXII poll makes of the answers the platform's own server never gives (a scripted
server on loopback): invalid objects, invalid JSON, another content type, redirects, slowness,
a refused connection, more than one poll reads."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.sources import services
from cicte.sources.choices import PollStatus
from cicte.sources.models import SourcePoll
from cicte.sources.tests.conftest import ScriptedTaxii, make_source

pytestmark = pytest.mark.django_db


def poll(source: Any) -> SourcePoll:
    record = services.poll(source_id=source.pk)
    assert record is not None
    source.refresh_from_db()
    return record


def test_invalid_objects_are_refused_and_listed_the_valid_ones_stored(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii
) -> None:
    valid = f.indicator("192.0.2.10")
    broken = f.indicator("192.0.2.11")
    del broken["pattern"]
    scripted_taxii.envelope = {"objects": [valid, broken, "not an object"], "more": False}
    source = make_source(admin, target, scripted_taxii.url)
    record = poll(source)
    assert record.status == PollStatus.PARTIAL
    assert (record.objects_read, record.stored, record.duplicates, record.refused) == (3, 1, 0, 2)
    assert record.error.startswith("2 objects were refused: ")
    assert broken["id"] in record.error
    refused = record.details["refused"]
    assert [item.get("id") for item in refused] == [broken["id"], None]
    assert all(item["message"] for item in refused)
    assert list(StixObject.objects.filter(collection=target).values_list("stix_id", flat=True)) == [
        valid["id"]
    ]
    # Not a success: the error stays shown; the cursor moves on (they would be refused again).
    assert source.last_success_at is None and source.last_error == record.error
    assert source.taxii_added_after == scripted_taxii.date_added_last
    # The query string asked for every version added after nothing yet.
    assert "match%5Bversion%5D=all" in scripted_taxii.requests[-1]
    assert "added_after" not in scripted_taxii.requests[-1]

    poll(source)
    assert (
        f"added_after={scripted_taxii.date_added_last}".replace(":", "%3A")
        in (scripted_taxii.requests[-1])
    )


def test_only_refused_objects_is_an_error(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii
) -> None:
    scripted_taxii.envelope = {"objects": [{"type": "indicator"}]}
    record = poll(make_source(admin, target, scripted_taxii.url))
    assert (record.status, record.refused, record.stored) == (PollStatus.ERROR, 1, 0)


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({"envelope": b"{not json"}, "is not valid JSON"),
        ({"envelope": ["a", "list"]}, "is not a TAXII envelope"),
        ({"envelope": {"objects": "none"}}, "has no list of objects"),
        ({"content_type": "text/html"}, "does not answer as a TAXII 2.1 server"),
        ({"status": 500}, "answered HTTP 500"),
        ({"status": 401}, "refused the credentials (HTTP 401)"),
        ({"redirect_to": "http://169.254.169.254/latest/"}, "redirects to http://169.254.169.254"),
    ],
)
def test_bad_answers_are_clear_errors_that_store_nothing(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii, script: dict[str, Any], message: str
) -> None:
    for name, value in script.items():
        setattr(scripted_taxii, name, value)
    source = make_source(admin, target, scripted_taxii.url)
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert message in record.error, record.error
    assert source.last_error == record.error and source.last_success_at is None
    assert source.taxii_added_after == ""
    assert not StixObject.objects.filter(collection=target).exists()


def test_a_slow_server_times_out(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii, settings: Any
) -> None:
    settings.SOURCES_HTTP_TIMEOUT = 1
    scripted_taxii.delay = 2
    record = poll(make_source(admin, target, scripted_taxii.url))
    assert record.status == PollStatus.ERROR
    assert record.error == "127.0.0.1 did not answer within 1 second."


def test_a_closed_port_is_a_clear_error(admin: Any, target: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/taxii2/root/collections/9a1e3f4b-0c2d-4e5f-8a9b-1c2d3e4f5a6b/"
    record = poll(make_source(admin, target, url))
    assert record.status == PollStatus.ERROR
    assert record.error == "Cannot connect to 127.0.0.1: Connection refused."


def test_a_backlog_is_read_over_several_polls(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii, settings: Any
) -> None:
    settings.SOURCES_MAX_OBJECTS_PER_POLL = 2
    scripted_taxii.envelope = {
        "objects": [f.indicator("192.0.2.20"), f.indicator("192.0.2.21")],
        "more": True,
        "next": "page-2",
    }
    source = make_source(admin, target, scripted_taxii.url)
    record = poll(source)
    assert (record.status, record.stored, record.details["more"]) == (PollStatus.SUCCESS, 2, True)
    # One request for the collection, one page: the poll stopped at its limit...
    assert len(scripted_taxii.requests) == 2
    # ...and the next one is due at once, from where this one stopped.
    assert source.next_poll_at == record.finished_at
    assert source.taxii_added_after == scripted_taxii.date_added_last


def test_without_the_date_added_header_the_cursor_stays(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii
) -> None:
    scripted_taxii.date_added_last = ""
    scripted_taxii.envelope = {"objects": [f.indicator("192.0.2.30")]}
    source = make_source(admin, target, scripted_taxii.url)
    assert poll(source).stored == 1
    assert source.taxii_added_after == ""
    # Read again in full next time: nothing is stored twice.
    again = poll(source)
    assert (again.objects_read, again.stored, again.duplicates) == (1, 0, 1)
