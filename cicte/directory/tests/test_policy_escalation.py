"""A network's escalation delay for the secure exchange, kept in its directory policy: shown on
the policy page (the platform default, labelled, when the network sets none), set by the
Secretariat on the policy form through ``update_policy`` (audited), refused out of 1..10080 with
a message that says what to enter, on the form (400) and in the service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import services
from cicte.directory.models import DirectoryPolicy

pytestmark = pytest.mark.django_db

IANAT = "inter-american-network-against-terrorism"
URL = f"/directory/networks/{IANAT}/policy/"
MESSAGE = (
    "Enter a number of minutes from 1 to 10080 (one week), or leave it empty for the platform "
    "default."
)


@pytest.fixture(autouse=True)
def _default(settings):
    settings.EXCHANGE_ESCALATE_AFTER_MINUTES = 30


@pytest.fixture
def admin():
    user = af.secretariat_admin(full_name="Secretariat Admin")
    af.add_totp(user)
    return user


def _data(minutes: str) -> dict[str, Any]:
    """The policy form as the seeded policy fills it, with the escalation delay ``minutes``."""
    return {
        "requires_confirmation": "on",
        "verification_days": "180",
        "reminder_days": "14",
        "sensitive_fields": "same_state",
        "roles": ["national_poc", "alternate", "operational"],
        "exchange_escalate_after_minutes": minutes,
        "attributes-TOTAL_FORMS": "0",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "20",
    }


def _minutes() -> int | None:
    return DirectoryPolicy.objects.get(network__slug=IANAT).exchange_escalate_after_minutes


def test_the_policy_page_shows_the_default_then_the_network_delay(client, login, admin):
    coordinator = af.national_coordinator("AR", IANAT)
    af.add_totp(coordinator)
    login(coordinator)
    page = client.get(URL).content.decode()
    assert "Escalation of unacknowledged immediate messages (secure exchange)" in page
    assert "after 30 minutes (the platform default)" in page

    services.update_policy(
        actor=admin, network=af.network(IANAT), exchange_escalate_after_minutes=15
    )
    page = client.get(URL).content.decode()
    assert "after 15 minutes" in page
    assert "platform default" not in page


def test_the_secretariat_sets_it_on_the_policy_form(client, login, admin):
    login(admin)
    form = client.get(URL + "edit/").context["form"]
    assert form.initial["exchange_escalate_after_minutes"] is None
    assert (
        "the platform default (30 minutes)"
        in form.fields["exchange_escalate_after_minutes"].help_text
    )

    response = client.post(URL + "edit/", _data("15"))
    assert response.status_code == 302
    assert _minutes() == 15
    event = AuditEvent.objects.filter(action="directory.policy.update").latest("pk")
    assert event.actor == admin
    assert event.changes == {"exchange_escalate_after_minutes": [None, 15]}
    assert (
        client.get(URL + "edit/").context["form"].initial["exchange_escalate_after_minutes"] == 15
    )

    # Emptied: back to the platform default.
    assert client.post(URL + "edit/", _data("")).status_code == 302
    assert _minutes() is None
    event = AuditEvent.objects.filter(action="directory.policy.update").latest("pk")
    assert event.changes == {"exchange_escalate_after_minutes": [15, None]}


@pytest.mark.parametrize("value", ["0", "-5", "10081", "fifteen"])
def test_the_form_refuses_what_is_out_of_range(client, login, admin, value):
    services.update_policy(
        actor=admin, network=af.network(IANAT), exchange_escalate_after_minutes=20
    )
    before = AuditEvent.objects.filter(action="directory.policy.update").count()
    login(admin)
    response = client.post(URL + "edit/", _data(value))
    assert response.status_code == 400
    assert response.context["form"].errors["exchange_escalate_after_minutes"] == [MESSAGE]
    assert MESSAGE in response.content.decode()
    assert _minutes() == 20
    assert AuditEvent.objects.filter(action="directory.policy.update").count() == before


@pytest.mark.parametrize("value", [0, -5, 10081])
def test_the_service_refuses_what_is_out_of_range(admin, value):
    network = af.network(IANAT)
    services.update_policy(actor=admin, network=network, exchange_escalate_after_minutes=20)
    with pytest.raises(ValidationError) as error:
        services.update_policy(actor=admin, network=network, exchange_escalate_after_minutes=value)
    assert MESSAGE in error.value.message_dict["exchange_escalate_after_minutes"]
    assert _minutes() == 20


@pytest.mark.parametrize("value", [1, 10080])
def test_the_bounds_are_accepted(admin, value):
    services.update_policy(
        actor=admin, network=af.network(IANAT), exchange_escalate_after_minutes=value
    )
    assert _minutes() == value


def test_the_database_refuses_what_is_out_of_range_too():
    policy = DirectoryPolicy.objects.get(network__slug=IANAT)
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectoryPolicy.objects.filter(pk=policy.pk).update(exchange_escalate_after_minutes=0)


def test_only_the_secretariat_sets_it(client, login):
    coordinator = af.national_coordinator("AR", IANAT)
    af.add_totp(coordinator)
    login(coordinator)
    assert client.post(URL + "edit/", _data("15")).status_code == 403
    assert _minutes() is None
    with pytest.raises(PermissionDenied):
        services.update_policy(
            actor=coordinator, network=af.network(IANAT), exchange_escalate_after_minutes=15
        )
    assert _minutes() is None
