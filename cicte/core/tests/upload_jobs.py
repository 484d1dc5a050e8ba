"""Helpers of the tests of upload jobs (:mod:`cicte.core.jobs`: the retro-hunt's, batch
screening's), for their conftests and tests: uploads in a temporary private folder, the browser
test's fixtures, the people who must not reach a job, and a browser tab signed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cicte.accounts.tests import factories as af

# The browser test's fixtures (Debian's Chromium through Playwright, axe-core).
from tests.browser.conftest import browser, check_accessibility, open_tab  # noqa: F401


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a temporary private folder (import it into the app's conftest)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def person(world: Any, who: str) -> Any:
    """The person ``who`` of the app's test world, or a Secretariat administrator (with the
    second factor the role requires) for ``"secretariat"``."""
    if who == "secretariat":
        admin = af.secretariat_admin()
        af.add_totp(admin)
        return admin
    return getattr(world, who)


def signed_in_tab(new_tab: Any, login: Any, user: Any, live_server: Any) -> Any:
    """A browser tab (of ``new_tab``, the ``open_tab`` fixture, where axe-core may be injected)
    with the session of ``user``, signed in through the real forms by the ``login`` fixture."""
    session = login(user).cookies["sessionid"].value
    tab = new_tab(bypass_csp=True)
    tab.page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return tab
