"""The demo: the demo bank subscribes to every list before the lists are imported, so that the
demo's versions show who was told of them; a second run writes nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.sanctions import demo
from cicte.sanctions.models import ListSubscription, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_bank_is_told_of_the_demo_versions(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(demo, "FILES", {"un": demo.FILES["un"]})  # the UN list is enough here
    bank = af.OrganizationFactory(
        slug=demo.BANK, kind=OrganizationKind.PRIVATE, member_state=af.state("CO")
    )
    admin = af.secretariat_admin()
    notes: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(admin=admin, note=lambda what, created: notes.append(what), log=lambda _m: None)
    subscription = ListSubscription.objects.get(organization=bank)
    assert subscription.emails == [demo.BANK_MAILBOX] and not subscription.lists.exists()
    assert notes[0] == "sanctions subscription of banco-demo-co"
    notification = Notification.objects.get()
    assert notification.subscription == subscription and notification.version.number == 1
    assert notification.email_sent_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [demo.BANK_MAILBOX]

    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(admin=admin, note=lambda what, created: notes.append(what), log=lambda _m: None)
    assert AuditEvent.objects.count() == events
    assert ListSubscription.objects.count() == 1 and Notification.objects.count() == 1
    assert len(mail.outbox) == 1 and len(notes) == 2
