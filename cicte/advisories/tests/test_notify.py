"""Subscribers hear of advisories they may see, by email (at once or in a digest) and by
webhook; nothing above TLP:GREEN leaves the platform but its reference and link."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client, TestCase

from cicte.accounts.tests import factories as af
from cicte.advisories import notify, services
from cicte.advisories.models import AdvisoryPolicy, DigestEntry, EmailMode, Subscription
from cicte.core import webhooks
from cicte.core.choices import TLP
from cicte.core.models import WebhookDelivery
from cicte.core.tests.test_webhooks import Receiver
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    author = f.analyst(colombia)
    AdvisoryPolicy.objects.create(organization=colombia, four_eyes=False)
    af.grant(author, "org_admin")  # may publish TLP:CLEAR
    return {
        "author": author,
        "colleague": f.analyst(colombia, preferred_language="es"),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "network": af.network("csirtamericas"),
        "collection": f.collection(),
    }


def publish(world, **kwargs):
    values = {
        "title": "Acme Gateway RCE",
        "summary": "Patch now.",
        "severity": "critical",
        "tlp": TLP.GREEN,
        "affected": [{"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway"}],
    }
    values.update(kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        advisory = services.create_draft(
            actor=world["author"],
            network=world["network"],
            collection=world["collection"],
            **values,
        )
        services.submit(actor=world["author"], advisory=advisory)
    return advisory


def subscribe(user, **kwargs):
    networks = kwargs.pop("networks", [])
    subscription = Subscription.objects.create(user=user, **kwargs)
    subscription.networks.set(networks)
    return subscription


def test_immediate_emails_reach_those_who_may_see_it_in_their_language(world):
    subscribe(world["mx"])
    subscribe(world["colleague"])
    subscribe(world["outsider"])
    subscribe(af.UserFactory(), email=EmailMode.NONE)
    advisory = publish(world)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["mx"].email, world["colleague"].email]
    )
    spanish = next(m for m in mail.outbox if m.to == [world["colleague"].email])
    assert "Acme Gateway RCE" in spanish.body and "Patch now." in spanish.body
    assert advisory.reference in spanish.subject


def test_amber_emails_carry_no_content(world):
    subscribe(world["colleague"])
    subscribe(world["mx"])
    publish(world, tlp=TLP.AMBER, title="Secret details")
    assert [m.to for m in mail.outbox] == [[world["colleague"].email]]  # AMBER: same organisation
    assert (
        "Secret details" not in mail.outbox[0].body
        and "Secret details" not in mail.outbox[0].subject
    )
    assert "TLP:AMBER" in mail.outbox[0].body and "/advisories/" in mail.outbox[0].body


def test_filters_by_network_severity_and_product(world):
    subscribe(world["mx"], severities=["low"])
    subscribe(world["colleague"], products=["globex"])
    wanted = subscribe(af.UserFactory(organization=world["mx"].organization), products=["acme"])
    publish(world)
    assert [m.to for m in mail.outbox] == [[wanted.user.email]]


def test_daily_digest(world):
    subscribe(world["mx"], email=EmailMode.DIGEST)
    publish(world, title="First")
    publish(world, title="Second")
    assert mail.outbox == [] and DigestEntry.objects.count() == 2
    assert notify.send_digests() == 1
    assert (
        len(mail.outbox) == 1 and "First" in mail.outbox[0].body and "Second" in mail.outbox[0].body
    )
    assert not DigestEntry.objects.exists()


def test_webhook_delivery(world):
    with Receiver() as receiver:
        endpoint, secret = webhooks.create_endpoint(actor=world["mx"], url=receiver.url)
        subscribe(world["mx"], email=EmailMode.NONE, webhook=endpoint)
        advisory = publish(world)
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        headers, body = request["headers"], request["body"]
        assert webhooks.verify(
            secret, headers["X-CICTE-Timestamp"], body, headers["X-CICTE-Signature"]
        )
        payload = json.loads(body)
        assert payload["event"] == "advisory.published"
        assert payload["data"]["reference"] == advisory.reference
        assert payload["data"]["title"] == "Acme Gateway RCE"
        assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_pages_public_feed_and_audit(world):
    green = publish(world)
    clear = publish(world, tlp=TLP.CLEAR, title="Public patch notice")
    anonymous = Client()
    public = anonymous.get("/advisories/public/").content.decode()
    assert "Public patch notice" in public and "Acme Gateway RCE" not in public
    feed = anonymous.get("/advisories/public/feed.atom")
    assert feed.status_code == 200 and b"Public patch notice" in feed.content
    assert b"Acme Gateway RCE" not in feed.content
    assert anonymous.get(f"/advisories/public/{green.pk}/").status_code == 404
    assert anonymous.get(f"/advisories/public/{clear.pk}/").status_code == 200
    reader = Client()
    reader.force_login(world["mx"])
    assert reader.get(f"/advisories/{green.pk}/").status_code == 200
    outsider = Client()
    outsider.force_login(world["outsider"])
    assert outsider.get(f"/advisories/{green.pk}/").status_code == 404
    from cicte.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="advisories.advisory.view").count() == 1
