"""From list files (bytes) to a parsed list and the fingerprint that tells an unchanged file:
one path for the command, the scheduled fetch and the demo."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass

from cicte.sanctions.sources import ListFormatError, ParsedList, ofac, un

# The files each list is made of, in the order of their fingerprint; the optional ones last.
LIST_FILES: dict[str, tuple[str, ...]] = {"un": ("xml",), "ofac": ("sdn", "alt", "add", "comments")}
OPTIONAL_FILES = {("ofac", "comments")}


@dataclass(frozen=True)
class LoadedList:
    parsed: ParsedList
    sha256: str
    source_name: str


def fingerprint(files: Mapping[str, bytes]) -> str:
    """SHA-256 of a single file; for several, SHA-256 over "name:sha256" lines in a fixed order."""
    if len(files) == 1:
        return hashlib.sha256(next(iter(files.values()))).hexdigest()
    lines = "".join(
        f"{name}:{hashlib.sha256(data).hexdigest()}\n" for name, data in sorted(files.items())
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def load(
    key: str, files: Mapping[str, bytes], names: Mapping[str, str], *, source_url: str | None = None
) -> LoadedList:
    """Parse the files of list ``key`` ("un": xml; "ofac": sdn, alt, add and optional comments).

    Raises :class:`ListFormatError` with a message naming the file and line at fault.
    """
    if key not in LIST_FILES:
        raise ListFormatError(f"unknown list {key!r}: use un or ofac")
    missing = [n for n in LIST_FILES[key] if n not in files and (key, n) not in OPTIONAL_FILES]
    if missing:
        raise ListFormatError(f"missing file(s): {', '.join(missing)}")
    if key == "un":
        parsed = un.parse(io.BytesIO(files["xml"]), source_url=source_url)
    else:
        comments = files.get("comments")
        parsed = ofac.parse(
            io.BytesIO(files["sdn"]),
            io.BytesIO(files["alt"]),
            io.BytesIO(files["add"]),
            io.BytesIO(comments) if comments is not None else None,
            source_url=source_url,
        )
    source_name = ", ".join(names[n] for n in LIST_FILES[key] if n in names)
    return LoadedList(parsed=parsed, sha256=fingerprint(files), source_name=source_name)
