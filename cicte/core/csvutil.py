"""CSV helpers shared by every export: streaming, and cells that spreadsheets cannot run."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose ``write`` hands the line back, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> str:
    """The cell's text, with a leading apostrophe where a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
