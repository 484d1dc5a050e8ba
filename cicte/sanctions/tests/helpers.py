"""Helpers of the sanctions tests: a small UN list cut from the real file, and edits of it."""

from __future__ import annotations

import hashlib
import io
import re
from functools import cache

from cicte.sanctions import services
from cicte.sanctions.sources import un
from cicte.sanctions.tests.conftest import UN_FILE

ENTITY_RE = re.compile(r"\s*<(INDIVIDUAL|ENTITY)>.*?</\1>", re.S)


@cache
def small_un_xml(individuals: int = 20, entities: int = 5) -> bytes:
    """The real list's head and tail with its first individuals and entities only."""
    text = UN_FILE.read_text(encoding="utf-8")
    kept = {"INDIVIDUAL": 0, "ENTITY": 0}
    limits = {"INDIVIDUAL": individuals, "ENTITY": entities}

    def keep(match: re.Match[str]) -> str:
        kind = match.group(1)
        kept[kind] += 1
        return match.group(0) if kept[kind] <= limits[kind] else ""

    return ENTITY_RE.sub(keep, text).encode("utf-8")


def new_entity(ref: str, name: str) -> str:
    return (
        f"<ENTITY><DATAID>999</DATAID><FIRST_NAME>{name}</FIRST_NAME>"
        f"<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
        "<LISTED_ON>2026-11-01</LISTED_ON><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>"
        "</ENTITY>"
    )


def edited(
    xml: bytes,
    *,
    remove: str | None = None,
    rename: tuple[str, str] | None = None,
    add: str | None = None,
) -> bytes:
    text = xml.decode("utf-8")
    if remove:
        text = ENTITY_RE.sub(
            lambda m: (
                "" if f"<REFERENCE_NUMBER>{remove}</REFERENCE_NUMBER>" in m.group(0) else m.group(0)
            ),
            text,
        )
    if rename:
        old, new = rename
        assert old in text
        text = text.replace(old, new, 1)
    if add:
        text = text.replace("<ENTITIES>", "<ENTITIES>" + add, 1)
    return text.encode("utf-8")


def import_un(xml: bytes, actor=None, name: str = "un.xml") -> services.ImportResult:
    return services.import_list(
        actor=actor,
        parsed=un.parse(io.BytesIO(xml)),
        source_name=name,
        source_bytes_sha256=hashlib.sha256(xml).hexdigest(),
    )
