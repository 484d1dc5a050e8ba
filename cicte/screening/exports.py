"""The CSV of a job's hits, shared by the page and the REST API: the ``screen`` command's columns
(:data:`cicte.sanctions.batch.COLUMNS`) and the decision on each hit, one row per hit, streamed;
spreadsheet formulas neutralised (names and ids come from customer files and lists)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from cicte.core import audit
from cicte.core.csvutil import csv_download, neutralise
from cicte.sanctions.batch import COLUMNS
from cicte.screening.models import ScreeningHit, ScreeningJob

CSV_HEADER = [*COLUMNS, "decision", "decision_reason"]
CHUNK = 2000


def csv_rows(hits: Iterable[ScreeningHit]) -> Iterator[list[str]]:
    yield CSV_HEADER
    for hit in hits:
        decision = hit.decision
        yield [
            neutralise(hit.record_id),
            f"{hit.score:.3f}",
            hit.list_key,
            neutralise(hit.source_id),
            neutralise(hit.matched_name),
            neutralise(hit.summary),
            decision.verdict if decision else "",
            neutralise(decision.reason) if decision else "",
        ]


def csv_response(
    *, actor: Any, job: ScreeningJob, rows: QuerySet[ScreeningHit], filters: dict[str, Any]
) -> StreamingHttpResponse:
    """The hits (``rows``) as a CSV download, in the order of the file's rows, best hit first;
    the export is an audit event (rows and filters)."""
    audit.record_export(
        actor=actor,
        what="screening.hit",
        count=rows.count(),
        filters={"job": str(job.pk), **filters},
    )
    hits = rows.select_related("decision").order_by("line", "-score", "id").iterator(CHUNK)
    return csv_download(csv_rows(hits), filename=f"screening-{job.pk}.csv")
