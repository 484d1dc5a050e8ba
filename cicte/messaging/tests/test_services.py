"""The services: who sends, references, acknowledgment (once), answers, closing, attachments
checked by content, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.messaging import services
from cicte.messaging.choices import MessageKind
from cicte.messaging.models import Attachment, Delivery, Message
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db


def test_references_count_per_network_and_year():
    w = helpers.world()
    first = helpers.send(w)
    second = helpers.send(w)
    year = timezone.now().year
    assert (first.reference, second.reference) == (f"IANT-{year}-0001", f"IANT-{year}-0002")


def test_who_may_send():
    w = helpers.world()
    assert [s.code for s in services.sending_states(w.mx_user, w.network)] == ["MX"]
    assert services.sends_for_secretariat(w.secretariat, w.network)
    assert not services.may_send(w.admin, w.network)
    assert not services.may_send(w.other_network, w.network)
    observer = af.UserFactory(organization=w.ar_user.organization)
    af.grant(observer, "observer", network_slug=helpers.IANT)
    assert not services.may_send(observer, w.network)
    with pytest.raises(PermissionDenied):
        helpers.send(w, sender=w.other_network)
    with pytest.raises(PermissionDenied):
        helpers.send(w, sender=w.mx_user, sender_state=w.co)
    secretariat = helpers.send(w, sender=w.secretariat, to=(w.mx, w.co))
    assert secretariat.sender_state is None
    assert secretariat.sender_label() == "CICTE Secretariat"


def test_bad_input_says_what_to_fix_and_writes_nothing():
    w = helpers.world()
    with pytest.raises(ValidationError) as exc:
        services.send_message(
            actor=w.co_user,
            network=w.network,
            kind=MessageKind.RFI,
            subject="",
            body="x",
            states=[af.state("PE")],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"subject", "due_at", "states"}
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("report.pdf", helpers.PDF, True),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, True),
        ("notes.txt", "Informe en español".encode(), True),
        ("list.csv", b"name,passport\nA,B\n", True),
        ("bundle.stix", b'{"type": "bundle", "objects": []}', True),
        ("bundle.json", b'{"type": "bundle"}', True),
        ("report.pdf", b"MZ\x90\x00 this is an executable", False),
        ("photo.png", helpers.PDF, False),
        ("bundle.json", b"not json at all", False),
        ("tool.exe", b"MZ\x90\x00", False),
        ("sheet.xlsx", b"PK\x03\x04 broken zip", False),
    ],
)
def test_attachments_checked_by_content(name, content, ok):
    w = helpers.world()
    upload = SimpleUploadedFile(name, content)
    if ok:
        message = helpers.send(w, files=(upload,))
        attachment = message.attachments.get()
        assert attachment.name == name
        assert attachment.file.read() == content
        assert not attachment.file.name.endswith(name)  # stored under its digest
    else:
        with pytest.raises(ValidationError) as exc:
            helpers.send(w, files=(upload,))
        assert name in exc.value.message_dict["attachments"][0]
        assert not Message.objects.exists() and not Attachment.objects.exists()


def test_attachment_size_limit(settings):
    settings.EXCHANGE_MAX_ATTACHMENT_BYTES = 10
    w = helpers.world()
    with pytest.raises(ValidationError) as exc:
        helpers.send(w, files=(helpers.pdf(),))
    assert "too large" in exc.value.message_dict["attachments"][0]


def test_acknowledge_once_by_the_addressed_state():
    w = helpers.world()
    message = helpers.send(w)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=w.ar_user, message=message)
    services.acknowledge(actor=w.mx_user, message=message)
    delivery = Delivery.objects.get(message=message)
    first = delivery.acknowledged_at
    assert delivery.acknowledged_by == w.mx_user
    services.acknowledge(actor=w.mx_alt_user, message=message)
    delivery.refresh_from_db()
    assert (delivery.acknowledged_at, delivery.acknowledged_by) == (first, w.mx_user)
    assert AuditEvent.objects.filter(action="messaging.message.acknowledge").count() == 1


def test_answer_and_close_a_request():
    w = helpers.world()
    request = helpers.send(w, kind=MessageKind.RFI, to=(w.mx, w.ar))
    assert request.due_at is not None and request.due_at > timezone.now()
    with pytest.raises(PermissionDenied):
        services.reply(actor=w.other_network, message=request, body="?")
    answer = services.reply(actor=w.mx_user, message=request, body="Here it is.")
    assert answer.thread == request and answer.in_reply_to == request
    assert answer.sender_state == w.mx
    assert list(answer.deliveries.values_list("member_state__code", flat=True)) == ["CO"]
    mx = Delivery.objects.get(message=request, member_state=w.mx)
    assert mx.answered_at == answer.sent_at and mx.answered_by == w.mx_user
    assert Delivery.objects.get(message=request, member_state=w.ar).answered_at is None
    follow_up = services.reply(actor=w.co_user, message=answer, body="Thanks, and the rest?")
    assert list(follow_up.deliveries.values_list("member_state__code", flat=True)) == ["MX"]
    with pytest.raises(PermissionDenied):
        services.close_request(actor=w.mx_user, message=request)
    services.close_request(actor=w.co_user, message=request)
    request.refresh_from_db()
    assert request.closed_by == w.co_user
    with pytest.raises(PermissionDenied):
        services.reply(actor=w.ar_user, message=request, body="late")


def test_reading_marks_the_state_read():
    w = helpers.world()
    message = helpers.send(w)
    services.record_read(actor=w.co_user, message=message)  # the sender: no delivery to mark
    assert Delivery.objects.get().read_at is None
    services.record_read(actor=w.mx_alt_user, message=message)
    delivery = Delivery.objects.get()
    assert delivery.read_by == w.mx_alt_user
    services.record_read(actor=w.mx_user, message=message)
    delivery.refresh_from_db()
    assert delivery.read_by == w.mx_alt_user  # the first read
    assert AuditEvent.objects.filter(action="messaging.message.view").count() == 3


def test_rfi_due_date_in_the_past():
    w = helpers.world()
    with pytest.raises(ValidationError) as exc:
        helpers.send(w, kind=MessageKind.RFI, due_at=timezone.now() - dt.timedelta(hours=1))
    assert "due_at" in exc.value.message_dict


def test_a_less_strict_response_does_not_repeat_the_subject():
    from cicte.core.choices import TLP

    w = helpers.world()
    red = helpers.send(w, tlp=TLP.RED, subject="Name of the informant")
    answer = services.reply(actor=w.mx_user, message=red, body="Noted.", tlp=TLP.AMBER)
    assert answer.subject == f"Re: {red.reference}"
    same = services.reply(actor=w.mx_user, message=red, body="Noted.")
    assert same.subject == "Re: Name of the informant" and same.tlp == TLP.RED
