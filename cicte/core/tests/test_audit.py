"""The audit trail: the hash chain, `verify_audit`, tamper detection, the append-only lock, and
what the trail keeps of TLP-labelled records."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from cicte.accounts.tests import factories
from cicte.core import audit
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from tests.shareables.models import SharedRecord

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def _events(count: int = 5) -> list[AuditEvent]:
    actor = factories.UserFactory()
    return [
        audit.record(actor=actor, action=f"test.event{i}", obj=actor, changes={"n": [i, i + 1]})
        for i in range(count)
    ]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _execute(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the chain


def test_each_event_carries_the_hash_of_the_one_before():
    assert AuditEvent.objects.count() == 0
    events = _events(5)
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in stored] == [e.pk for e in events]
    assert stored[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    for event in stored:
        assert event.hash == event.compute_hash()
        assert len(event.hash) == 64
    assert len({e.hash for e in stored}) == 5


def test_the_hash_covers_the_content():
    event = _events(1)[0]
    original = event.hash
    event.action = "test.other"
    assert event.compute_hash() != original
    event.action = "test.event0"
    event.changes = {"n": [0, 2]}
    assert event.compute_hash() != original


def test_verify_audit_passes_on_a_clean_chain():
    events = _events(5)
    assert _verify() == (
        f"Newest event {events[-1].pk}, hash {events[-1].hash}\n5 events checked: OK\n"
    )


def test_verify_audit_passes_on_an_empty_trail():
    assert _verify() == "0 events checked: OK\n"


def test_verify_audit_walks_in_batches():
    events = _events(7)
    out = StringIO()
    call_command("verify_audit", "--batch-size", "2", stdout=out)
    assert out.getvalue().endswith("7 events checked: OK\n")
    assert str(events[-1].hash) in out.getvalue()


def test_verify_audit_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("verify_audit", "--batch-size", "0", stdout=StringIO())


# --- tampering (the test settings unlock the table so that a test can tamper with it)


def test_a_changed_event_is_reported_by_id():
    events = _events(5)
    target = events[2]
    _execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["test.innocent", target.pk])
    # The raw UPDATE went through: the test checks detection, not the lock.
    assert AuditEvent.objects.get(pk=target.pk).action == "test.innocent"
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert str(excinfo.value) == (
        f"Audit trail broken at event {target.pk}: its content does not match its hash. "
        "2 events before it intact."
    )


def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link():
    events = _events(5)
    target = events[1]
    forged = AuditEvent.objects.get(pk=target.pk)
    forged.object_repr = "someone else"
    new_hash = forged.compute_hash()
    _execute(
        f"UPDATE {TABLE} SET object_repr = %s, hash = %s WHERE id = %s",
        ["someone else", new_hash, target.pk],
    )
    assert AuditEvent.objects.get(pk=target.pk).hash == new_hash
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert str(excinfo.value) == (
        f"Audit trail broken at event {events[2].pk}: its prev_hash does not match the hash of "
        "the event before it. 2 events before it intact."
    )


def test_a_changed_changes_field_is_detected():
    events = _events(3)
    _execute(f"UPDATE {TABLE} SET changes = %s WHERE id = %s", ['{"n": [9, 9]}', events[0].pk])
    with pytest.raises(CommandError, match=rf"broken at event {events[0].pk}: its content"):
        _verify()


def test_a_deleted_middle_event_is_detected():
    events = _events(5)
    _execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])
    assert not AuditEvent.objects.filter(pk=events[2].pk).exists()
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert str(excinfo.value) == (
        f"Audit trail broken at event {events[3].pk}: its prev_hash does not match the hash of "
        "the event before it. 2 events before it intact."
    )


def test_a_deleted_first_event_is_detected():
    events = _events(3)
    _execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError, match=rf"broken at event {events[1].pk}: its prev_hash"):
        _verify()


def test_verify_chain_returns_the_break():
    events = _events(4)
    _execute(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["mallory", events[3].pk])
    checked, broken = audit.verify_chain(batch_size=3)
    assert checked == 3
    assert broken == audit.ChainBreak(events[3].pk, "its content does not match its hash")


# --- the lock: the database itself refuses UPDATE and DELETE


def _assert_refused(sql: str, params: list[object]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _execute(sql, params)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
def test_sqlite_refuses_update_and_delete_when_locked():
    event = _events(1)[0]
    with override_settings(AUDIT_TRAIL_UNLOCKED=False):
        _assert_refused(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["x", event.pk])
        _assert_refused(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
        _assert_refused(f"DELETE FROM {TABLE}", [])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "test.event0"
    assert stored.hash == event.hash
    assert _verify().endswith("1 event checked: OK\n")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
def test_postgresql_refuses_update_delete_and_truncate_when_locked():
    event = _events(1)[0]
    with transaction.atomic():
        _execute("SET LOCAL cicte.audit_unlock = 'off'", [])
        _assert_refused(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["x", event.pk])
        _assert_refused(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
        # Django's foreign keys are deferred: fire their pending checks, or PostgreSQL refuses
        # TRUNCATE for that reason before the trigger is asked.
        _execute("SET CONSTRAINTS ALL IMMEDIATE", [])
        _assert_refused(f"TRUNCATE {TABLE}", [])
        # Undo the SET LOCAL with the savepoint, for the rest of the test.
        transaction.set_rollback(True)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "test.event0"
    assert stored.hash == event.hash


def test_the_model_refuses_to_change_or_delete_events():
    event = _events(1)[0]
    event.action = "x"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event0"


# --- what the trail keeps


def test_tlp_labelled_records_keep_only_the_names_of_changed_fields():
    author = factories.UserFactory()
    record = SharedRecord.objects.create(
        title="b", tlp=TLP.AMBER, owner_organization=author.organization, created_by=author
    )
    event = audit.record(
        actor=author, action="shareables.record.update", obj=record, changes={"title": ["a", "b"]}
    )
    assert event.changes == {"fields": ["title"]}
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"fields": ["title"]}
    assert stored.object_type == "shareables.sharedrecord"
    assert stored.object_id == str(record.pk)
    assert stored.subject_member_state_id == author.organization.member_state_id


def test_diff_of_a_tlp_labelled_record_names_fields_only():
    author = factories.UserFactory()
    record = SharedRecord.objects.create(
        title="secret one", tlp=TLP.RED, owner_organization=author.organization, created_by=author
    )
    before = audit.snapshot(record, ["title", "tlp"])
    record.title = "secret two"
    record.tlp = TLP.AMBER
    assert audit.diff(record, before, ["title", "tlp"]) == {"fields": ["title", "tlp"]}


def test_other_records_keep_old_and_new_values():
    actor = factories.UserFactory()
    organization = factories.OrganizationFactory(name="Old name")
    event = audit.record(
        actor=actor,
        action="accounts.organization.update",
        obj=organization,
        changes={"name": ["Old name", "New name"]},
    )
    assert AuditEvent.objects.get(pk=event.pk).changes == {"name": ["Old name", "New name"]}


def test_an_event_names_actor_organisation_states_and_address():
    actor = factories.UserFactory(
        organization=factories.OrganizationFactory(member_state=factories.state("BR"))
    )
    subject = factories.OrganizationFactory(member_state=factories.state("CL"))
    with audit.request_context("203.0.113.7"):
        event = audit.record(actor=actor, action="accounts.organization.update", obj=subject)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label, stored.organization_id) == (
        actor.pk,
        actor.username,
        actor.organization_id,
    )
    assert stored.member_state.code == "BR"
    assert stored.subject_member_state.code == "CL"
    assert stored.ip_address == "203.0.113.7"
    assert stored.object_repr == str(subject)


def test_tlp_labelled_titles_do_not_reach_the_trail():
    from cicte.accounts.tests import factories

    author = factories.UserFactory()
    record = SharedRecord.objects.create(
        title="Operation Nightjar",
        tlp="red",
        owner_organization=author.organization,
        created_by=author,
    )
    event = audit.record(
        actor=author,
        action="test.create",
        obj=record,
        changes={"title": [None, "Operation Nightjar"]},
    )
    assert "Nightjar" not in event.object_repr
    assert event.object_repr.endswith(f"#{record.pk}")
    assert event.changes == {"fields": ["title"]}
