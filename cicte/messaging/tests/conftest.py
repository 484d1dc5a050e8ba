"""Fixtures of the exchange's tests: attachments go to a temporary private folder; the browser
test's fixtures."""

from cicte.core.tests.upload_jobs import (  # noqa: F401
    browser,
    check_accessibility,
    open_tab,
    private_media,
)
