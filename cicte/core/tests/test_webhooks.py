"""Outgoing webhooks against a real HTTP receiver on loopback: signature, retries with backoff,
the attempt log, refused targets."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core import webhooks
from cicte.core.models import AuditEvent, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on loopback that answers with the queued status codes (200 when none are
    left) and keeps every request it received."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def test_a_delivery_is_signed_and_its_receiver_can_verify_it(receiver):
    user = af.UserFactory()
    endpoint, secret = webhooks.create_endpoint(
        actor=user, url=receiver.url, events=["advisory.published"]
    )
    assert AuditEvent.objects.filter(action="webhook.endpoint_create").exists()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret  # decrypted on read
    with TestCase.captureOnCommitCallbacks(execute=True):
        deliveries = webhooks.emit(
            event="advisory.published",
            data={"title": "Patch now", "tlp": "green"},
            endpoints=[endpoint],
        )
        webhooks.emit(event="list.updated", data={}, endpoints=[endpoint])  # not subscribed
    assert len(deliveries) == 1 and len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert webhooks.verify(secret, headers["X-CICTE-Timestamp"], body, headers["X-CICTE-Signature"])
    assert not webhooks.verify(
        "whsec_other", headers["X-CICTE-Timestamp"], body, headers["X-CICTE-Signature"]
    )
    assert not webhooks.verify(
        secret, headers["X-CICTE-Timestamp"], body + b" ", headers["X-CICTE-Signature"]
    )
    assert not webhooks.verify(secret, "1000000000", body, webhooks.sign(secret, 1000000000, body))
    payload = json.loads(body)
    assert set(payload) == {"event", "id", "occurred_at", "data"}
    assert payload["event"] == "advisory.published" and payload["data"]["title"] == "Patch now"
    assert headers["X-CICTE-Delivery"] == str(deliveries[0].pk)
    delivery = WebhookDelivery.objects.get(pk=deliveries[0].pk)
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1
    assert delivery.attempt_log[0]["status_code"] == 200


@override_settings(WEBHOOK_RETRY_DELAYS=(60, 300))
def test_failures_are_retried_with_backoff_then_given_up(receiver):
    endpoint, _secret = webhooks.create_endpoint(actor=af.UserFactory(), url=receiver.url)
    receiver.statuses = [500, 503, 502]
    (delivery,) = webhooks.emit(event="list.updated", data={"n": 1}, endpoints=[endpoint])
    start = timezone.now()
    delivery = webhooks.attempt(delivery.pk, now=start)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60)
    # Not yet due: nothing is sent.
    assert webhooks.due(start + dt.timedelta(seconds=59)) == []
    webhooks.attempt(delivery.pk, now=start + dt.timedelta(seconds=30))
    assert len(receiver.requests) == 1
    later = start + dt.timedelta(seconds=61)
    assert webhooks.due(later) == [delivery.pk]
    delivery = webhooks.attempt(delivery.pk, now=later)
    assert delivery.next_attempt_at == later + dt.timedelta(seconds=300)
    last = later + dt.timedelta(seconds=301)
    delivery = webhooks.attempt(delivery.pk, now=last)
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3
    assert [entry["status_code"] for entry in delivery.attempt_log] == [500, 503, 502]
    assert all(entry["error"].startswith("HTTP 5") for entry in delivery.attempt_log)
    # The same event, the same body, every time.
    assert len({r["body"] for r in receiver.requests}) == 1


@override_settings(WEBHOOK_RETRY_DELAYS=(60,))
def test_a_refused_connection_is_logged_and_retried_until_it_succeeds(receiver):
    endpoint, _secret = webhooks.create_endpoint(
        actor=af.UserFactory(), url="http://127.0.0.1:9/closed"
    )
    (delivery,) = webhooks.emit(event="e", data={}, endpoints=[endpoint])
    now = timezone.now()
    delivery = webhooks.attempt(delivery.pk, now=now)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "ConnectionError" in delivery.attempt_log[0]["error"]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    delivery = webhooks.attempt(delivery.pk, now=now + dt.timedelta(seconds=61))
    assert delivery.status == WebhookDelivery.Status.DELIVERED


@override_settings(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_unsafe_targets_are_refused():
    user = af.UserFactory()
    for url in (
        "http://hooks.example.org/x",
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValidationError):
            webhooks.create_endpoint(actor=user, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_endpoints_are_their_owners_alone(receiver):
    owner, other = af.UserFactory(), af.UserFactory()
    endpoint, secret = webhooks.create_endpoint(actor=owner, url=receiver.url)
    assert list(WebhookEndpoint.objects.visible_to(owner)) == [endpoint]
    assert not WebhookEndpoint.objects.visible_to(other).exists()
    with pytest.raises(WebhookEndpoint.DoesNotExist):
        webhooks.rotate_secret(actor=other, endpoint=endpoint)
    assert webhooks.rotate_secret(actor=owner, endpoint=endpoint) != secret
    with pytest.raises(WebhookEndpoint.DoesNotExist):
        webhooks.delete_endpoint(actor=other, endpoint=endpoint)
    webhooks.delete_endpoint(actor=owner, endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists()
