"""The demo's secure exchange: threads across networks (a request for information with a
response, a notice, an acknowledged AMBER alert) and an unacknowledged immediate alert that
escalated to both levels; a second run writes nothing."""

from __future__ import annotations

import pytest

from cicte.accounts.models import User
from cicte.core.tests.test_seed_demo import _demo_password_file, seed_json  # noqa: F401
from cicte.messaging import demo
from cicte.messaging.choices import EscalationLevel, MessageKind
from cicte.messaging.models import Delivery, EscalationStep, Message

pytestmark = pytest.mark.django_db


def test_the_demo_exchange():
    seed_json()
    rfi = Message.objects.get(subject=demo.RFI_SUBJECT)
    assert rfi.kind == MessageKind.RFI and rfi.network.slug == demo.CSIRT
    answered = {d.member_state.code: d.answered_at is not None for d in rfi.deliveries.all()}
    assert answered == {"MX": True, "TT": False}
    assert rfi.thread_messages.count() == 1
    alert = Message.objects.get(subject=demo.ALERT_SUBJECT)
    assert alert.deliveries.get().acknowledged_by.username == "colcert.analyst"
    notice = Message.objects.get(subject=demo.NOTICE_SUBJECT)
    assert notice.whole_network and notice.deliveries.count() >= 4
    immediate = Message.objects.get(subject=demo.IMMEDIATE_SUBJECT)
    delivery = immediate.deliveries.get()
    assert delivery.acknowledged_at is None
    assert delivery.escalation_level == EscalationLevel.DUTY_OFFICER
    steps = list(EscalationStep.objects.filter(delivery=delivery).order_by("level"))
    assert [s.level for s in steps] == [1, 2]
    assert steps[0].recipients and steps[1].recipients
    # The past threads were delivered when sent (not when the worker first runs after seeding).
    mx = rfi.deliveries.get(member_state__code="MX")
    assert mx.notified_at == rfi.sent_at and mx.notified_to >= 1
    assert mx.read_at is not None and mx.acknowledged_at is not None
    assert mx.notified_at <= mx.read_at <= mx.acknowledged_at
    # Who reads what: Mexico's analyst reads the CSIRT threads, not the IANT alert.
    certmx = User.objects.get(username="certmx.analyst")
    readable = set(Message.objects.readable_by(certmx).values_list("subject", flat=True))
    assert demo.RFI_SUBJECT in readable and demo.IMMEDIATE_SUBJECT not in readable

    before = (Message.objects.count(), Delivery.objects.count(), EscalationStep.objects.count())
    seed_json()
    after = (Message.objects.count(), Delivery.objects.count(), EscalationStep.objects.count())
    assert before == after
