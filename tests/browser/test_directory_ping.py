"""A communication check in real headless Chromium: the Secretariat administrator (with TOTP)
launches a check of a network with one designated contact; the contact opens the link from the
email without signing in, sees the confirmation page and presses its one button; the check's
live page, polling with htmx, shows the answer. axe-core checks every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail

from cicte.accounts.tests import factories as af
from cicte.directory.models import CheckRecipient, CommunicationCheck
from cicte.directory.tests import factories as df
from tests.browser.test_login_journey import path_of, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_secretariat_launches_a_check_and_the_contact_answers(
    live_server: Any, open_tab: Any, check_accessibility: Any
):
    from playwright.sync_api import expect

    admin = af.secretariat_admin(full_name="Ana Secretariat")
    device = af.add_totp(admin)
    contact = df.contact(
        af.OrganizationFactory(member_state=af.state("CO")),
        actor=admin,
        name="Colombia CSIRT Duty Desk",
        kind="functional",
        emails=[{"kind": "functional", "address": "desk@example.gov.co"}],
    )
    df.designation(contact, "csirtamericas", "operational", actor=admin)
    network = af.network("csirtamericas")

    secretariat = open_tab(bypass_csp=True)
    page = secretariat.page
    sign_in(page, live_server, admin, device)

    page.goto(f"{live_server.url}/directory/checks/launch/")
    expect(page.locator("h1")).to_have_text("Launch a communication check")
    check_accessibility(page, "the launch form")
    page.get_by_label("Network").select_option(str(network.pk))
    page.get_by_label("Message to the contacts").fill("Annual communication check.")
    with page.expect_navigation():
        page.get_by_role("button", name="Launch the check").click()
    check = CommunicationCheck.objects.get()
    assert path_of(page) == f"/directory/checks/{check.pk}/"
    expect(page.locator(".messages")).to_contain_text("1 contact is asked")
    expect(page.locator("#check-live .badge")).to_have_text("No answer yet")
    check_accessibility(page, "the live page of the check")

    (message,) = mail.outbox
    assert message.to == ["desk@example.gov.co"]
    (path,) = df.links_in([message])

    contact_tab = open_tab(bypass_csp=True)  # another browser profile: nobody is signed in
    answer = contact_tab.page
    answer.goto(f"{live_server.url}{path}")
    assert path_of(answer) == path  # not sent to the login page
    expect(answer.locator("h1")).to_have_text("Communication check")
    expect(answer.locator("main")).to_contain_text("Colombia CSIRT Duty Desk")
    check_accessibility(answer, "the confirmation page")
    assert CheckRecipient.objects.get().responded_at is None  # opening the link changed nothing

    with answer.expect_navigation():
        answer.get_by_role("button", name="Confirm that I received it").click()
    expect(answer.locator("h1")).to_have_text("Thank you")
    expect(answer.locator("main")).to_contain_text("is recorded")
    check_accessibility(answer, "the thank-you page")
    assert CheckRecipient.objects.get().responded_at is not None

    # The live page brings the answer in by itself (htmx polls every 10 seconds).
    expect(page.locator("#check-live .badge")).to_have_text("Answered", timeout=20_000)
    expect(page.locator("#check-live")).to_contain_text("1 of 1 answered")
    assert urlsplit(page.url).path == f"/directory/checks/{check.pk}/"
    check_accessibility(page, "the live page after the answer")
    assert secretariat.errors == []
    assert contact_tab.errors == []


def test_the_ping_pages_keep_to_the_content_security_policy(live_server: Any, open_tab: Any):
    """Under the real policy (script-src 'self', style-src 'self'), the confirmation pages and
    the live page's htmx polling work without a violation or a script error."""
    from playwright.sync_api import expect

    admin = af.secretariat_admin()
    device = af.add_totp(admin)
    contact = df.contact(
        af.OrganizationFactory(member_state=af.state("PE")),
        actor=admin,
        name="Peru Focal Point",
        emails=[{"kind": "institutional", "address": "focal@example.gob.pe"}],
    )
    df.designation(contact, "csirtamericas", "national_poc", actor=admin)
    check = df.communication_check("csirtamericas", actor=admin)
    (path,) = df.links_in(mail.outbox)

    violations: list[str] = []
    tabs = [open_tab(), open_tab()]
    for tab in tabs:
        tab.page.expose_function("cicteReportViolation", lambda text: violations.append(text))
        tab.page.add_init_script(
            """document.addEventListener("securitypolicyviolation", (e) =>
                window.cicteReportViolation(e.violatedDirective + " " + (e.blockedURI || "inline")));"""
        )
    live, answer = (tab.page for tab in tabs)
    sign_in(live, live_server, admin, device)
    live.goto(f"{live_server.url}/directory/checks/{check.pk}/")
    expect(live.locator("#check-live .badge")).to_have_text("No answer yet")

    answer.goto(f"{live_server.url}{path}")
    with answer.expect_navigation():
        answer.get_by_role("button", name="Confirm that I received it").click()
    expect(answer.locator("h1")).to_have_text("Thank you")

    expect(live.locator("#check-live .badge")).to_have_text("Answered", timeout=20_000)
    assert violations == []
    assert [tab.errors for tab in tabs] == [[], []]
