"""The CSV of a job's matches, shared by the page and the REST API: a header row, one row per
match, streamed; spreadsheet formulas neutralised (the values come from logs that anyone may
have written to)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse

from cicte.core import audit
from cicte.core.csvutil import csv_download, neutralise
from cicte.hunts.choices import HuntSource
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
    *, actor: Any, job: HuntJob, rows: QuerySet[HuntMatch], filters: dict[str, Any]
) -> StreamingHttpResponse:
    """The matches (``rows``) as a CSV download; the export is an audit event (rows and
    filters)."""
    audit.record_export(
        actor=actor,
        what="hunts.match",
        count=rows.count(),
        filters={"job": str(job.pk), **filters},
    )
    matches = rows.order_by("line", "id").iterator(CHUNK)
    return csv_download(csv_rows(matches), filename=f"retro-hunt-{job.pk}.csv")


def download_name(job: HuntJob) -> str:
    name = job.name or ("pasted.txt" if job.source == HuntSource.PASTE else "upload")
    if job.gzip and not name.lower().endswith(".gz"):
        name += ".gz"
    return name


def upload_response(job: HuntJob) -> FileResponse:
    """The job's upload as it was sent (its author's: the caller checked), while it is kept."""
    if not job.has_upload:
        raise Http404
    try:
        handle = job.upload.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(job),
        content_type="application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    return response
