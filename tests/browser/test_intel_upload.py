"""Intelligence in real headless Chromium: a CSIRT analyst (with TOTP) uploads the OASIS Poison
Ivy bundle to their network's collection, reads the outcome of the upload, finds the Poison Ivy
malware by name in the collection (the filters swap the results with htmx) and opens its page,
with its relationships and the report that cites it. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.accounts.tests import factories as af
from cicte.intel.models import Ingest
from cicte.intel.tests import factories as f
from tests.browser.test_login_journey import path_of, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_analyst_uploads_a_bundle_and_opens_an_object(
    live_server: Any, open_tab: Any, check_accessibility: Any
):
    from playwright.sync_api import expect

    analyst = f.analyst(f.csirt("CO"), full_name="Camila Analyst")
    device = af.add_totp(analyst)
    collection = f.collection(title="CSIRTAmericas indicators")
    objects = f.bundle()

    tab = open_tab(bypass_csp=True)
    page = tab.page
    sign_in(page, live_server, analyst, device)

    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Intelligence").click()
    expect(page.locator("h1")).to_have_text("Threat intelligence")
    expect(page.locator("main")).to_contain_text("CSIRTAmericas indicators")
    check_accessibility(page, "the collections")

    page.goto(f"{live_server.url}/intel/upload/?collection={collection.pk}")
    expect(page.locator("h1")).to_have_text("Upload a STIX bundle")
    check_accessibility(page, "the upload form")
    page.get_by_label("JSON file").set_input_files(str(f.DATA / "threat-reports_poisonivy.json"))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    ingest = Ingest.objects.get()
    assert path_of(page) == f"/intel/ingests/{ingest.pk}/"
    total = len(objects)
    expect(page.locator("#ingest-live")).to_contain_text(
        f"{total} received · {total} stored · 0 refused · 0 pending"
    )
    check_accessibility(page, "the upload's status")

    page.goto(f"{live_server.url}/intel/collections/{collection.pk}/")
    expect(page.locator("#results-heading")).to_have_text(f"{total} objects")
    page.get_by_label("Name").fill("Poison Ivy")
    # htmx brings in the filtered results without reloading the page: the malware and the
    # report about it.
    expect(page.locator("#results tbody tr")).to_have_count(2)
    check_accessibility(page, "the collection's objects")
    with page.expect_navigation():
        page.locator("#results tbody").get_by_role("link", name="Poison Ivy", exact=True).click()
    expect(page.locator("h1")).to_have_text("Poison Ivy")
    expect(page.locator("main .lead .tlp")).to_have_text("TLP:AMBER")
    expect(page.locator("#relationships-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Poison Ivy: Assessing Damage and Extracting Intelligence"
    )
    check_accessibility(page, "the object's page")
    assert tab.errors == []
