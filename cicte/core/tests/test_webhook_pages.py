"""A person's webhook endpoints in the UI: create (the secret shown once, with how to verify
it), rotate, delete, and the delivery log, each only for the endpoint's owner."""

from __future__ import annotations

import pytest
from django.test import Client, TestCase

from cicte.accounts.tests import factories as af
from cicte.core import webhooks
from cicte.core.models import AuditEvent, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_create_rotate_delete(client):
    owner = af.UserFactory()
    browser = client_of(owner)
    assert browser.get("/accounts/webhooks/").status_code == 200
    response = browser.post(
        "/accounts/webhooks/new/",
        {
            "url": "https://hooks.example.org/cicte",
            "description": "SOC",
            "events": "advisory.published, advisory.withdrawn",
        },
    )
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get(owner=owner)
    page = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    assert "X-CICTE-Signature" in page and "X-CICTE-Timestamp" in page
    assert endpoint.events == ["advisory.published", "advisory.withdrawn"]
    assert response["Cache-Control"].startswith("max-age=0")
    # Shown once: neither the list nor the endpoint's page repeats it.
    assert endpoint.secret not in browser.get("/accounts/webhooks/").content.decode()
    assert endpoint.secret not in browser.get(f"/accounts/webhooks/{endpoint.pk}/").content.decode()

    old = endpoint.secret
    assert browser.get(f"/accounts/webhooks/{endpoint.pk}/rotate/").status_code == 200
    response = browser.post(f"/accounts/webhooks/{endpoint.pk}/rotate/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()

    assert browser.get(f"/accounts/webhooks/{endpoint.pk}/delete/").status_code == 200
    assert browser.post(f"/accounts/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "webhook.endpoint_create",
        "webhook.secret_rotate",
        "webhook.endpoint_delete",
    } <= actions


def test_refused_urls_and_events_are_shown_on_the_form(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    browser = client_of(af.UserFactory())
    response = browser.post(
        "/accounts/webhooks/new/", {"url": "http://hooks.example.org/", "events": "Not An Event"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "events" in errors
    response = browser.post("/accounts/webhooks/new/", {"url": "http://hooks.example.org/"})
    assert response.status_code == 400
    assert "https" in str(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_delivery_log_and_actions_only_for_the_owner():
    owner, other = af.UserFactory(), af.UserFactory()
    # Port 9 (discard) on loopback: nothing listens, the attempt fails and is logged.
    endpoint, _secret = webhooks.create_endpoint(actor=owner, url="http://127.0.0.1:9/hook")
    with TestCase.captureOnCommitCallbacks(execute=False):
        [delivery] = webhooks.emit(
            event="advisory.published", data={"reference": "X-1"}, endpoints=[endpoint]
        )
    webhooks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == WebhookDelivery.Status.PENDING

    page = client_of(owner).get(f"/accounts/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "advisory.published" in text and "ConnectionError" in text
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at.isoformat()[:16] in text

    intruder = client_of(other)
    for url in ("", "rotate/", "delete/"):
        assert intruder.get(f"/accounts/webhooks/{endpoint.pk}/{url}").status_code == 404
    for url in ("rotate/", "delete/"):
        assert intruder.post(f"/accounts/webhooks/{endpoint.pk}/{url}").status_code == 404
    assert endpoint.url not in intruder.get("/accounts/webhooks/").content.decode()
    anonymous = Client().get(f"/accounts/webhooks/{endpoint.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    endpoint.refresh_from_db()
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
