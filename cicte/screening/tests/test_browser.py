"""Batch screening in real headless Chromium: a bank's compliance analyst (signed in through the
real forms by the ``login`` fixture, their session handed to the browser) goes from the
sanctions lists to name screening, uploads a customer file, lands on the job's page once the
worker has run it (huey is immediate in the tests: the job runs when the upload commits), opens
a hit and marks it a false positive with a reason. axe-core checks every page; no script error
or Content-Security-Policy violation is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cicte.core.tests.upload_jobs import signed_in_tab
from cicte.screening.choices import JobStatus, Verdict
from cicte.screening.models import HitDecision, ScreeningJob
from cicte.screening.tests import helpers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_analyst_screens_a_file_and_clears_a_false_positive(
    live_server: Any,
    open_tab: Any,
    check_accessibility: Any,
    login: Any,
    tmp_path: Path,
):
    from playwright.sync_api import expect

    world = helpers.world()
    customers = tmp_path / "clientes-noviembre.csv"
    customers.write_text(helpers.csv_text(helpers.CUSTOMERS), encoding="utf-8")

    tab = signed_in_tab(open_tab, login, world.analyst, live_server)
    page = tab.page
    page.goto(f"{live_server.url}/sanctions/")
    page.get_by_role("link", name="Name screening").click()
    expect(page.locator("h1")).to_have_text("Sanctions screening")
    check_accessibility(page, "the screening page")

    page.get_by_role("link", name="Batch screening of a customer file").click()
    expect(page.locator("h1")).to_have_text("Batch screening")
    page.get_by_role("link", name="Screen a customer file").click()
    check_accessibility(page, "the upload form")
    page.get_by_label("Customer file (CSV)").set_input_files(str(customers))
    page.get_by_label("Threshold").fill("0.8")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the screening").click()

    job = ScreeningJob.objects.get()
    assert job.status == JobStatus.COMPLETE, (job.error, job.report)
    assert page.url == f"{live_server.url}/sanctions/screening/jobs/{job.pk}/"
    expect(page.locator("h1")).to_have_text("clientes-noviembre.csv")
    expect(page.locator("#results-heading")).to_have_text("3 hits")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Miguel Angel RODRIGUEZ OREJUELA")
    check_accessibility(page, "the job's page")

    rows.nth(1).get_by_role("link", name="Decide").click()
    expect(page.locator("h1")).to_have_text("Hit on record C-3")
    expect(page.locator("main")).to_contain_text("Contributions to the score")
    check_accessibility(page, "the hit's page")
    page.get_by_label("False positive").check()
    page.get_by_label("Reason").fill("Namesake: born in 1988, the listed person in 1943.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messages")).to_contain_text("The decision is recorded.")
    expect(page.locator("main")).to_contain_text("Namesake: born in 1988")
    check_accessibility(page, "the hit's page after the decision")
    decision = HitDecision.objects.get()
    assert decision.verdict == Verdict.FALSE_POSITIVE and decision.record_id == "C-3"
    assert decision.decided_by == world.analyst

    page.goto(f"{live_server.url}/sanctions/screening/jobs/{job.pk}/")
    page.get_by_label("Decision").select_option("false_positive")
    expect(page.locator("#results-heading")).to_have_text("1 hit")
    assert tab.errors == []
