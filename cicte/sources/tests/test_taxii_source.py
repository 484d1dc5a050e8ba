"""A remote TAXII 2.1 collection polled into another collection: the platform's own TAXII server
on loopback (pytest-django's live_server), driven by taxii2-client, with a real multi-type bundle
(the OASIS Poison Ivy report) and a cyber-observable."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from cicte.accounts.models import RoleAssignment
from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.sources import services
from cicte.sources.choices import AuthScheme, PollStatus
from cicte.sources.models import RemoteSource, SourcePoll
from cicte.sources.tests.conftest import make_source, signed_in

pytestmark = [
    # live_server needs committed data; serialized_rollback restores the reference data (member
    # states, roles, networks) that migrations load, for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OBSERVABLE = {
    "type": "ipv4-addr",
    "spec_version": "2.1",
    "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
    "value": "198.51.100.3",
}


@pytest.fixture
def world(admin: Any, target: Any) -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    co = f.analyst(colombia)
    remote = f.collection(default_tlp=TLP.GREEN, title="Shared indicators")
    bundle = [*f.bundle(), OBSERVABLE]
    ingest = f.post(co, remote, bundle)
    assert ingest.failure_count == 0, ingest.failures
    return {
        "admin": admin,
        "co": co,
        "mx": f.analyst(mexico),
        "remote": remote,
        "target": target,
        "bundle": bundle,
    }


def url_of(live_server: Any, collection: Any) -> str:
    return f"{live_server.url}/taxii2/csirtamericas/collections/{collection.pk}/"


def in_target(world: dict[str, Any]) -> list[StixObject]:
    return list(StixObject.objects.filter(collection=world["target"]).order_by("date_added"))


def poll(source: RemoteSource) -> SourcePoll:
    record = services.poll(source_id=source.pk)
    assert record is not None
    source.refresh_from_db()
    return record


def test_polls_store_new_versions_once_and_follow_added_after(
    live_server: Any, world: dict[str, Any]
) -> None:
    admin, co, bundle = world["admin"], world["co"], world["bundle"]
    source = make_source(
        admin,
        world["target"],
        url_of(live_server, world["remote"]),
        auth_scheme=AuthScheme.BASIC,
        username=co.username,
        secret=af.PASSWORD,
    )

    first = poll(source)
    assert first.status == PollStatus.SUCCESS, first.error
    assert (first.objects_read, first.stored, first.duplicates, first.refused) == (
        len(bundle),
        len(bundle),
        0,
        0,
    )
    stored = in_target(world)
    assert sorted(o.stix_id for o in stored) == sorted(o["id"] for o in bundle)
    # Stored as the source's owner: their organisation owns the objects, the usual TLP applies.
    assert {(o.owner_organization_id, o.created_by_id) for o in stored} == {
        (admin.organization_id, admin.pk)
    }
    # Objects without a TLP marking take the target collection's default, as any post does.
    assert {o.tlp for o in stored} == {world["target"].default_tlp}
    # Provenance: the ingest, and the versions linked to the poll.
    assert first.ingest is not None and first.ingest.requested_by_id == admin.pk
    assert {o.ingest_id for o in stored} == {first.ingest.pk}
    assert set(first.stored_objects.values_list("pk", flat=True)) == {o.pk for o in stored}
    remote_last = (
        StixObject.objects.filter(collection=world["remote"])
        .order_by("-date_added")
        .values_list("date_added", flat=True)
        .first()
    )
    assert source.taxii_added_after == remote_last.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert first.details["added_after"] == "" and first.details["pages"] == 1
    assert source.last_success_at is not None and source.last_error == ""
    assert source.next_poll_at > first.started_at
    event = AuditEvent.objects.filter(action="sources.poll").latest("id")
    assert event.actor_id == admin.pk and event.object_id == str(source.pk)
    assert event.changes["stored"] == len(bundle) and event.changes["status"] == "success"

    # The next poll asks only for what was added after the cursor: nothing.
    second = poll(source)
    assert second.status == PollStatus.SUCCESS
    assert second.details["added_after"] == first.details["date_added_last"]
    assert (second.objects_read, second.stored, second.ingest) == (0, 0, None)

    # A new object and a new version of an old one are read, and only they.
    indicator = next(o for o in bundle if o["type"] == "indicator")
    newer = {**indicator, "modified": "2030-01-01T00:00:00.000Z"}
    fresh = f.indicator("203.0.113.9")
    assert f.post(co, world["remote"], [newer, fresh]).failure_count == 0
    third = poll(source)
    assert (third.objects_read, third.stored, third.duplicates) == (2, 2, 0)
    versions = StixObject.objects.filter(collection=world["target"], stix_id=indicator["id"])
    assert sorted(versions.values_list("version", flat=True)) == sorted(
        [indicator["modified"], newer["modified"]]
    )

    # Read from the start again: every version is already stored, nothing is stored twice
    # (the observable, without a version of its own, included).
    services.update_source(actor=admin, source=source, reset_cursor=True)
    source.refresh_from_db()
    assert source.taxii_added_after == ""
    again = poll(source)
    assert again.status == PollStatus.SUCCESS
    assert (again.objects_read, again.stored, again.duplicates) == (
        len(bundle) + 2,
        0,
        2 + len(bundle),
    )
    assert len(in_target(world)) == len(bundle) + 2
    assert (
        StixObject.objects.filter(collection=world["target"], stix_id=OBSERVABLE["id"]).count() == 1
    )


def test_a_wrong_password_is_an_error_and_the_last_success_stays(
    live_server: Any, world: dict[str, Any]
) -> None:
    admin, co = world["admin"], world["co"]
    source = make_source(
        admin,
        world["target"],
        url_of(live_server, world["remote"]),
        auth_scheme=AuthScheme.BASIC,
        username=co.username,
        secret=af.PASSWORD,
    )
    assert poll(source).status == PollStatus.SUCCESS
    succeeded = source.last_success_at
    count = len(in_target(world))

    services.update_source(actor=admin, source=source, secret="not-the-password")
    failed = poll(source)
    assert failed.status == PollStatus.ERROR
    assert "refused the credentials (HTTP 401)" in failed.error
    assert source.last_error == failed.error
    assert source.last_success_at == succeeded
    assert source.last_polled_at == failed.started_at
    assert len(in_target(world)) == count
    audit = AuditEvent.objects.filter(action="sources.poll").latest("id")
    assert audit.changes["status"] == "error" and "HTTP 401" in audit.changes["error"]

    # The error is shown, prominently, on the sources page and the source's page.
    client = signed_in(admin)
    listing = client.get("/intel/sources/").content.decode()
    assert "refused the credentials (HTTP 401)" in listing and "message--error" in listing
    page = client.get(f"/intel/sources/{source.pk}/").content.decode()
    assert "refused the credentials (HTTP 401)" in page
    # The secret itself never appears.
    assert "not-the-password" not in listing + page


def test_a_token_reads_and_an_unknown_collection_is_a_clear_404(
    live_server: Any, world: dict[str, Any]
) -> None:
    admin = world["admin"]
    _token, secret = af.api_token(world["mx"], "intel:read")
    source = make_source(
        admin,
        world["target"],
        url_of(live_server, world["remote"]),
        auth_scheme=AuthScheme.TOKEN,
        secret=secret,
    )
    record = poll(source)
    assert (record.status, record.stored) == (PollStatus.SUCCESS, len(world["bundle"]))

    missing = make_source(
        admin,
        world["target"],
        f"{live_server.url}/taxii2/csirtamericas/collections/4c2f9d1e-7a35-4c55-9a5e-0d2f8b1a6e11/",
        auth_scheme=AuthScheme.TOKEN,
        secret=secret,
    )
    record = poll(missing)
    assert record.status == PollStatus.ERROR
    assert "(HTTP 404)" in record.error and "check the address" in record.error
    assert missing.last_success_at is None


def test_an_owner_who_may_no_longer_write_gets_a_clear_error(
    live_server: Any, world: dict[str, Any]
) -> None:
    admin, co = world["admin"], world["co"]
    source = make_source(
        admin,
        world["target"],
        url_of(live_server, world["remote"]),
        auth_scheme=AuthScheme.BASIC,
        username=co.username,
        secret=af.PASSWORD,
    )
    RoleAssignment.objects.filter(user=admin, role__slug="member").delete()
    record = poll(source)
    assert record.status == PollStatus.ERROR
    assert record.error.startswith(f"{admin.username}, as whom this source stores, may no longer")
    assert "Mirror" in record.error
    assert in_target(world) == []
    # Nothing was asked of the remote server either: the cursor has not moved.
    assert source.taxii_added_after == ""


def test_the_secret_is_encrypted_at_rest(live_server: Any, world: dict[str, Any]) -> None:
    source = make_source(
        world["admin"],
        world["target"],
        url_of(live_server, world["remote"]),
        auth_scheme=AuthScheme.BASIC,
        username=world["co"].username,
        secret=af.PASSWORD,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM sources_remotesource WHERE id = %s", [source.pk])
        (raw,) = cursor.fetchone()
    assert raw and af.PASSWORD not in raw
    assert RemoteSource.objects.get(pk=source.pk).secret == af.PASSWORD
