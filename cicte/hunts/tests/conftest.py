"""Fixtures of the retro-hunt tests: uploads go to a temporary private folder; a small world of
two national CSIRTs (Colombia, Mexico) in CSIRTAmericas, a network collection, a sharing group
of the two, and an analyst of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cicte.hunts.tests import helpers

# The browser test's fixtures (Debian's Chromium through Playwright, axe-core).
from tests.browser.conftest import browser, check_accessibility, open_tab  # noqa: F401


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def world(db: Any) -> helpers.World:
    return helpers.world()
