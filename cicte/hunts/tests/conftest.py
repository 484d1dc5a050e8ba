"""Fixtures of the retro-hunt tests: uploads go to a temporary private folder; a small world of
two national CSIRTs (Colombia, Mexico) in CSIRTAmericas, a network collection, a sharing group
of the two, and an analyst of each."""

from __future__ import annotations

from typing import Any

import pytest

# Uploads in a temporary private folder, and the browser test's fixtures.
from cicte.core.tests.upload_jobs import (  # noqa: F401
    browser,
    check_accessibility,
    open_tab,
    private_media,
)
from cicte.hunts.tests import helpers


@pytest.fixture
def world(db: Any) -> helpers.World:
    return helpers.world()
