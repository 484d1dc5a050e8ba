"""Escalation with a controlled clock: nothing before the deadline; level 1 (alternates and 24/7
contacts) after it; level 2 (the Secretariat's duty officers and mailbox) a period later; each
step once, recorded and audited; nothing for what is acknowledged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import TestCase

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.messaging import services, tasks
from cicte.messaging.choices import EscalationLevel, Urgency
from cicte.messaging.models import EscalationStep, Message
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EXCHANGE_ESCALATE_AFTER_MINUTES = 30
    settings.EXCHANGE_DUTY_EMAIL = "duty@cicte.example.org"


def _escalate(at: dt.datetime) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.escalate.call_local(now=at)


def test_steps_with_a_controlled_clock():
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.IMMEDIATE, tlp=TLP.RED, subject="Bomb threat")
    sent = message.sent_at
    delivery = message.deliveries.get()
    mail.outbox.clear()

    assert _escalate(sent + 29 * MINUTE) == 0
    assert not EscalationStep.objects.exists()
    assert mail.outbox == []

    assert _escalate(sent + 31 * MINUTE) == 1
    delivery.refresh_from_db()
    assert delivery.escalation_level == EscalationLevel.ALTERNATES
    assert delivery.escalated_alternates_at == sent + 31 * MINUTE
    step = EscalationStep.objects.get(level=EscalationLevel.ALTERNATES)
    assert step.at == sent + 31 * MINUTE
    assert sorted(r["email"] for r in step.recipients) == sorted(
        ["desk@mx.example.org", w.mx_alt_user.contacts.get().emails.get().address]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r["email"] for r in step.recipients)
    assert all("Bomb threat" not in f"{m.subject}{m.body}" for m in mail.outbox)
    # Once: the next minute changes nothing.
    mail.outbox.clear()
    assert _escalate(sent + 32 * MINUTE) == 0
    assert _escalate(sent + 60 * MINUTE) == 0  # 29 minutes after level 1
    assert mail.outbox == []

    assert _escalate(sent + 62 * MINUTE) == 1
    delivery.refresh_from_db()
    assert delivery.escalation_level == EscalationLevel.DUTY_OFFICER
    step2 = EscalationStep.objects.get(level=EscalationLevel.DUTY_OFFICER)
    assert [r["email"] for r in step2.recipients] == [w.duty.email, "duty@cicte.example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.duty.email, "duty@cicte.example.org"])
    # The duty officer was named on the RED message, and so may now read it.
    assert Message.objects.readable_by(w.duty).filter(pk=message.pk).exists()
    assert _escalate(sent + 500 * MINUTE) == 0
    assert EscalationStep.objects.count() == 2
    events = AuditEvent.objects.filter(action="messaging.message.escalate")
    assert events.count() == 2
    assert {e.actor_label for e in events} == {"escalation"}


def test_acknowledged_in_time_goes_no_further():
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    services.acknowledge(actor=w.mx_user, message=message)
    assert _escalate(message.sent_at + 31 * MINUTE) == 0
    assert _escalate(message.sent_at + 300 * MINUTE) == 0
    assert not EscalationStep.objects.exists()


def test_acknowledged_after_level_one_stops_there():
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    assert _escalate(message.sent_at + 31 * MINUTE) == 1
    services.acknowledge(actor=w.mx_alt_user, message=message)  # an alternate acknowledges
    assert _escalate(message.sent_at + 90 * MINUTE) == 0
    assert list(EscalationStep.objects.values_list("level", flat=True)) == [1]


def test_only_immediate_messages_escalate():
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.PRIORITY)
    assert _escalate(message.sent_at + 300 * MINUTE) == 0


def test_the_duty_officer_reached_sees_every_state_s_status(login):
    """Reached by level 2, the duty officer reads the message and, to act on it, sees which
    states acknowledged: the delivery table on the page and every delivery in the API."""
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.IMMEDIATE, tlp=TLP.AMBER, subject="Border threat")
    af.add_totp(w.duty)  # the duty officer's role requires two factors
    client = login(w.duty)
    assert client.get(f"/exchange/{message.pk}/").status_code == 404  # not reached yet
    _escalate(message.sent_at + 31 * MINUTE)
    _escalate(message.sent_at + 62 * MINUTE)
    page = client.get(f"/exchange/{message.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Delivery by member state" in body and "Secretariat duty officer" in body
    state = message.deliveries.get().member_state
    assert f'<th scope="row">{state.localized_name}</th>' in body
    api = client.get(f"/api/exchange/messages/{message.pk}/deliveries/")
    assert api.status_code == 200
    assert [row["member_state"] for row in api.json()] == [state.code]
    # Someone of another network reads nothing of it.
    client.logout()
    client = login(w.other_network)
    assert client.get(f"/exchange/{message.pk}/").status_code == 404
    assert client.get(f"/api/exchange/messages/{message.pk}/deliveries/").status_code == 404
