"""The secure exchange in real headless Chromium: Colombia's point of contact sends an immediate
alert to Mexico from the compose page; Mexico's point of contact, in another browser, finds it in
the exchange, reads it and acknowledges it with one click; back in Colombia, the delivery table
shows Mexico's acknowledgment. axe-core checks every page; no script error or Content-Security-
Policy violation is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.tests.upload_jobs import signed_in_tab
from cicte.messaging.models import Delivery, Message
from cicte.messaging.tests import helpers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_send_an_alert_and_acknowledge_it_from_another_state(
    live_server: Any, open_tab: Any, check_accessibility: Any, login: Any
):
    from playwright.sync_api import expect

    world = helpers.world()
    sender = signed_in_tab(open_tab, login, world.co_user, live_server)
    page = sender.page
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Modules").get_by_role(
        "link", name="Secure exchange"
    ).click()
    expect(page.locator("h1")).to_have_text("Secure exchange")
    check_accessibility(page, "the exchange")
    page.get_by_role("link", name="New message").click()
    expect(page.locator("h1")).to_have_text("New message")
    check_accessibility(page, "the compose page")
    page.locator("#id_network").select_option(label=world.network.localized_name)
    page.locator("#id_sender").select_option(label="Colombia")
    page.locator("#id_kind").select_option(label="Alert")
    page.locator("#id_urgency").select_option(label="Immediate")
    page.locator("#id_tlp").select_option(label="TLP:AMBER")
    page.locator("#id_states").select_option(label="Mexico")
    page.locator("#id_subject").fill("Explosives stolen from a quarry in Antioquia")
    page.locator("#id_body").fill("200 kg of ANFO were stolen last night.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    assert Message.objects.exists(), (page.url, page.content()[:3000], sender.errors)
    message = Message.objects.get()
    assert page.url == f"{live_server.url}/exchange/{message.pk}/"
    expect(page.locator("h1")).to_have_text("Explosives stolen from a quarry in Antioquia")
    check_accessibility(page, "the thread, on the sender's side")
    # The email went to Mexico's point of contact, without the AMBER content.
    assert [m.to for m in mail.outbox] == [[world.mx_user.contacts.get().emails.get().address]]
    assert "ANFO" not in mail.outbox[0].body

    # A second person: signed in through the forms with a client of their own.
    client = Client()
    client.post("/accounts/login/", {"username": world.mx_user.username, "password": af.PASSWORD})
    receiver = open_tab(bypass_csp=True)
    receiver.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    other = receiver.page
    other.goto(f"{live_server.url}/exchange/")
    expect(other.locator("#results tbody tr")).to_have_count(1)
    other.get_by_role("link", name="Explosives stolen from a quarry in Antioquia").click()
    expect(other.locator("h1")).to_have_text("Explosives stolen from a quarry in Antioquia")
    check_accessibility(other, "the thread, on the addressed side")
    with other.expect_navigation():
        other.get_by_role("button", name="Acknowledge receipt").click()
    expect(other.locator(".message--success").first).to_contain_text("Acknowledged")
    expect(other.get_by_role("button", name="Acknowledge receipt")).to_have_count(0)
    delivery = Delivery.objects.get(message=message)
    assert delivery.acknowledged_by == world.mx_user
    assert delivery.read_by == world.mx_user

    page.reload()
    row = page.locator("table tbody tr").filter(has_text="Mexico")
    expect(row).to_contain_text(world.mx_user.get_full_name())
    assert sender.errors == [] and receiver.errors == []
