"""Without delay: every new list version tells the subscribed reporting entities, by one email
(with the diff) and one signed webhook, and the delays are recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core import webhooks
from cicte.core.models import WebhookDelivery
from cicte.sanctions import notify, services, tasks
from cicte.sanctions.models import ListSubscription, Notification, SanctionsList
from cicte.sanctions.tests.helpers import edited, import_un, new_entity, small_un_xml
from cicte.sanctions.tests.notify_helpers import Receiver, bank_with_admin, domestic_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _subscribe(admin, bank, **kwargs):
    values = {"name": "Compliance", "emails": ["compliance@bank.example.org"], **kwargs}
    return services.create_subscription(actor=admin, organization=bank, **values)


def test_an_import_sends_one_email_with_the_diff_and_one_signed_webhook(
    receiver, django_capture_on_commit_callbacks
):
    bank, admin = bank_with_admin()
    subscription, secret = _subscribe(admin, bank, webhook_url=receiver.url)
    assert secret and subscription.webhook.owner == admin
    assert subscription.webhook.events == ["sanctions.list.changed"]

    with django_capture_on_commit_callbacks(execute=True):
        first = import_un(small_un_xml())
    version = first.version
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["compliance@bank.example.org"]
    assert message.subject == (
        "United Nations Security Council Consolidated List, version 1: "
        "25 added, 0 amended, 0 removed"
    )
    assert "ERIC BADEGE" in message.body and "CDi.001" in message.body
    assert f"/sanctions/un/versions/{version.number}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "ERIC BADEGE" in html and "<th scope=" in html

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["X-CICTE-Event"] == "sanctions.list.changed"
    assert webhooks.verify(secret, headers["X-CICTE-Timestamp"], body, headers["X-CICTE-Signature"])
    assert not webhooks.verify(
        "whsec_other", headers["X-CICTE-Timestamp"], body, headers["X-CICTE-Signature"]
    )
    data = json.loads(body)["data"]
    assert data["list"] == {
        "key": "un",
        "title": "United Nations Security Council Consolidated List",
        "kind": "official",
        "member_state": None,
    }
    assert data["version"] == 1
    assert data["counts"] == {"entities": 25, "added": 25, "amended": 0, "removed": 0}
    assert len(data["changes"]) == 25 and data["truncated"] is False
    change = next(c for c in data["changes"] if c["source_id"] == "CDi.001")
    assert change == {
        "kind": "added",
        "source_id": "CDi.001",
        "ftm_id": "un-cdi-001",
        "caption": "ERIC BADEGE",
        "schema": "Person",
        "diff": {},
    }
    assert data["api_url"].endswith("/api/sanctions/lists/un/versions/1/")
    assert dt.datetime.fromisoformat(data["imported_at"]) == version.imported_at

    notification = Notification.objects.get()
    assert notification.version == version and notification.organization == bank
    assert notification.changed_at == version.imported_at
    assert notification.email_to == ["compliance@bank.example.org"]
    assert notification.email_sent_at is not None and notification.email_attempts == 1
    assert notification.webhook_delivery.status == WebhookDelivery.Status.DELIVERED
    email_delay, webhook_delay = notification.email_delay, notification.webhook_delay
    assert email_delay is not None and webhook_delay is not None
    assert dt.timedelta(0) <= email_delay < dt.timedelta(seconds=30)
    assert dt.timedelta(0) <= webhook_delay < dt.timedelta(seconds=30)
    delivered = notification.webhook_delivered_at
    assert delivered is not None and notification.webhook_delivery.delivered_at is not None
    assert delivered >= notification.webhook_delivery.delivered_at

    # The next version: an amended entry with its changed properties, a removed one, an added.
    modified = edited(
        small_un_xml(),
        remove="CDi.002",
        rename=("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERICK</FIRST_NAME>"),
        add=new_entity("QDe.999", "NEW FRONT"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = import_un(modified, name="un-2.xml")
    assert second.version.number == 2
    assert len(mail.outbox) == 2 and len(receiver.requests) == 2
    text = mail.outbox[1].body
    assert "ERICK BADEGE" in text and "NEW FRONT" in text and "CDi.002" in text
    assert "    name: ERIC BADEGE -> ERICK BADEGE\n" in text
    data = json.loads(receiver.requests[1]["body"])["data"]
    assert data["counts"]["added"] == 1 and data["counts"]["removed"] == 1
    amended = next(c for c in data["changes"] if c["kind"] == "amended")
    assert amended["source_id"] == "CDi.001"
    assert amended["diff"]["name"] == [["ERIC BADEGE"], ["ERICK BADEGE"]]
    assert Notification.objects.count() == 2


def test_an_import_with_no_change_notifies_nobody(django_capture_on_commit_callbacks):
    bank, admin = bank_with_admin()
    _subscribe(admin, bank)
    with django_capture_on_commit_callbacks(execute=True):
        import_un(small_un_xml())
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = import_un(small_un_xml())
        other_file = import_un(
            small_un_xml().replace(b'dateGenerated="2026-02-27', b'dateGenerated="2026-03-01')
        )
    assert again.version is None and other_file.version is None
    assert callbacks == [] and len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_a_subscription_to_other_lists_gets_nothing(django_capture_on_commit_callbacks):
    bank, admin = bank_with_admin()
    ofac = services.ensure_official_list("ofac")
    _subscribe(admin, bank, lists=[ofac])
    paused, _secret = _subscribe(admin, bank, name="Paused", is_active=False)
    other, other_admin = bank_with_admin("other-bank")
    other.is_active = False
    other.save(update_fields=["is_active"])
    _subscribe(other_admin, other)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_un(small_un_xml())
    assert result.version is not None
    assert mail.outbox == [] and Notification.objects.count() == 0
    assert set(ListSubscription.objects.following(result.sanctions_list)) == set()
    assert paused.is_active is False


def test_domestic_lists_added_later_reach_every_list_subscriptions(
    django_capture_on_commit_callbacks,
):
    bank, admin = bank_with_admin()
    everything, _secret = _subscribe(admin, bank)
    un_only, _secret = _subscribe(
        admin, bank, name="UN only", lists=[services.ensure_official_list("un")]
    )
    assert not SanctionsList.objects.filter(key="co").exists()
    official = af.secretariat_admin()
    with django_capture_on_commit_callbacks(execute=True):
        result = domestic_import(official, "CO", ["JUAN PEREZ GOMEZ", "ACME S.A.S."])
    assert result.sanctions_list.kind == "domestic"
    notification = Notification.objects.get()
    assert notification.subscription == everything and notification.version == result.version
    assert len(mail.outbox) == 1
    assert "JUAN PEREZ GOMEZ" in mail.outbox[0].body
    assert un_only.notifications.count() == 0


@override_settings(SANCTIONS_NOTIFY_EMAIL_CHANGES=3, SANCTIONS_NOTIFY_WEBHOOK_CHANGES=5)
def test_long_diffs_are_capped_with_a_link_to_the_rest(
    receiver, django_capture_on_commit_callbacks
):
    bank, admin = bank_with_admin()
    _subscribe(admin, bank, webhook_url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        import_un(small_un_xml())
    data = json.loads(receiver.requests[0]["body"])["data"]
    assert len(data["changes"]) == 5 and data["truncated"] is True
    body = mail.outbox[0].body
    assert body.count("\n- ") == 3
    assert "And 22 more changes: see the full version." in body


def test_a_failed_email_is_recorded_then_retried(monkeypatch, django_capture_on_commit_callbacks):
    from django.core.mail import EmailMultiAlternatives

    bank, admin = bank_with_admin()
    _subscribe(admin, bank)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        import_un(small_un_xml())
    notification = Notification.objects.get()
    assert notification.email_sent_at is None
    assert notification.email_attempts == 1
    assert notification.email_error == "ConnectionRefusedError: mail server down"
    assert notification.email_delay is None

    monkeypatch.undo()
    assert tasks.send_list_change_email.call_local(notification.pk) is True  # huey's retry
    notification.refresh_from_db()
    assert notification.email_sent_at is not None and notification.email_error == ""
    assert notification.email_attempts == 2 and len(mail.outbox) == 1
    # Sent once: a late duplicate of the task sends nothing more.
    assert tasks.send_list_change_email.call_local(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_webhook_whose_owner_left_the_organisation_is_not_used(
    receiver, django_capture_on_commit_callbacks
):
    bank, admin = bank_with_admin()
    subscription, _secret = _subscribe(admin, bank, webhook_url=receiver.url)
    admin.organization = af.OrganizationFactory()
    admin.save(update_fields=["organization"])
    with django_capture_on_commit_callbacks(execute=True):
        import_un(small_un_xml())
    assert receiver.requests == []
    notification = Notification.objects.get()
    assert notification.webhook_delivery is None and notification.email_sent_at is not None
    assert subscription.webhook is not None


def test_delays_are_summarised_per_list(django_capture_on_commit_callbacks):
    bank, admin = bank_with_admin()
    _subscribe(admin, bank)
    with django_capture_on_commit_callbacks(execute=True):
        version = import_un(small_un_xml()).version
    now = timezone.now()
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(
        changed_at=now - dt.timedelta(seconds=10), email_sent_at=now
    )
    stats = notify.recent_stats(admin, now=now)
    assert stats[version.sanctions_list_id]["email"].median == 10.0
    assert stats[None]["email"].worst == 10.0 and stats[None]["email"].count == 1
    assert stats[None]["webhook"].count == 0
    # Older than 30 days: not counted.
    Notification.objects.update(changed_at=now - dt.timedelta(days=31))
    assert notify.recent_stats(admin, now=now)[None]["email"].count == 0
    assert notify.format_delay(dt.timedelta(seconds=0.42)) == "0.4 s"
    assert notify.format_delay(185) == "3 min 5 s"
    assert notify.format_delay(dt.timedelta(hours=2, minutes=10)) == "2 h 10 min"
