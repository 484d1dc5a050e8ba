"""Designating a contact in real headless Chromium: a national coordinator signs in with a TOTP
code, records a contact, designates it to their network with its note verbale, and finds it in
the directory search (htmx swapping the results); axe-core checks every page, and the pages keep
to the Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage

from cicte.accounts.tests import factories
from cicte.directory.choices import DesignationStatus
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as directory_factories
from tests.browser.test_login_journey import path_of, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n% note verbale\n"


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """The uploaded note verbale goes to a throwaway directory (the live server runs in this
    process)."""
    field = ContactDesignation._meta.get_field("document")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))


def test_coordinator_records_and_designates_a_contact_then_finds_it(
    live_server: Any, open_tab: Any, check_accessibility: Any
):
    organization = factories.OrganizationFactory(
        name="CERT.ar", acronym="CERTAR", member_state=factories.state("AR")
    )
    coordinator = factories.national_coordinator(
        "AR", "csirtamericas", organization=organization, full_name="Coordinadora Argentina"
    )
    device = factories.add_totp(coordinator)
    tab = open_tab(bypass_csp=True)
    page = tab.page
    sign_in(page, live_server, coordinator, device)

    page.goto(f"{live_server.url}/directory/")
    check_accessibility(page, "the directory search, empty")
    with page.expect_navigation():
        page.locator(".subnav").get_by_role("link", name="Add a contact").click()
    assert path_of(page) == "/directory/contacts/new/"
    check_accessibility(page, "the contact form")

    page.select_option("select[name=organization]", str(organization.pk))
    page.locator("input[name=name]").fill("Guardia CERT.ar")
    page.locator("input[name=title]").fill("Duty desk")
    page.get_by_label("Functional contact (duty desk, watch office)").check()
    page.get_by_label("24/7", exact=True).check()
    page.select_option("select[name=time_zone]", "America/Argentina/Buenos_Aires")
    page.locator("input[name=phones-0-number]").fill("+54 11 4342-6000")
    page.select_option("select[name=phones-1-kind]", "24_7")
    page.locator("input[name=phones-1-number]").fill("+54 11 4342-6099")
    page.locator("input[name=emails-0-address]").fill("guardia@cert.example.ar")
    page.get_by_label("Spanish", exact=True).check()
    page.get_by_label("English", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add the contact").click()
    contact = Contact.objects.get(name="Guardia CERT.ar")
    assert path_of(page) == f"/directory/contacts/{contact.pk}/"
    assert contact.is_24_7
    assert sorted(contact.phones.values_list("number", flat=True)) == [
        "+541143426000",
        "+541143426099",
    ]
    check_accessibility(page, "the contact's page")

    with page.expect_navigation():
        page.get_by_role("link", name="Designate to a network").click()
    assert path_of(page) == f"/directory/contacts/{contact.pk}/designate/"
    check_accessibility(page, "the designation form")
    page.select_option("select[name=role]", "national_poc")
    page.locator("input[name=note_verbale_number]").fill("NV-ARG-2025-101")
    page.locator("input[name=note_verbale_date]").fill("2025-04-02")
    page.set_input_files(
        "input[name=document]",
        files=[{"name": "nv-101.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.locator("input[name=attr_constituency]").fill("Argentine public administration")
    with page.expect_navigation():
        page.get_by_role("button", name="Designate", exact=True).click()
    designation = ContactDesignation.objects.get(contact=contact)
    assert path_of(page) == f"/directory/designations/{designation.pk}/"
    assert designation.status == DesignationStatus.ACTIVE  # CSIRTAmericas needs no confirmation
    assert designation.attributes == {
        "constituency": "Argentine public administration",
        "first_member": False,  # a box left unticked answers no
    }
    assert designation.document.read() == PDF
    assert "The designation is in force." in page.locator(".messages").inner_text()
    check_accessibility(page, "the designation's page")

    # Another contact of the network, so that the search has something to filter out.
    directory_factories.designation(
        directory_factories.contact(
            factories.OrganizationFactory(member_state=factories.state("CL")), name="Otro Contacto"
        ),
        "csirtamericas",
        "technical",
    )
    page.goto(f"{live_server.url}/directory/")
    results = page.locator("#results")
    assert "Guardia CERT.ar" in results.inner_text()
    assert "Otro Contacto" in results.inner_text()
    page.locator("input[name=q]").fill("guardia")  # htmx swaps the results as one types
    page.wait_for_function(
        "() => !document.querySelector('#results').innerText.includes('Otro Contacto')"
    )
    row = page.locator("#results tbody tr")
    assert row.count() == 1
    assert "Guardia CERT.ar" in row.inner_text()
    assert "National point of contact" in row.inner_text()
    assert "24/7" in row.inner_text()
    assert "q=guardia" in page.url  # the filtered list has its own address
    check_accessibility(page, "the directory search, filtered")
    assert tab.errors == []


def test_directory_pages_keep_to_the_content_security_policy(live_server: Any, open_tab: Any):
    """Under the real policy (script-src 'self', style-src 'self'), the directory's pages trigger
    no violation and no script error."""
    organization = factories.OrganizationFactory(member_state=factories.state("AR"))
    coordinator = factories.national_coordinator("AR", "csirtamericas", organization=organization)
    device = factories.add_totp(coordinator)
    contact = directory_factories.contact(organization, name="Mesa de Ayuda", availability="24_7")
    designation = directory_factories.designation(contact, "csirtamericas", "operational")
    tab = open_tab()
    violations: list[str] = []
    tab.page.expose_function("cicteReportViolation", lambda text: violations.append(text))
    tab.page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) =>
            window.cicteReportViolation(e.violatedDirective + " " + (e.blockedURI || "inline")));"""
    )
    sign_in(tab.page, live_server, coordinator, device)
    for path in (
        "/directory/",
        f"/directory/contacts/{contact.pk}/",
        f"/directory/contacts/{contact.pk}/edit/",
        f"/directory/designations/{designation.pk}/",
        "/directory/designations/my-state/",
        "/directory/networks/csirtamericas/roster/",
        "/directory/networks/csirtamericas/policy/",
    ):
        tab.page.goto(f"{live_server.url}{path}")
        assert path_of(tab.page) == path
    # The roster's print button is shown by the script (it does nothing without one).
    tab.page.goto(f"{live_server.url}/directory/networks/csirtamericas/roster/")
    assert tab.page.locator("[data-print]").is_visible()
    assert violations == []
    assert tab.errors == []
