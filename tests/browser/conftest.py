"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser), headless,
against pytest-django's live server; axe-core checks each page for accessibility."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; the tests still call the ORM from it
# (factories), which Django would otherwise refuse as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# As root Chromium needs --no-sandbox; the rest keep it from reaching out to the network or
# needing a GPU or a large /dev/shm on CI machines.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_configure(config: pytest.Config) -> None:
    # Known to pytest even when xdist is disabled (`-p no:xdist`) and markers are strict.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


@pytest.fixture
def browser(transactional_db: Any) -> Iterator[Any]:
    """Chromium for one test. Not session-wide on purpose: while Playwright's sync API is
    active its event loop counts as running in this thread, and Django then keeps separate
    database connections for "async" code; the test database's own connection (which holds the
    serialized reference data restored by serialized_rollback, and flushes it) must be the one
    in use when each test is set up and torn down. Depending on ``transactional_db`` makes
    this fixture start after, and stop before, the database's."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM} "
            "(`make browser-deps` installs it with apt-get)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
            # The connections opened while the loop was running belong to that "async"
            # storage; close them here, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()


@dataclass
class Tab:
    """A page in a fresh browser profile, with the script errors, console errors
    (Content-Security-Policy violations among them) and failed requests it met."""

    page: Any
    errors: list[str] = field(default_factory=list)


def _console(tab: Tab, message: Any) -> None:
    # Failed loads are reported with their address by _response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        tab.errors.append(message.text)


def _response(tab: Tab, response: Any) -> None:
    # Browsers ask for /favicon.ico on their own; the pages do not link it.
    if response.status >= 400 and urlsplit(response.url).path != "/favicon.ico":
        tab.errors.append(f"{response.status} {response.url}")


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """Open a page in a fresh profile. ``bypass_csp=True`` only so that axe-core can be
    injected; ``test_pages_keep_to_the_content_security_policy`` checks the pages under the
    real policy."""
    contexts: list[Any] = []

    def open_(*, bypass_csp: bool = False) -> Tab:
        context = browser.new_context(bypass_csp=bypass_csp, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = Tab(page=context.new_page())
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tab.page.on("console", lambda msg: _console(tab, msg))
        tab.page.on("response", lambda response: _response(tab, response))
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def check_accessibility() -> Callable[[Any, str], None]:
    """Run axe-core on the page and fail on any serious or critical violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE.relative_to(ROOT)}: run `make install` (npm ci).")

    def check(page: Any, label: str) -> None:
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe-core on {label} ({page.url}):\n" + json.dumps(blocking, indent=2)

    return check
