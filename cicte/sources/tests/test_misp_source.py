"""A MISP feed polled into a collection: the platform's own feed export, served from a temporary
folder by a standard-library HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from cicte.accounts.models import Role
from cicte.core.models import AuditEvent
from cicte.intel import misp
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.sources import services
from cicte.sources.choices import AuthScheme, PollStatus, SourceKind
from cicte.sources.models import SourcePoll
from cicte.sources.tests.conftest import FeedServer, make_source

pytestmark = pytest.mark.django_db

MISP_FEED = f.DATA / "misp" / "feed"
ORGC = {"name": "CSIRT Example", "uuid": "7c3f52c2-54e0-4b7b-8a41-0d1c1e2f3a4b"}


@pytest.fixture
def exported(feed_server: FeedServer) -> FeedServer:
    """The MISP fixture feed imported into a collection, exported again by the platform as a
    MISP feed into the served folder."""
    co = f.analyst(f.csirt("CO"))
    origin = f.collection(title="Origin")
    misp.import_location(actor=co, collection=origin, location=str(MISP_FEED))
    misp.export_feed(actor=co, collection=origin, folder=feed_server.folder)
    return feed_server


def manifest(feed: FeedServer) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((feed.folder / "manifest.json").read_text())
    return data


def write_event(feed: FeedServer, event: dict[str, Any], *, listed: bool = True) -> None:
    """Write an event file and (when ``listed``) its manifest entry."""
    (feed.folder / f"{event['uuid']}.json").write_text(json.dumps({"Event": event}))
    if listed:
        entries = manifest(feed)
        entries[event["uuid"]] = {
            "info": event.get("info", ""),
            "Orgc": ORGC,
            "timestamp": int(event["timestamp"]),
        }
        (feed.folder / "manifest.json").write_text(json.dumps(entries))


def new_event(value: str, timestamp: int = 1795170000, **extra: Any) -> dict[str, Any]:
    event = {
        "uuid": str(uuid.uuid4()),
        "info": f"Scanning from {value}",
        "date": "2026-11-20",
        "timestamp": str(timestamp),
        "Orgc": ORGC,
        "Tag": [{"name": "tlp:green"}],
        "Attribute": [
            {
                "uuid": str(uuid.uuid4()),
                "type": "ip-dst",
                "category": "Network activity",
                "to_ids": True,
                "value": value,
                "timestamp": str(timestamp),
            }
        ],
    }
    event.update(extra)
    return event


def poll(source: Any) -> SourcePoll:
    record = services.poll(source_id=source.pk)
    assert record is not None
    source.refresh_from_db()
    return record


def feed_source(admin: Any, target: Any, feed: FeedServer, **kwargs: Any) -> Any:
    return make_source(admin, target, feed.url, kind=SourceKind.MISP_FEED, **kwargs)


def in_target(target: Any) -> dict[tuple[str, str], int]:
    rows = StixObject.objects.filter(collection=target).values_list("stix_id", "version", "pk")
    return {(stix_id, version): pk for stix_id, version, pk in rows}


def test_first_poll_imports_the_feed_then_only_what_changed(
    admin: Any, target: Any, exported: FeedServer
) -> None:
    listed = manifest(exported)
    assert len(listed) >= 2
    source = feed_source(admin, target, exported)

    first = poll(source)
    assert first.status == PollStatus.SUCCESS, first.error
    assert first.events_read == len(listed)
    assert sorted(first.details["events"]) == sorted(listed)
    assert first.stored > 0 and first.stored == first.objects_read - first.duplicates
    stored = in_target(target)
    assert len(stored) == first.stored
    # Provenance: every version stored is linked to the poll; the import's own audit event
    # names the feed.
    assert set(first.stored_objects.values_list("pk", flat=True)) == set(stored.values())
    assert first.ingest is None
    imported = AuditEvent.objects.filter(action="intel.misp_import").latest("id")
    assert imported.changes["source"] == exported.url and imported.actor_id == admin.pk
    assert source.misp_timestamps == {key: int(entry["timestamp"]) for key, entry in listed.items()}
    assert source.last_success_at is not None and source.last_error == ""
    owners = set(
        StixObject.objects.filter(collection=target).values_list("owner_organization_id", flat=True)
    )
    assert owners == {admin.organization_id}

    # Nothing changed: only the manifest is fetched, nothing imported.
    exported.requests.clear()
    second = poll(source)
    assert (second.status, second.events_read, second.stored) == (PollStatus.SUCCESS, 0, 0)
    assert exported.requests == ["/manifest.json"]
    assert second.stored_objects.count() == 0

    # One event changed (a new attribute, a newer timestamp): fetched again, only it.
    changed_uuid = sorted(listed)[0]
    document = json.loads((exported.folder / f"{changed_uuid}.json").read_text())
    event = document["Event"]
    later = int(listed[changed_uuid]["timestamp"]) + 3600
    event["timestamp"] = str(later)
    event.setdefault("Attribute", []).append(
        {
            "uuid": str(uuid.uuid4()),
            "type": "ip-dst",
            "category": "Network activity",
            "to_ids": True,
            "value": "192.0.2.99",
            "timestamp": str(later),
        }
    )
    write_event(exported, event)
    exported.requests.clear()
    third = poll(source)
    assert third.status == PollStatus.SUCCESS, third.error
    assert (third.events_read, third.details["events"]) == (1, [changed_uuid])
    assert exported.requests == ["/manifest.json", f"/{changed_uuid}.json"]
    assert third.stored >= 1 and third.duplicates >= 1
    after = in_target(target)
    assert len(after) == len(stored) + third.stored
    assert set(third.stored_objects.values_list("pk", flat=True)) == set(after.values()) - set(
        stored.values()
    )
    assert any(
        '"192.0.2.99"' in raw
        for raw in StixObject.objects.filter(pk__in=third.stored_objects.values("pk")).values_list(
            "raw", flat=True
        )
    )
    assert source.misp_timestamps[changed_uuid] == later


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "manifest.json: not valid JSON"),
        ("[1, 2]", "manifest.json must be a JSON object keyed by event uuid."),
        ('{"not-a-uuid": {"timestamp": 1}}', "entry 'not-a-uuid' is not an event uuid"),
        (
            '{"5b0f1d36-6c1e-4b8a-9d3f-2a7e4c1f0a11": {"info": "x"}}',
            "event 5b0f1d36-6c1e-4b8a-9d3f-2a7e4c1f0a11 has no valid timestamp",
        ),
    ],
)
def test_a_malformed_manifest_is_a_clear_error(
    admin: Any, target: Any, feed_server: FeedServer, text: str, message: str
) -> None:
    (feed_server.folder / "manifest.json").write_text(text)
    source = feed_source(admin, target, feed_server)
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert message in record.error, record.error
    assert source.last_error == record.error and source.last_success_at is None
    assert source.misp_timestamps == {}
    assert not StixObject.objects.filter(collection=target).exists()


def test_a_malformed_event_refuses_the_whole_poll(
    admin: Any, target: Any, feed_server: FeedServer
) -> None:
    (feed_server.folder / "manifest.json").write_text("{}")
    good = new_event("192.0.2.50", timestamp=1795170000)
    bad = new_event("192.0.2.51", timestamp=1795170001)
    del bad["info"]
    write_event(feed_server, good)
    write_event(feed_server, bad)
    source = feed_source(admin, target, feed_server)
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert f"event {bad['uuid']}" in record.error and "has no info" in record.error
    # Nothing half-imported: not even the good event; nothing remembered, so it comes again.
    assert not StixObject.objects.filter(collection=target).exists()
    assert source.misp_timestamps == {}

    bad["info"] = "Fixed by its producer"
    bad["timestamp"] = "1795170002"
    write_event(feed_server, bad)
    fixed = poll(source)
    assert fixed.status == PollStatus.SUCCESS, fixed.error
    assert sorted(fixed.details["events"]) == sorted([good["uuid"], bad["uuid"]])
    assert set(source.misp_timestamps) == {good["uuid"], bad["uuid"]}


def test_a_refused_conversion_imports_nothing(
    admin: Any, target: Any, feed_server: FeedServer
) -> None:
    """An owner who may not publish TLP:CLEAR: one white event makes the whole import fail."""
    Role.objects.get(slug="secretariat_admin").permissions.remove(
        Permission.objects.get(codename="publish_clear")
    )
    (feed_server.folder / "manifest.json").write_text("{}")
    write_event(feed_server, new_event("192.0.2.60", timestamp=1795170000))
    white = new_event("192.0.2.61", timestamp=1795170001, Tag=[{"name": "tlp:white"}])
    write_event(feed_server, white)
    source = feed_source(admin, target, feed_server)
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert record.error.startswith("Nothing was imported: ")
    assert "TLP:CLEAR content is public on the platform" in record.error
    assert not StixObject.objects.filter(collection=target).exists()
    assert source.misp_timestamps == {}


def test_a_missing_event_file_is_a_clear_error(
    admin: Any, target: Any, feed_server: FeedServer
) -> None:
    (feed_server.folder / "manifest.json").write_text("{}")
    event = new_event("192.0.2.70")
    write_event(feed_server, event)
    (feed_server.folder / f"{event['uuid']}.json").unlink()
    record = poll(feed_source(admin, target, feed_server))
    assert record.status == PollStatus.ERROR
    assert record.error == (
        f"Nothing at {feed_server.url}{event['uuid']}.json (HTTP 404): check the address, or "
        "the account may not read it."
    )


def test_a_feed_behind_an_api_key(admin: Any, target: Any, feed_server: FeedServer) -> None:
    (feed_server.folder / "manifest.json").write_text("{}")
    write_event(feed_server, new_event("192.0.2.80"))
    feed_server.key = "feed-key-123"
    source = feed_source(admin, target, feed_server, auth_scheme=AuthScheme.KEY, secret="wrong")
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert "refused the credentials (HTTP 401)" in record.error
    services.update_source(actor=admin, source=source, secret="feed-key-123")
    record = poll(source)
    assert (record.status, record.events_read) == (PollStatus.SUCCESS, 1)


def test_a_large_feed_is_read_over_several_polls(
    admin: Any, target: Any, feed_server: FeedServer, settings: Any
) -> None:
    settings.SOURCES_MAX_EVENTS_PER_POLL = 1
    (feed_server.folder / "manifest.json").write_text("{}")
    older, newer = new_event("192.0.2.90", 1795170000), new_event("192.0.2.91", 1795170100)
    write_event(feed_server, newer)
    write_event(feed_server, older)
    source = feed_source(admin, target, feed_server)
    first = poll(source)
    assert (first.details["events"], first.details["more"]) == ([older["uuid"]], True)
    assert source.next_poll_at == first.finished_at
    second = poll(source)
    assert second.details["events"] == [newer["uuid"]] and "more" not in second.details
    assert source.next_poll_at > second.finished_at
    # Events gone from the manifest are forgotten.
    (feed_server.folder / "manifest.json").write_text("{}")
    write_event(feed_server, older)
    poll(source)
    assert set(source.misp_timestamps) == {older["uuid"]}
