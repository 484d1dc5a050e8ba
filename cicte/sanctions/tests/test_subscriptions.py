"""Subscriptions of reporting entities: who manages them (the organisation's administrators and the
Secretariat), the pages, bad input, the webhook's secret shown once, and who sees the
notifications and their delays (the Secretariat and the FIUs all, an organisation its own)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent, WebhookEndpoint
from cicte.sanctions import services
from cicte.sanctions.models import ListSubscription, Notification
from cicte.sanctions.tests.helpers import import_un, small_un_xml
from cicte.sanctions.tests.notify_helpers import bank_with_admin

pytestmark = pytest.mark.django_db
LIST = "/sanctions/subscriptions/"
NEW = "/sanctions/subscriptions/new/"
NOTIFICATIONS = "/sanctions/subscriptions/notifications/"
HOOK = "https://hooks.bank.example.org/sanctions"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A bank with its administrator and a plain member, a subscription and a notified version;
    another bank with its own; an FIU analyst; the Secretariat."""
    bank, admin = bank_with_admin()
    member = af.UserFactory(organization=bank)
    other, other_admin = bank_with_admin("other-bank")
    subscription, _secret = services.create_subscription(
        actor=admin, organization=bank, name="Compliance", emails=["compliance@bank.example.org"]
    )
    other_subscription, _secret = services.create_subscription(
        actor=other_admin, organization=other, name="Other desk", emails=["desk@other.example.org"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = import_un(small_un_xml()).version
    fiu = af.UserFactory(
        organization=af.OrganizationFactory(kind=OrganizationKind.FIU, slug="fiu-x")
    )
    return {
        "bank": bank,
        "admin": admin,
        "member": member,
        "other": other,
        "other_admin": other_admin,
        "subscription": subscription,
        "other_subscription": other_subscription,
        "version": version,
        "fiu": fiu,
        "secretariat": af.secretariat_admin(),
    }


def test_visibility_of_subscriptions_and_notifications(world):
    subscriptions = ListSubscription.objects
    assert set(subscriptions.visible_to(world["admin"])) == {world["subscription"]}
    assert set(subscriptions.visible_to(world["secretariat"])) == {
        world["subscription"],
        world["other_subscription"],
    }
    assert not subscriptions.visible_to(world["member"]).exists()
    assert not subscriptions.visible_to(world["fiu"]).exists()
    assert not subscriptions.visible_to(None).exists()

    notifications = Notification.objects
    assert notifications.count() == 2
    assert {n.organization for n in notifications.visible_to(world["member"])} == {world["bank"]}
    assert {n.organization for n in notifications.visible_to(world["other_admin"])} == {
        world["other"]
    }
    assert notifications.visible_to(world["fiu"]).count() == 2
    assert notifications.visible_to(world["secretariat"]).count() == 2
    assert not notifications.visible_to(af.UserFactory()).exists()


def test_the_pages_show_each_person_what_they_may_see(world, login, client):
    url = f"/sanctions/un/versions/{world['version'].number}/"
    assert client.get(LIST).status_code == 302  # anonymous: to the login page

    login(world["admin"])
    page = client.get(LIST).content.decode()
    assert "Compliance" in page and "Other desk" not in page and "New subscription" in page
    assert client.get(f"{LIST}{world['other_subscription'].pk}/").status_code == 404
    assert client.get(f"{LIST}{world['other_subscription'].pk}/delete/").status_code == 404
    version_page = client.get(url).content.decode()
    assert "Reporting entities notified" in version_page
    assert world["bank"].name in version_page and world["other"].name not in version_page
    notifications = client.get(NOTIFICATIONS).content.decode()
    assert world["bank"].name in notifications and world["other"].name not in notifications
    assert "Delays over the last 30 days" in notifications
    partial = client.get(NOTIFICATIONS, headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<section id="results"')
    assert world["bank"].name in partial.content.decode() and "HX-Request" in partial["Vary"]
    index = client.get("/sanctions/").content.decode()
    assert "Notification of changes over the last 30 days" in index
    assert re.search(r"median [\d.]+ s, worst [\d.]+ s \(1 emails\)", index)
    client.logout()

    login(world["member"])
    page = client.get(LIST).content.decode()
    assert "Compliance" not in page and "New subscription" not in page
    assert client.get(NEW).status_code == 403
    assert client.get(f"{LIST}{world['subscription'].pk}/").status_code == 404
    assert world["bank"].name in client.get(NOTIFICATIONS).content.decode()
    client.logout()

    login(world["fiu"])
    version_page = client.get(url).content.decode()
    assert world["bank"].name in version_page and world["other"].name in version_page


def test_an_administrator_subscribes_through_the_page_and_sees_the_secret_once(
    world, login, client
):
    login(world["admin"])
    form = client.get(NEW).content.decode()
    assert f'value="{world["bank"].pk}" selected' in form
    response = client.post(
        NEW,
        {
            "organization": world["bank"].pk,
            "name": "Treasury",
            "emails": "treasury@bank.example.org, ops@bank.example.org",
            "language": "pt",
            "webhook_url": HOOK,
            "is_active": "on",
        },
    )
    assert response.status_code == 201
    subscription = ListSubscription.objects.get(name="Treasury")
    assert subscription.emails == ["treasury@bank.example.org", "ops@bank.example.org"]
    assert subscription.language == "pt" and list(subscription.lists.all()) == []
    endpoint = subscription.webhook
    assert endpoint.owner == world["admin"] and endpoint.url == HOOK
    assert endpoint.secret in response.content.decode()
    assert "shown only this once" in response.content.decode()
    assert AuditEvent.objects.filter(action="sanctions.subscription_create").count() == 3

    # Changing other fields keeps the endpoint and shows no secret.
    response = client.post(
        f"{LIST}{subscription.pk}/",
        {"name": "Treasury", "emails": "treasury@bank.example.org", "language": "pt",
         "webhook_url": HOOK, "lists": [world["version"].sanctions_list.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.webhook == endpoint and subscription.is_active is False
    assert [item.key for item in subscription.lists.all()] == ["un"]

    # Rotating: a new secret, shown once.
    assert client.get(f"{LIST}{subscription.pk}/rotate/").status_code == 200
    response = client.post(f"{LIST}{subscription.pk}/rotate/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret in response.content.decode()

    response = client.post(f"{LIST}{subscription.pk}/delete/")
    assert response.status_code == 302
    assert not ListSubscription.objects.filter(pk=subscription.pk).exists()


def test_bad_input_says_what_to_fix_and_writes_nothing(world, login, client):
    login(world["admin"])
    before = ListSubscription.objects.count()
    response = client.post(
        NEW,
        {"organization": world["bank"].pk, "name": "X", "emails": "not-an-address, ok@bank.example.org",
         "language": "en"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "not-an-address is not a valid email address." in response.content.decode()
    response = client.post(
        NEW, {"organization": world["bank"].pk, "name": "X", "emails": "", "language": "en"}
    )
    assert response.status_code == 400
    assert "Give at least one email address or a webhook URL." in response.content.decode()
    with override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False):
        response = client.post(
            NEW,
            {"organization": world["bank"].pk, "name": "X", "language": "en",
             "webhook_url": "https://127.0.0.1/hook"},
        )  # fmt: skip
    assert response.status_code == 400
    assert "resolves to a private or local address" in response.content.decode()
    # An organisation the person does not manage is not offered.
    response = client.post(
        NEW,
        {"organization": world["other"].pk, "name": "X", "emails": "a@b.example.org",
         "language": "en"},
    )  # fmt: skip
    assert response.status_code == 400
    assert ListSubscription.objects.count() == before
    assert not WebhookEndpoint.objects.exists()


def test_services_refuse_who_does_not_manage_and_keep_the_secret_in_the_organisation(world):
    with pytest.raises(PermissionDenied):
        services.create_subscription(
            actor=world["member"], organization=world["bank"], name="X", emails=["a@b.org"]
        )
    with pytest.raises(PermissionDenied):
        services.update_subscription(
            actor=world["other_admin"], subscription=world["subscription"], name="X",
            emails=["a@b.org"],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.delete_subscription(actor=world["other_admin"], subscription=world["subscription"])
    # The Secretariat manages the bank's subscriptions, but the webhook's secret is the bank's.
    subscription, secret = services.create_subscription(
        actor=world["secretariat"], organization=world["bank"], name="By the Secretariat",
        emails=["x@bank.example.org"],
    )  # fmt: skip
    assert secret is None and subscription.created_by == world["secretariat"]
    with pytest.raises(ValidationError) as error:
        services.update_subscription(
            actor=world["secretariat"], subscription=subscription, name="By the Secretariat",
            emails=["x@bank.example.org"], webhook_url=HOOK,
        )  # fmt: skip
    assert "one of its administrators sets the webhook" in str(error.value.message_dict)
    # Another administrator of the bank takes the webhook over with an endpoint of their own.
    subscription, secret = services.update_subscription(
        actor=world["admin"], subscription=subscription, name="By the Secretariat",
        emails=["x@bank.example.org"], webhook_url=HOOK,
    )  # fmt: skip
    second_admin = af.UserFactory(organization=world["bank"])
    af.grant(second_admin, "org_admin", organization=world["bank"])
    new_secret = services.rotate_subscription_secret(actor=second_admin, subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.webhook.owner == second_admin and subscription.webhook.url == HOOK
    assert new_secret != secret and subscription.webhook.secret == new_secret
    with pytest.raises(ValidationError):
        services.rotate_subscription_secret(actor=world["secretariat"], subscription=subscription)


def test_deleting_a_subscription_keeps_its_notifications(world):
    services.delete_subscription(actor=world["admin"], subscription=world["subscription"])
    kept = Notification.objects.visible_to(world["member"]).get()
    assert kept.subscription is None and kept.organization == world["bank"]
    assert AuditEvent.objects.filter(action="sanctions.subscription_delete").exists()
