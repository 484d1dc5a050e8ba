"""Failed deliveries flag the contact: a rejection by the mail relay at send time, or a bounce
reported to the signed bounce endpoint."""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import checks
from cicte.directory.models import CheckRecipient, ContactDesignation, ContactEmail
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db

REFUSED = "gone@example.gob.ar"
SECRET = "test-bounce-secret-0123456789"
BACKEND = "cicte.directory.tests.test_bounces.RefusingBackend"


class RefusingBackend(EmailBackend):
    """The locmem backend, except that the relay refuses one address for good (550) and
    greylists another (450), as smtplib reports it."""

    code = 550

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (self.code, b"5.1.1 User unknown")})
        return super().send_messages(messages)


class GreylistingBackend(RefusingBackend):
    code = 450


@pytest.fixture
def world():
    admin = af.secretariat_admin()

    def org(code):
        return af.OrganizationFactory(member_state=af.state(code))

    gone = df.contact(
        org("AR"),
        actor=admin,
        name="Gone Away",
        emails=[{"kind": "institutional", "address": REFUSED}],
    )
    fine = df.contact(
        org("BR"),
        actor=admin,
        name="Still Here",
        emails=[{"kind": "institutional", "address": "here@example.gov.br"}],
    )
    # The same address, recorded for another contact (a shared mailbox).
    twin = df.contact(
        org("AR"),
        actor=admin,
        name="Shared Mailbox",
        kind="functional",
        emails=[
            {"kind": "functional", "address": REFUSED},
            {"kind": "institutional", "address": "backup@example.gob.ar"},
        ],
    )
    return {
        "admin": admin,
        "gone": df.designation(gone, "csirtamericas", "national_poc", actor=admin),
        "fine": df.designation(fine, "csirtamericas", "national_poc", actor=admin),
        "twin": twin,
    }


# --- At send time ------------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND=BACKEND)
def test_a_refusal_at_send_time_flags_the_address_and_the_recipient(world, login):
    mail.outbox.clear()
    check = df.communication_check("csirtamericas", actor=world["admin"])

    assert [m.to for m in mail.outbox] == [["here@example.gov.br"]]
    gone = CheckRecipient.objects.get(check_run=check, designation=world["gone"])
    assert gone.delivery_failed_at is not None
    assert gone.sent_at is None
    fine = CheckRecipient.objects.get(check_run=check, designation=world["fine"])
    assert fine.delivery_failed_at is None and fine.sent_at is not None
    flagged = ContactEmail.objects.filter(address=REFUSED)
    assert flagged.count() == 2  # every contact address equal to it
    assert all(e.bounced_at is not None for e in flagged)
    assert {e.bounce_reason for e in flagged} == {"550 5.1.1 User unknown"}
    assert ContactEmail.objects.get(address="backup@example.gob.ar").bounced_at is None
    events = AuditEvent.objects.filter(action="directory.contact.delivery_failed")
    assert sorted(e.object_repr for e in events) == ["Gone Away", "Shared Mailbox"]
    assert {e.changes["source"] for e in events} == {"send"}
    assert {e.actor_label for e in events} == {"mail relay"}

    admin = world["admin"]
    af.add_totp(admin)
    html = login(admin).get(f"/directory/checks/{check.pk}/").content.decode()
    row = html[html.index("Gone Away") :]
    row = row[: row.index("</tr>")]
    assert "Delivery failed" in row and "550 5.1.1 User unknown" in row
    stats = checks.stats_for(check.recipients.all())
    assert (stats.asked, stats.failed, stats.waiting) == (2, 1, 1)


@override_settings(EMAIL_BACKEND=BACKEND)
def test_a_flagged_address_is_not_used_again_and_reminders_find_another(world):
    check = df.communication_check("csirtamericas", actor=world["admin"])
    # The shared mailbox contact is designated later, after the failure: its backup address
    # is used; a reminder to "Gone Away" has nowhere to go.
    assert checks.best_address(world["twin"]).address == "backup@example.gob.ar"
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        count = checks.remind_non_responders(actor=world["admin"], check=check)
    assert count == 1
    assert [m.to for m in mail.outbox] == [["here@example.gov.br"]]

    # Their details are corrected: the next reminder goes to the new address.
    from cicte.directory import services

    services.update_contact(
        actor=world["admin"],
        contact=world["gone"].contact,
        emails=[{"kind": "institutional", "address": "new@example.gob.ar"}],
    )
    CheckRecipient.objects.filter(check_run=check).update(
        last_reminded_at=timezone.now() - dt.timedelta(hours=2)
    )
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert checks.remind_non_responders(actor=world["admin"], check=check) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["here@example.gov.br", "new@example.gob.ar"]
    gone = CheckRecipient.objects.get(check_run=check, designation=world["gone"])
    assert gone.email == "new@example.gob.ar"
    assert gone.delivery_failed_at is None and gone.sent_at is not None
    # And an answer from it clears nothing else but proves it works.
    path = df.links_in([m for m in mail.outbox if m.to == ["new@example.gob.ar"]])[0]
    assert Client().post(path).status_code == 200


@override_settings(EMAIL_BACKEND="cicte.directory.tests.test_bounces.GreylistingBackend")
def test_a_temporary_refusal_is_retried_not_flagged(world):
    check = df.communication_check("csirtamericas", actor=world["admin"])
    gone = CheckRecipient.objects.get(check_run=check, designation=world["gone"])
    assert gone.sent_at is None and gone.delivery_failed_at is None  # the job will be retried
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        checks.send_check_email(gone.pk)
    assert not ContactEmail.objects.filter(bounced_at__isnull=False).exists()


@override_settings(EMAIL_BACKEND=BACKEND)
def test_a_refusal_of_the_verification_email_flags_the_address(world):
    ContactDesignation.objects.filter(pk=world["gone"].pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=175)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert checks.send_verification_reminders() == 1
    assert ContactEmail.objects.filter(address=REFUSED, bounced_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({REFUSED: (550, b"no such user")}), "550 no such user"),
        (smtplib.SMTPRecipientsRefused({REFUSED: (452, b"mailbox full")}), None),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected by policy"), "554 5.7.1 rejected by policy"),
        (smtplib.SMTPDataError(451, b"try later"), None),
        (smtplib.SMTPSenderRefused(550, b"bad sender", "no-reply@localhost"), None),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), None),
        (RuntimeError(f"Mailbox {REFUSED.upper()} is disabled"), "Mailbox GONE@EXAMPLE.GOB.AR"),
        (ConnectionRefusedError(111, "Connection refused"), None),
    ],
)
def test_what_counts_as_a_refusal(exc, expected):
    reason = checks.rejection_reason(exc, REFUSED)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected)


# --- The bounce endpoint --------------------------------------------------------------------


URL = "/directory/checks/bounces/"


def post_bounce(client, payload, *, secret=SECRET, timestamp=None, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    if signature is None:
        signature = checks.bounce_signature(secret=secret, timestamp=timestamp, body=body)
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-CICTE-Timestamp": timestamp, "X-CICTE-Signature": signature},
    )


@override_settings(DIRECTORY_BOUNCE_SECRET=SECRET)
def test_a_signed_bounce_flags_every_address_and_waiting_recipients(world):
    check = df.communication_check("csirtamericas", actor=world["admin"])
    client = Client(enforce_csrf_checks=True)  # a machine has no CSRF token

    response = post_bounce(
        client, {"email": "Here@Example.gov.br", "reason": "5.2.1 mailbox disabled"}
    )

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "flagged": 1}
    email = ContactEmail.objects.get(address="here@example.gov.br")
    assert email.bounced_at is not None and email.bounce_reason == "5.2.1 mailbox disabled"
    recipient = CheckRecipient.objects.get(check_run=check, designation=world["fine"])
    assert recipient.delivery_failed_at is not None
    event = AuditEvent.objects.get(action="directory.contact.delivery_failed")
    assert event.actor_id is None and event.actor_label == "bounce report"
    assert event.changes == {
        "address": "here@example.gov.br",
        "reason": "5.2.1 mailbox disabled",
        "source": "bounce",
    }

    unknown = post_bounce(client, {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and unknown.json()["flagged"] == 0


@override_settings(DIRECTORY_BOUNCE_SECRET=SECRET)
@pytest.mark.parametrize(
    "case", ["bad signature", "other secret", "no headers", "old", "future", "not a number"]
)
def test_bounces_without_a_good_signature_are_401_and_change_nothing(world, case):
    client = Client()
    payload = {"email": "here@example.gov.br", "reason": "x"}
    now = int(time.time())
    if case == "bad signature":
        response = post_bounce(client, payload, signature="sha256=" + "0" * 64)
    elif case == "other secret":
        response = post_bounce(client, payload, secret="not-the-secret")
    elif case == "no headers":
        response = client.post(URL, data=json.dumps(payload), content_type="application/json")
    elif case == "old":
        response = post_bounce(client, payload, timestamp=str(now - 301))
    elif case == "future":
        response = post_bounce(client, payload, timestamp=str(now + 301))
    else:
        response = post_bounce(client, payload, timestamp="yesterday")
    assert response.status_code == 401
    assert response.json()["error"]
    assert not ContactEmail.objects.filter(bounced_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="directory.contact.delivery_failed").exists()


@override_settings(DIRECTORY_BOUNCE_SECRET=SECRET)
def test_a_signed_but_recent_enough_report_is_accepted():
    now = int(time.time())
    response = post_bounce(Client(), {"email": "x@example.org"}, timestamp=str(now - 290))
    assert response.status_code == 200


@override_settings(DIRECTORY_BOUNCE_SECRET=SECRET)
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        (b'{"reason": "no address"}', "email"),
        (b'{"email": "not an address"}', "email"),
        (b'{"email": "a@example.org", "reason": 5}', "reason"),
    ],
)
def test_bad_reports_are_400(world, raw, field):
    response = post_bounce(Client(), None, raw=raw)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]
    if field:
        assert field in body["detail"]
    assert not ContactEmail.objects.filter(bounced_at__isnull=False).exists()


@override_settings(DIRECTORY_BOUNCE_SECRET="")
def test_without_a_secret_the_endpoint_is_closed(world):
    response = post_bounce(Client(), {"email": REFUSED}, secret="anything")
    assert response.status_code == 503
    assert not ContactEmail.objects.filter(bounced_at__isnull=False).exists()


@override_settings(DIRECTORY_BOUNCE_SECRET=SECRET)
def test_the_endpoint_takes_only_post():
    assert Client().get(URL).status_code == 405
