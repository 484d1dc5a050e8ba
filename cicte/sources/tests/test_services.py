"""The sources services: who may manage sources, what a source may be, the write-only secret
encrypted at rest, the schedule (only due sources, never twice), a poll at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cicte.core.models import AuditEvent
from cicte.intel.tests import factories as f
from cicte.sources import services, tasks
from cicte.sources.choices import AuthScheme, PollStatus, PollTrigger, SourceKind
from cicte.sources.models import RemoteSource, SourcePoll
from cicte.sources.tests.conftest import ScriptedTaxii, make_source

pytestmark = pytest.mark.django_db

TAXII_URL = "https://taxii.example.org/api/collections/4c2f9d1e-7a35-4c55-9a5e-0d2f8b1a6e11/"


def raw_secret(source: RemoteSource) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM sources_remotesource WHERE id = %s", [source.pk])
        (value,) = cursor.fetchone()
    return str(value)


def test_the_secret_is_encrypted_at_rest_and_write_only(admin: Any, target: Any) -> None:
    source = make_source(
        admin, target, TAXII_URL, auth_scheme=AuthScheme.BASIC, username="cert", secret="s3cr3t-pw"
    )
    stored = raw_secret(source)
    assert stored and "s3cr3t-pw" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert RemoteSource.objects.get(pk=source.pk).secret == "s3cr3t-pw"
    create = AuditEvent.objects.get(action="sources.source_create")
    assert create.changes["secret"] == "set" and "s3cr3t-pw" not in str(create.changes)

    # Blank keeps it; a new one replaces it; no authentication clears it.
    services.update_source(actor=admin, source=source, secret="", interval_minutes=30)
    assert RemoteSource.objects.get(pk=source.pk).secret == "s3cr3t-pw"
    services.update_source(actor=admin, source=source, secret="n3w-pw")
    source.refresh_from_db()
    assert source.secret == "n3w-pw" and raw_secret(source) != stored
    update = AuditEvent.objects.filter(action="sources.source_update").latest("id")
    assert update.changes == {"secret": "changed"}
    services.update_source(actor=admin, source=source, auth_scheme=AuthScheme.NONE)
    source.refresh_from_db()
    assert (source.secret, source.username, raw_secret(source)) == ("", "", "")


def test_only_the_secretariat_manages_sources(admin: Any, target: Any) -> None:
    analyst = f.analyst(f.csirt("CO"))
    with pytest.raises(PermissionDenied):
        make_source(analyst, target, TAXII_URL)
    source = make_source(admin, target, TAXII_URL)
    for call in (
        lambda: services.update_source(actor=analyst, source=source, interval_minutes=10),
        lambda: services.delete_source(actor=analyst, source=source),
        lambda: services.request_poll(actor=analyst, source=source),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_the_owner_must_be_able_to_write_the_target(admin: Any) -> None:
    closed = f.collection(title="Coordinators only", write_roles=["national_coordinator"])
    with pytest.raises(ValidationError) as refused:
        make_source(admin, closed, TAXII_URL)
    assert list(refused.value.error_dict) == ["collection"]
    assert "may not add objects to this collection" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("kind", "url", "allow", "message"),
    [
        (SourceKind.TAXII, "ftp://example.org/x/", {}, "Give an https:// address."),
        (
            SourceKind.MISP_FEED,
            "http://feeds.example.org/misp/",
            {"SOURCES_ALLOW_HTTP": False},
            "https only",
        ),
        (
            SourceKind.TAXII,
            "https://taxii.example.org/api/",
            {},
            "ending in /collections/<collection id>/",
        ),
        (
            SourceKind.MISP_FEED,
            "https://127.0.0.1/feed/",
            {"SOURCES_ALLOW_PRIVATE_TARGETS": False},
            "resolves to a private or local address",
        ),
        (
            SourceKind.MISP_FEED,
            "https://user:pw@feeds.example.org/misp/",
            {},
            "in their own fields",
        ),
    ],
)
def test_addresses_are_checked(
    admin: Any, target: Any, settings: Any, kind: str, url: str, allow: dict, message: str
) -> None:
    for name, value in allow.items():
        setattr(settings, name, value)
    with pytest.raises(ValidationError) as refused:
        make_source(admin, target, url, kind=kind)
    assert message in refused.value.message_dict["url"][0]


def test_authentication_needs_its_credentials(admin: Any, target: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        make_source(admin, target, TAXII_URL, auth_scheme=AuthScheme.BASIC)
    assert set(refused.value.message_dict) == {"username", "secret"}
    with pytest.raises(ValidationError) as refused:
        make_source(admin, target, TAXII_URL, auth_scheme=AuthScheme.BEARER)
    assert set(refused.value.message_dict) == {"secret"}


def test_names_are_unique_and_intervals_bounded(admin: Any, target: Any) -> None:
    source = make_source(admin, target, TAXII_URL, name="CERT feed")
    with pytest.raises(ValidationError) as refused:
        make_source(admin, target, TAXII_URL, name="CERT feed", interval_minutes=1)
    assert refused.value.message_dict == {
        "name": ["Another source has this name: choose another one."],
        "interval_minutes": ["Choose an interval between 5 and 10080 minutes."],
    }
    # Its own name is not another's.
    services.update_source(actor=admin, source=source, name="CERT feed", interval_minutes=5)


def test_a_feed_address_is_its_folder(admin: Any, target: Any) -> None:
    source = make_source(
        admin, target, "https://feeds.example.org/misp/manifest.json", kind=SourceKind.MISP_FEED
    )
    assert source.url == "https://feeds.example.org/misp/"


def test_a_new_address_reads_everything_again(admin: Any, target: Any) -> None:
    source = make_source(admin, target, TAXII_URL)
    RemoteSource.objects.filter(pk=source.pk).update(taxii_added_after="2026-11-21T08:30:00.000Z")
    source.refresh_from_db()
    services.update_source(actor=admin, source=source, name="Renamed")
    source.refresh_from_db()
    assert source.taxii_added_after == "2026-11-21T08:30:00.000Z"
    services.update_source(actor=admin, source=source, url=TAXII_URL.replace("4c2f", "5d3a"))
    source.refresh_from_db()
    assert source.taxii_added_after == ""
    update = AuditEvent.objects.filter(action="sources.source_update").latest("id")
    assert update.changes["cursor"] == "reset"


def test_a_source_whose_owner_lost_the_right_can_still_be_disabled(admin: Any, target: Any) -> None:
    source = make_source(admin, target, TAXII_URL)
    target.write_roles.clear()
    services.update_source(actor=admin, source=source, is_enabled=False)
    assert not RemoteSource.objects.get(pk=source.pk).is_enabled
    other = f.collection(title="Other", write_roles=["national_coordinator"])
    with pytest.raises(ValidationError):
        services.update_source(actor=admin, source=source, collection=other)


def test_the_schedule_claims_only_due_sources_once(
    admin: Any, target: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    due = make_source(admin, target, TAXII_URL, name="Due")
    later = make_source(admin, target, TAXII_URL, name="Later", interval_minutes=30)
    off = make_source(admin, target, TAXII_URL, name="Disabled", is_enabled=False)
    never = make_source(admin, target, TAXII_URL, name="Never scheduled")
    RemoteSource.objects.filter(pk=due.pk).update(next_poll_at=now - dt.timedelta(minutes=1))
    RemoteSource.objects.filter(pk=later.pk).update(next_poll_at=now + dt.timedelta(minutes=5))
    RemoteSource.objects.filter(pk=off.pk).update(next_poll_at=now - dt.timedelta(hours=1))
    RemoteSource.objects.filter(pk=never.pk).update(next_poll_at=None)
    enqueued: list[int] = []
    monkeypatch.setattr(
        tasks, "poll_source", lambda source_id, **kwargs: enqueued.append(source_id)
    )

    with django_capture_on_commit_callbacks(execute=True):
        claimed = tasks.schedule_polls.call_local()
    assert sorted(claimed) == sorted([due.pk, never.pk])
    assert sorted(enqueued) == sorted([due.pk, never.pk])
    due.refresh_from_db()
    assert due.next_poll_at > now + dt.timedelta(minutes=59)
    # A second tick finds nothing due: nothing is enqueued twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_polls.call_local() == []
    assert len(enqueued) == 2


def test_poll_now_enqueues_a_poll_and_is_audited(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii, django_capture_on_commit_callbacks: Any
) -> None:
    scripted_taxii.envelope = {"objects": [f.indicator("192.0.2.40")]}
    source = make_source(admin, target, scripted_taxii.url, is_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_poll(actor=admin, source=source)
    record = SourcePoll.objects.get(source=source)
    assert (record.trigger, record.requested_by_id, record.stored) == (
        PollTrigger.MANUAL,
        admin.pk,
        1,
    )
    assert AuditEvent.objects.filter(action="sources.poll_request", actor=admin).exists()
    assert AuditEvent.objects.filter(action="sources.poll").count() == 1


def test_polls_of_one_source_never_overlap(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii
) -> None:
    source = make_source(admin, target, scripted_taxii.url)
    RemoteSource.objects.filter(pk=source.pk).update(polling_since=timezone.now())
    assert services.poll(source_id=source.pk) is None
    assert scripted_taxii.requests == []
    # A lease older than POLL_LEASE is a worker that died: the next poll takes over.
    stale = timezone.now() - services.POLL_LEASE - dt.timedelta(seconds=1)
    RemoteSource.objects.filter(pk=source.pk).update(polling_since=stale)
    record = services.poll(source_id=source.pk)
    assert record is not None and record.status == PollStatus.SUCCESS
    assert RemoteSource.objects.get(pk=source.pk).polling_since is None


def test_a_scheduled_poll_of_a_source_disabled_meanwhile_does_nothing(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii
) -> None:
    source = make_source(admin, target, scripted_taxii.url, is_enabled=False)
    assert services.poll(source_id=source.pk) is None
    assert services.poll(source_id=source.pk, trigger=PollTrigger.MANUAL) is not None


def test_polls_outlive_their_source(admin: Any, target: Any, scripted_taxii: ScriptedTaxii) -> None:
    scripted_taxii.envelope = {"objects": [f.indicator("192.0.2.41")]}
    source = make_source(admin, target, scripted_taxii.url, name="Short-lived")
    record = services.poll(source_id=source.pk)
    assert record is not None
    services.delete_source(actor=admin, source=source)
    record.refresh_from_db()
    assert record.source is None
    assert (record.source_name, record.source_url) == ("Short-lived", scripted_taxii.url)
    assert record.stored_objects.count() == 1
    assert AuditEvent.objects.filter(action="sources.source_delete").exists()


def test_the_command_polls_named_or_due_sources(
    admin: Any, target: Any, scripted_taxii: ScriptedTaxii, capsys: Any
) -> None:
    scripted_taxii.envelope = {"objects": [f.indicator("192.0.2.42")]}
    source = make_source(admin, target, scripted_taxii.url, name="Scripted")
    call_command("poll_sources", "Scripted")
    assert "Scripted: success, 1 read, 1 stored" in capsys.readouterr().out
    assert SourcePoll.objects.get(source=source).trigger == PollTrigger.COMMAND
    call_command("poll_sources", "--due")  # polled just now: not due
    assert SourcePoll.objects.filter(source=source).count() == 1
    with pytest.raises(CommandError, match="No remote source"):
        call_command("poll_sources", "Nope")
    scripted_taxii.status = 500
    with pytest.raises(CommandError, match="1 poll"):
        call_command("poll_sources", str(source.pk))
