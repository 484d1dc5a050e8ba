"""Fixtures of the screening tests: uploads go to a temporary private folder; a small world of a
bank (two compliance analysts), another bank, and two small lists imported through the one
import path (``cicte.sanctions.services.import_list``)."""

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
from cicte.screening.tests import helpers


@pytest.fixture
def world(db: Any) -> helpers.World:
    return helpers.world()
