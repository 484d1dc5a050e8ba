"""The notification emails: sent at once to the addressed states' designated contacts (not the
alternates nor the 24/7 desk), in the recipient's language, with link, reference, TLP,
urgency, kind and sender; the subject, the text and the attachments' names only at CLEAR and
GREEN."""

from __future__ import annotations

import pytest
from django.core import mail

from cicte.core.choices import TLP
from cicte.messaging.choices import Urgency
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db

SUBJECT = "Explosives precursor shipment MSKU-7"
BODY = "The container left Cartagena on 2026-11-28 with undeclared ammonium nitrate."


@pytest.mark.parametrize("tlp", [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])
def test_no_content_above_green(tlp):
    w = helpers.world()
    message = helpers.send(
        w,
        tlp=tlp,
        subject=SUBJECT,
        body=BODY,
        files=(helpers.pdf("secret-plan.pdf"),),
        urgency=Urgency.IMMEDIATE,
    )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    text = f"{email.subject}{email.body}"
    assert email.attachments == []
    for secret in (SUBJECT, BODY, "secret-plan", "MSKU-7", "ammonium"):
        assert secret not in text
    assert message.reference in email.subject and message.reference in email.body
    assert f"/exchange/{message.pk}/" in email.body
    assert str(TLP(tlp).label) in email.subject


@pytest.mark.parametrize("tlp", [TLP.CLEAR, TLP.GREEN])
def test_content_at_clear_and_green(tlp):
    w = helpers.world()
    helpers.send(w, tlp=tlp, subject=SUBJECT, body=BODY, files=(helpers.pdf("plan.pdf"),))
    email = mail.outbox[0]
    assert SUBJECT in email.subject
    assert BODY in email.body
    assert "plan.pdf" in email.body


def test_recipients_and_language():
    w = helpers.world()
    message = helpers.send(w, to=(w.mx, w.ar))
    addresses = sorted(m.to[0] for m in mail.outbox)
    mx_poc = w.mx_user.contacts.get().emails.get().address
    ar_poc = w.ar_user.contacts.get().emails.get().address
    assert addresses == sorted([mx_poc, ar_poc])  # not the alternate, not the 24/7 desk
    spanish = next(m for m in mail.outbox if m.to == [mx_poc])
    assert "Referencia" in spanish.body  # the account's language (es)
    deliveries = {d.member_state.code: d for d in message.deliveries.all()}
    assert deliveries["MX"].notified_at is not None
    assert deliveries["MX"].notified_to == 1
