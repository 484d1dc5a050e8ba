"""The nightly check of the audit trail and the alert to the Secretariat administrators."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from cicte.accounts.tests import factories
from cicte.core import audit, tasks
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, object]:
    admin = factories.secretariat_admin(username="admin1", email="admin1@example.org")
    factories.secretariat_admin(username="admin2", email="admin2@example.org")
    factories.secretariat_admin(username="retired", email="retired@example.org", is_active=False)
    factories.national_coordinator("AR", username="coord", email="coord@example.org")
    factories.UserFactory(username="member", email="member@example.org")
    return {"admin": admin}


def test_the_task_runs_every_night_at_3_17():
    from datetime import datetime

    validate = tasks.verify_audit_trail.task_class().validate_datetime
    assert validate(datetime(2025, 5, 4, 3, 17))
    assert not validate(datetime(2025, 5, 4, 3, 18))
    assert not validate(datetime(2025, 5, 4, 4, 17))


def test_an_intact_chain_sends_nothing(people):
    actor = people["admin"]
    for i in range(3):
        audit.record(actor=actor, action=f"test.{i}", obj=actor)
    assert tasks.verify_audit_trail.call_local() is True
    assert mail.outbox == []


def test_a_broken_chain_alerts_the_active_secretariat_administrators(people):
    actor = people["admin"]
    events = [audit.record(actor=actor, action=f"test.{i}", obj=actor) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
            ["test.rewritten", events[1].pk],
        )
    assert tasks.verify_audit_trail.call_local() is False
    assert sorted(m.to[0] for m in mail.outbox) == ["admin1@example.org", "admin2@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "CICTE Platform: the audit trail failed its integrity check"
    assert f"First broken event: {events[1].pk}\n" in message.body
    assert "Reason: its content does not match its hash\n" in message.body
    assert "Events intact before it: 1\n" in message.body
    assert f"/audit/{events[1].pk}/" in message.body


def test_secretariat_administrators_are_active_role_holders_with_an_address(people):
    assert tasks.secretariat_administrators() == [
        ("admin1@example.org", "en"),
        ("admin2@example.org", "en"),
    ]
