"""The retro-hunt in real headless Chromium: a CSIRT analyst (signed in through the real forms by
the ``login`` fixture, their session handed to the browser) opens the retro-hunt from the main
navigation, uploads a log file, lands on the job's page with its matches (the worker runs when
the upload commits: huey is immediate in the tests), filters them (htmx swaps the results) and
reports them as anonymous sightings. axe-core checks every page; no script error or
Content-Security-Policy violation is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cicte.core.choices import TLP
from cicte.core.tests.upload_jobs import signed_in_tab
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob
from cicte.hunts.tests import helpers
from cicte.intel.models import StixObject

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOG = """\
2026-11-23T08:00:01Z fw ACCEPT SRC=10.1.2.3 DST=3fff:a1:ce55::23 DPT=443
23-Nov-2026 08:00:02.100 queries: info: client 10.1.2.3#5353: query: cdn.evil-domain.example.com IN A
2026-11-23T08:00:03Z fw ACCEPT SRC=10.1.2.3 DST=8.8.8.8 DPT=53
2026-11-23T08:00:04Z fw ACCEPT SRC=10.1.2.3 DST=192.0.2.80 DPT=443
"""


def test_analyst_uploads_a_log_and_reads_the_matches(
    live_server: Any,
    open_tab: Any,
    check_accessibility: Any,
    login: Any,
    tmp_path: Path,
):
    from playwright.sync_api import expect

    world = helpers.world()
    helpers.share(
        world.other,
        world.network,
        helpers.indicator("[domain-name:value = 'evil-domain.example.com']"),
        helpers.indicator("[ipv4-addr:value = '8.8.8.8']"),
    )
    helpers.share(
        world.other,
        world.group,
        helpers.indicator("[ipv6-addr:value = '3fff:a1:ce55::23']", label=TLP.AMBER),
    )
    log = tmp_path / "gateway-2026-11-23.log"
    log.write_text(LOG)

    tab = signed_in_tab(open_tab, login, world.analyst, live_server)
    page = tab.page
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Retro-hunt").click()
    expect(page.locator("h1")).to_have_text("Retro-hunt")
    check_accessibility(page, "the list of hunts")

    page.get_by_role("link", name="New hunt").click()
    expect(page.locator("h1")).to_have_text("New hunt")
    check_accessibility(page, "the upload form")
    page.get_by_label("Log or observables file").set_input_files(str(log))
    with page.expect_navigation():
        page.get_by_role("button", name="Start the hunt").click()

    job = HuntJob.objects.get()
    assert job.status == HuntStatus.COMPLETE, job.error
    assert page.url == f"{live_server.url}/hunts/{job.pk}/"
    expect(page.locator("h1")).to_have_text("gateway-2026-11-23.log")
    expect(page.locator("#results-heading")).to_have_text("2 matches")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3fff:a1:ce55::23")
    expect(rows.nth(0).locator(".tlp")).to_have_text("TLP:AMBER")
    expect(rows.nth(1)).to_contain_text("cdn.evil-domain.example.com")
    expect(rows.nth(1)).to_contain_text("Subdomain")
    expect(page.locator("main")).to_contain_text(
        "Suppressed (known-benign values on a warninglist)"
    )
    check_accessibility(page, "the job's page")

    # htmx swaps in the filtered results.
    page.get_by_label("Kind of value").select_option("domain")
    expect(page.locator("#results-heading")).to_have_text("1 match")
    expect(page.locator("#results tbody tr")).to_have_count(1)

    page.get_by_label("Report anonymously: the sightings do not name your organisation").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Report matches as sightings").click()
    expect(page.locator(".messages")).to_contain_text("Sightings stored: 2. Skipped: 0")
    check_accessibility(page, "the job's page after the report")
    assert StixObject.objects.filter(type="sighting").count() == 2
    assert tab.errors == []
