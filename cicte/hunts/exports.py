"""The CSV of a job's matches, shared by the page and the REST API: a header row, one row per
match, streamed; spreadsheet formulas neutralised (the values come from logs that anyone may
have written to)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from cicte.core import audit
from cicte.core.csvutil import Echo, neutralise
from cicte.hunts.models import HuntJob, HuntMatch

CSV_HEADER = [
    "line",
    "value",
    "kind",
    "indicator",
    "indicator_kind",
    "match",
    "stix_id",
    "stix_type",
    "tlp",
    "collection",
    "shared_by",
]
CHUNK = 2000


def csv_rows(matches: Iterable[HuntMatch]) -> Iterator[list[str]]:
    yield CSV_HEADER
    for match in matches:
        yield [
            str(match.line),
            neutralise(match.value),
            match.kind,
            neutralise(match.indicator),
            match.indicator_kind,
            match.match_kind,
            neutralise(match.stix_id),
            neutralise(match.stix_type),
            match.tlp,
            neutralise(match.collection_title),
            neutralise(match.organization_name),
        ]


def csv_response(
    *, actor: Any, job: HuntJob, matches: QuerySet[HuntMatch], filters: dict[str, Any]
) -> StreamingHttpResponse:
    """The matches as a CSV download; the export is an audit event (rows and filters)."""
    audit.record_export(
        actor=actor,
        what="hunts.match",
        count=matches.count(),
        filters={"job": str(job.pk), **filters},
    )
    writer = csv.writer(Echo())
    rows = matches.order_by("line", "id").iterator(CHUNK)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="retro-hunt-{job.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def active_filters(filterset: Any) -> dict[str, Any]:
    """The filters a valid FilterSet applied (for the export's audit event)."""
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    return {name: str(value) for name, value in data.items() if value not in (None, "", [])}
