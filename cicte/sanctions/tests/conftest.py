"""Fixtures of the sanctions tests: the real list copies in ``cicte/sanctions/data`` and their
parses (read once per session: the parsers have no side effects)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cicte.sanctions.sources import ParsedList, ofac, un

DATA = Path(__file__).resolve().parent.parent / "data"
UN_FILE = DATA / "un-consolidated-list.xml"
OFAC_FILES = {
    "sdn": DATA / "ofac-sdn.csv",
    "alt": DATA / "ofac-alt.csv",
    "add": DATA / "ofac-add.csv",
    "comments": DATA / "ofac-sdn_comments.csv",
}


@pytest.fixture(scope="session")
def un_list() -> ParsedList:
    return un.parse(UN_FILE)


@pytest.fixture(scope="session")
def ofac_list() -> ParsedList:
    return ofac.parse(
        OFAC_FILES["sdn"], OFAC_FILES["alt"], OFAC_FILES["add"], OFAC_FILES["comments"]
    )
