"""Page links of a paginated list in real headless Chromium: htmx swaps in the next page's
results alone, whether the view answers with its results template or with the whole page (the
links select ``#results`` from the response), and the address follows."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.intel.tests import factories as intel

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_next_page_replaces_the_results_only(live_server: Any, open_tab: Any) -> None:
    from playwright.sync_api import expect

    author = intel.analyst(intel.csirt("CO"))
    af.grant(author, "org_admin")  # may publish TLP:CLEAR
    target = intel.collection()
    objects = [intel.indicator(f"198.51.100.{i}", label=TLP.CLEAR) for i in range(1, 56)]
    assert intel.post(author, target, objects).success_count == 55

    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server.url}/intel/public/")
    expect(page.locator("#results tbody tr")).to_have_count(50)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#results nav.pagination")).to_contain_text("Page 2 of 2")
    expect(page.locator("#results tbody tr")).to_have_count(5)
    # one page, not a page within the page
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#results")).to_have_count(1)
    assert page.url.endswith("/intel/public/?page=2")
    page.get_by_role("link", name="Previous page").click()
    expect(page.locator("#results tbody tr")).to_have_count(50)
    expect(page.locator("header.site-header")).to_have_count(1)
    assert not tab.errors, tab.errors
