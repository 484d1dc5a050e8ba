"""Median times to acknowledge and to answer, against figures computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.messaging import metrics
from cicte.messaging.models import Delivery
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db


def _timed(w, *, ack_minutes, answer_minutes=None, days_ago=1, to=None):
    message = helpers.send(w, to=to or (w.mx, w.ar), run_jobs=False)
    sent = timezone.now() - dt.timedelta(days=days_ago)
    type(message).objects.filter(pk=message.pk).update(sent_at=sent)
    for code, minutes in ack_minutes.items():
        Delivery.objects.filter(message=message, member_state__code=code).update(
            acknowledged_at=sent + dt.timedelta(minutes=minutes)
        )
    for code, minutes in (answer_minutes or {}).items():
        Delivery.objects.filter(message=message, member_state__code=code).update(
            answered_at=sent + dt.timedelta(minutes=minutes)
        )
    return message


def test_medians_per_state_and_network():
    w = helpers.world()
    _timed(w, ack_minutes={"MX": 10, "AR": 60}, answer_minutes={"MX": 120})
    _timed(w, ack_minutes={"MX": 20}, answer_minutes={"MX": 240, "AR": 30})
    _timed(w, ack_minutes={"MX": 90, "AR": 5})
    _timed(w, ack_minutes={"MX": 1}, days_ago=40)  # outside the period
    today = timezone.now().date()
    rows = metrics.compute(w.co_user, start=today - dt.timedelta(days=7), end=today)
    network, ar, mx = rows
    assert network.member_state is None and network.network == w.network
    # MX acknowledged after 10, 20, 90 min: median 20; answered after 120, 240: median 180.
    assert mx.member_state.code == "MX"
    assert (mx.addressed, mx.acknowledged, mx.answered) == (3, 3, 2)
    assert mx.median_ack_seconds == 20 * 60
    assert mx.median_answer_seconds == 180 * 60
    # AR: 60 and 5 min: median 32.5 min; answered once after 30 min.
    assert (ar.addressed, ar.acknowledged, ar.answered) == (3, 2, 1)
    assert ar.median_ack_seconds == 1950
    assert ar.median_answer_seconds == 30 * 60
    # The network: 10, 60, 20, 90, 5 → 20 min; answers 120, 240, 30 → 120 min.
    assert network.median_ack_seconds == 20 * 60
    assert network.median_answer_seconds == 120 * 60
    assert network.addressed == 6


def test_who_sees_the_figures():
    w = helpers.world()
    _timed(w, ack_minutes={"MX": 10}, to=(w.mx,))
    assert metrics.compute(w.ar_user) == []  # AR read nothing, coordinates nothing
    assert metrics.compute(w.other_network) == []
    coordinator = af.national_coordinator("AR", helpers.IANT)
    assert [r.addressed for r in metrics.compute(coordinator)] == [1, 1]
    assert [r.addressed for r in metrics.compute(w.admin)] == [1, 1]  # the checks' reader
