"""CSV helpers shared by every export: streaming, cells that spreadsheets cannot run, and the
filters an export applied (for its audit event)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

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


def csv_download(rows: Iterable[list[str]], *, filename: str) -> StreamingHttpResponse:
    """``rows`` (the header first) streamed as a CSV attachment, never cached."""
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def active_filters(filterset: Any) -> dict[str, Any]:
    """The filters a valid FilterSet applied (for an export's audit event)."""
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    return {name: str(value) for name, value in data.items() if value not in (None, "", [])}
