"""Each network's escalation delay (its directory policy's ``exchange_escalate_after_minutes``),
with the controlled clock of test_escalation: a network with 15 minutes escalates at 15 and 30
while another, with the platform default, escalates at the default; the reasons state the
minutes used; a change applies to the steps not yet taken; the thread page and the compose
form tell when; the due deliveries are found in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories as af
from cicte.directory import services as directory_services
from cicte.directory.tests import factories as df
from cicte.messaging import escalation, services, tasks
from cicte.messaging.choices import EscalationLevel, Urgency
from cicte.messaging.models import Delivery, EscalationStep, Message
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)
AVSEC = "aviation-security"  # no delay of its own: the platform default


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EXCHANGE_ESCALATE_AFTER_MINUTES = 45
    settings.EXCHANGE_DUTY_EMAIL = ""


def _escalate(at: dt.datetime) -> list[tuple[str, int]]:
    """Run the worker's job at ``at``; the steps it took, as (reference, level)."""
    before = set(EscalationStep.objects.values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.escalate.call_local(now=at)
    return sorted(
        EscalationStep.objects.exclude(pk__in=before).values_list(
            "delivery__message__reference", "level"
        )
    )


def _set_delay(w: helpers.World, minutes: int | None, network=None) -> None:
    directory_services.update_policy(
        actor=w.admin,
        network=network or w.network,
        exchange_escalate_after_minutes=minutes,
    )


def _avsec_message(w: helpers.World) -> Message:
    """An immediate message from Colombia to Mexico in the aviation security network."""
    network = af.network(AVSEC)
    for user in (w.co_user, w.mx_user):
        df.designation(user.contacts.get(), AVSEC, "focal_point", actor=w.admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.send_message(
            actor=w.co_user,
            network=network,
            kind="alert",
            subject="Unattended bag at the terminal",
            body="Gate 12.",
            urgency=Urgency.IMMEDIATE,
            tlp="amber",
            states=[w.mx],
            files=[],
        )


def test_each_network_escalates_after_its_own_delay():
    w = helpers.world()
    _set_delay(w, 15)
    fast = helpers.send(w, urgency=Urgency.IMMEDIATE)
    slow = _avsec_message(w)
    # The same sending time for both, so that one clock drives them.
    Message.objects.filter(pk=slow.pk).update(sent_at=fast.sent_at)
    sent = fast.sent_at

    assert _escalate(sent + 14 * MINUTE) == []
    assert _escalate(sent + 15 * MINUTE) == [(fast.reference, EscalationLevel.ALTERNATES)]
    assert _escalate(sent + 29 * MINUTE) == []
    assert _escalate(sent + 30 * MINUTE) == [(fast.reference, EscalationLevel.DUTY_OFFICER)]
    # The other network keeps the platform default: 45 minutes, then 45 more.
    assert _escalate(sent + 44 * MINUTE) == []
    assert _escalate(sent + 45 * MINUTE) == [(slow.reference, EscalationLevel.ALTERNATES)]
    assert _escalate(sent + 89 * MINUTE) == []
    assert _escalate(sent + 90 * MINUTE) == [(slow.reference, EscalationLevel.DUTY_OFFICER)]
    assert _escalate(sent + 1000 * MINUTE) == []

    reasons = {
        (step.delivery.message.reference, step.level): step.reason
        for step in EscalationStep.objects.select_related("delivery__message")
    }
    assert reasons == {
        (fast.reference, EscalationLevel.ALTERNATES): (
            "not acknowledged 15 minutes after it was sent"
        ),
        (fast.reference, EscalationLevel.DUTY_OFFICER): (
            "still not acknowledged 15 minutes after the alternates and 24/7 contacts"
        ),
        (slow.reference, EscalationLevel.ALTERNATES): (
            "not acknowledged 45 minutes after it was sent"
        ),
        (slow.reference, EscalationLevel.DUTY_OFFICER): (
            "still not acknowledged 45 minutes after the alternates and 24/7 contacts"
        ),
    }


def test_the_level_one_email_states_the_network_delay():
    w = helpers.world()
    _set_delay(w, 15)
    message = helpers.send(w, urgency=Urgency.IMMEDIATE, tlp="green")
    mail.outbox.clear()
    assert _escalate(message.sent_at + 15 * MINUTE) == [
        (message.reference, EscalationLevel.ALTERNATES)
    ]
    assert mail.outbox
    assert all("within 15 minutes" in m.body for m in mail.outbox)


def test_a_change_applies_to_the_steps_not_yet_taken():
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    sent = message.sent_at
    assert _escalate(sent + 20 * MINUTE) == []  # the default (45) is not over
    _set_delay(w, 20)
    assert _escalate(sent + 20 * MINUTE) == [(message.reference, EscalationLevel.ALTERNATES)]
    # Lengthened before level 2: level 2 waits the new delay from level 1.
    _set_delay(w, 60)
    assert _escalate(sent + 40 * MINUTE) == []
    assert _escalate(sent + 79 * MINUTE) == []
    assert _escalate(sent + 80 * MINUTE) == [(message.reference, EscalationLevel.DUTY_OFFICER)]
    step = EscalationStep.objects.get(level=EscalationLevel.DUTY_OFFICER)
    assert step.reason == "still not acknowledged 60 minutes after the alternates and 24/7 contacts"
    # Emptied: back to the platform default for the next message.
    _set_delay(w, None)
    later = helpers.send(w, urgency=Urgency.IMMEDIATE)
    assert _escalate(later.sent_at + 44 * MINUTE) == []
    assert _escalate(later.sent_at + 45 * MINUTE) == [(later.reference, EscalationLevel.ALTERNATES)]


def test_acknowledged_and_closed_do_not_escalate_whatever_the_delay():
    w = helpers.world()
    _set_delay(w, 1)
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    services.acknowledge(actor=w.mx_user, message=message)
    assert _escalate(message.sent_at + 500 * MINUTE) == []


def test_due_deliveries_in_a_constant_number_of_queries():
    w = helpers.world()
    _set_delay(w, 15)
    for _ in range(3):
        helpers.send(w, urgency=Urgency.IMMEDIATE)
    _avsec_message(w)
    now = Message.objects.order_by("-sent_at").first().sent_at + 10 * MINUTE  # none due
    with CaptureQueriesContext(connection) as few:
        assert escalation._due(now) == []
    for _ in range(5):
        helpers.send(w, urgency=Urgency.IMMEDIATE)
    expected = sorted(
        Delivery.objects.filter(message__network=w.network).values_list("pk", flat=True)
    )
    assert len(expected) == 8
    with CaptureQueriesContext(connection) as many:
        assert escalation._due(now + 10 * MINUTE) == expected
    # The delays in use, then the deliveries: two queries, however many messages.
    assert len(few) == len(many) == 2


def test_the_thread_page_says_when_it_escalates(client, login):
    w = helpers.world()
    _set_delay(w, 15)
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    first = (message.sent_at + 15 * MINUTE).strftime("%Y-%m-%d %H:%M")

    login(w.mx_user)  # the addressed state
    page = client.get(f"/exchange/{message.pk}/").content.decode()
    assert f"Escalates at {first} UTC if nobody acknowledges it for Mexico." in page
    client.logout()
    login(w.co_user)  # the sender's side, in the delivery table
    page = client.get(f"/exchange/{message.pk}/").content.decode()
    assert f"Escalates at {first} UTC if not acknowledged." in page

    assert _escalate(message.sent_at + 16 * MINUTE) == [
        (message.reference, EscalationLevel.ALTERNATES)
    ]
    second = (message.sent_at + 31 * MINUTE).strftime("%Y-%m-%d %H:%M")
    page = client.get(f"/exchange/{message.pk}/").content.decode()
    assert f"Escalates at {second} UTC if not acknowledged." in page

    services.acknowledge(actor=w.mx_user, message=message)
    page = client.get(f"/exchange/{message.pk}/").content.decode()
    assert "Escalates at" not in page


def test_routine_messages_show_no_escalation(client, login):
    w = helpers.world()
    message = helpers.send(w, urgency=Urgency.ROUTINE)
    login(w.co_user)
    assert "Escalates at" not in client.get(f"/exchange/{message.pk}/").content.decode()


def test_the_compose_form_names_the_delay(client, login):
    w = helpers.world()
    login(w.co_user)
    help_text = str(client.get("/exchange/new/").context["form"].fields["urgency"].help_text)
    assert "after 45 minutes" in help_text
    _set_delay(w, 15)
    df.designation(w.co_user.contacts.get(), AVSEC, "focal_point", actor=w.admin)
    help_text = str(client.get("/exchange/new/").context["form"].fields["urgency"].help_text)
    iant = w.network.localized_name
    avsec = af.network(AVSEC).localized_name
    assert f"{iant}: 15 minutes" in help_text
    assert f"{avsec}: 45 minutes" in help_text


def test_a_step_keeps_the_delay_it_followed_for_its_email_and_the_api(client):
    """The step records the minutes it followed; its email says them even when the setting
    changed between the step and the sending; the API tells when the next step falls due."""
    w = helpers.world()
    _set_delay(w, 15)
    message = helpers.send(w, urgency=Urgency.IMMEDIATE)
    sent = message.sent_at
    client.force_login(w.co_user)  # the sending side
    url = f"/api/exchange/messages/{message.pk}/deliveries/"
    (row,) = client.get(url).json()
    assert row["escalates_at"] == (sent + 15 * MINUTE).isoformat().replace("+00:00", "Z")
    mail.outbox.clear()
    original = tasks.send_escalation

    def change_then_send(step_id: int) -> int:
        _set_delay(w, 120)  # the network's setting changes before the email goes
        return original.call_local(step_id)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "send_escalation", change_then_send)
        assert _escalate(sent + 16 * MINUTE) == [(message.reference, EscalationLevel.ALTERNATES)]
    step = EscalationStep.objects.get()
    assert step.after_minutes == 15 and "15 minutes" in step.reason
    assert mail.outbox and all("15 minutes" in m.body for m in mail.outbox)
    assert all("120 minutes" not in m.body for m in mail.outbox)
    (row,) = client.get(url).json()
    assert row["escalations"][0]["after_minutes"] == 15
    # the next step follows the setting as it is now: 120 minutes after level 1
    at = step.at + 120 * MINUTE
    assert row["escalates_at"] == at.isoformat().replace("+00:00", "Z")
    services.acknowledge(actor=w.mx_user, message=message)
    (row,) = client.get(url).json()
    assert row["escalates_at"] is None
