"""The worker's half of a batch screening: check every row of the customer file, then screen
them against the job's lists, writing progress and hits as it goes.

- **Checks first** (:func:`cicte.sanctions.batch.parse`, as the ``screen`` command): any invalid
  row, or more rows than ``SCREENING_MAX_ROWS``, and the job is *rejected* with its row-by-row
  report (``line N: reason``, the first :data:`MAX_REPORT` of them and the count) and no hits.
- **Screening**: the rows are read again in chunks of :data:`PROGRESS_EVERY`, screened (the
  best :data:`~cicte.sanctions.batch.MAX_HITS_PER_ROW` hits per row at or above the job's
  threshold); each chunk's hits are stored and the progress written. A file of at least
  ``SCREENING_PARALLEL_ROWS`` rows is screened by ``SCREENING_PROCESSES`` processes
  (:class:`~cicte.sanctions.matching.ScreeningPool`; the worker's threads must not fork), the
  next chunk while this thread stores the last one's hits; a smaller one in this thread.
  A hit whose record and list entry an earlier false positive of the organisation covers, both
  unchanged (same fingerprints), is stored *cleared*: counted, listed apart, not raised.
- **Outcome**: complete, rejected, or failed with a message in the author's language (a failed
  job keeps no partial hits). A job deleted while it runs stops at its next progress write.

The claim, the author's language, the failures and the progress writes are the same for every
upload job (:mod:`cicte.core.jobs`); this module screens the file itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cicte.core import audit, jobs
from cicte.sanctions import batch
from cicte.sanctions.matching import Hit, ScreeningPool
from cicte.sanctions.models import ListEntity, ListVersion
from cicte.sanctions.screening import Screening, UnknownList, list_keys, screening_for
from cicte.screening import uploads
from cicte.screening.choices import JobStatus
from cicte.screening.models import ScreeningHit, ScreeningJob, record_fingerprint
from cicte.screening.services import clearing_decisions

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000
MAX_REPORT = 1000
BATCH = 1000


class ScreeningError(Exception):
    """A failure the job's author can act on (an upload that is gone)."""


def run_job(job_id: Any) -> ScreeningJob | None:
    """Run a pending job (the worker's task); None when there is none to run (already taken by
    another worker, finished, or deleted)."""
    return jobs.run(
        ScreeningJob,
        job_id,
        work=_run,
        fail=_fail,
        user_error=ScreeningError,
        unexpected=gettext_lazy(
            "An unexpected error stopped the screening. It has been logged; please try again."
        ),
        log=logger,
        label="Screening job",
    )


def check_rows(path: Path, *, max_rows: int) -> tuple[int, int, list[str]]:
    """Every row checked: (valid rows, invalid rows, the first :data:`MAX_REPORT` reasons as
    ``line N: reason``). Beyond ``max_rows`` rows, one last reason says so and reading stops."""
    valid = invalid = 0
    report: list[str] = []
    with batch.open_input(path) as handle:
        for item in batch.parse(handle):
            if valid + invalid >= max_rows:
                invalid += 1
                report.append(
                    str(
                        batch.RowError(
                            item.line,
                            f"the file has more than {max_rows} rows, the limit: split it",
                        )
                    )
                )
                break
            if isinstance(item, batch.RowError):
                invalid += 1
                if len(report) < MAX_REPORT:
                    report.append(str(item))
            else:
                valid += 1
    return valid, invalid, report


def _run(job: ScreeningJob) -> None:
    path = jobs.upload_file(job, ScreeningError)
    valid, invalid, report = check_rows(path, max_rows=uploads.max_rows())
    if invalid:
        _reject(job, valid=valid, invalid=invalid, report=report)
        return
    # The lists as the job's author reads them now (the lists' one read rule).
    author = job.created_by
    try:
        keys = list_keys(",".join(job.lists), user=author)
    except UnknownList as exc:
        raise ScreeningError(
            _("A list of this job cannot be screened against any more: {reason}").format(reason=exc)
        ) from exc
    versions = dict(
        ListVersion.objects.visible_to(author)
        .filter(sanctions_list__key__in=keys)
        .values("sanctions_list__key")
        .annotate(number=Max("number"))
        .values_list("sanctions_list__key", "number")
    )
    _write(job, rows=valid, list_versions=versions, progress_at=timezone.now())
    screening = screening_for(keys, user=author)
    entities = {
        (key, ftm_id): (pk, content_hash)
        for key, ftm_id, pk, content_hash in ListEntity.objects.visible_to(author)
        .current()
        .filter(sanctions_list__key__in=keys)
        .values_list("sanctions_list__key", "ftm_id", "pk", "content_hash")
        .iterator(chunk_size=5000)
    }
    counts = {"rows_screened": 0, "hits": 0, "cleared": 0}
    # Chunk n+1 is screened (by the pool's processes) while chunk n's hits are stored.
    with _pool(screening, rows=valid) as pool:
        pending: tuple[list[batch.Row], Callable[[], list[list[Hit]]]] | None = None
        for chunk in _chunks(path):
            submitted = (chunk, _submit(pool, screening, chunk, job.threshold))
            if pending is not None:
                _store_chunk(job, screening, entities, *pending, counts)
            pending = submitted
        if pending is not None:
            _store_chunk(job, screening, entities, *pending, counts)
    with transaction.atomic():
        now = timezone.now()
        _write(job, status=JobStatus.COMPLETE, progress_at=now, finished_at=now, **counts)
        audit.record(
            actor=job.created_by,
            action="screening.job_complete",
            obj=job,
            object_repr=job.audit_label,
            changes={"rows": valid, "hits": counts["hits"], "cleared": counts["cleared"]},
        )


def _pool(screening: Screening, *, rows: int) -> AbstractContextManager[ScreeningPool | None]:
    """Processes for a large file (``SCREENING_PROCESSES``, from ``SCREENING_PARALLEL_ROWS``
    rows), forked from the pool's fork server: the worker's threads must not fork. None: screen
    in this thread."""
    processes = int(settings.SCREENING_PROCESSES)
    if processes > 1 and rows >= int(settings.SCREENING_PARALLEL_ROWS):
        return ScreeningPool(screening.matcher, processes)
    return nullcontext()


def _chunks(path: Path) -> Iterator[list[batch.Row]]:
    """The file's rows (checked already), :data:`PROGRESS_EVERY` at a time."""
    chunk: list[batch.Row] = []
    with batch.open_input(path) as handle:
        for item in batch.parse(handle):
            if isinstance(item, batch.RowError):  # the file changed under the job
                raise ScreeningError(_("The uploaded file changed: upload it again."))
            chunk.append(item)
            if len(chunk) >= PROGRESS_EVERY:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _submit(
    pool: ScreeningPool | None, screening: Screening, chunk: list[batch.Row], threshold: float
) -> Callable[[], list[list[Hit]]]:
    """Start screening a chunk (in the pool) or get ready to (here); call the result for its
    hits."""
    queries = [row.query for row in chunk]
    if pool is not None:
        return pool.submit(queries, threshold=threshold, limit=batch.MAX_HITS_PER_ROW)
    return lambda: screening.matcher.screen_many(
        queries, threshold=threshold, limit=batch.MAX_HITS_PER_ROW
    )


def _store_chunk(
    job: ScreeningJob,
    screening: Screening,
    entities: dict[tuple[str, str], tuple[int, str]],
    chunk: list[batch.Row],
    screened: Callable[[], list[list[Hit]]],
    counts: dict[str, int],
) -> None:
    found = screened()
    decisions = clearing_decisions(
        job.organization_id, [row.record_id for row, hits in zip(chunk, found, strict=True) if hits]
    )
    rows: list[ScreeningHit] = []
    for row, hits in zip(chunk, found, strict=True):
        if not hits:
            continue
        query = row.query
        fingerprint = record_fingerprint(query)
        for hit in hits:
            entity_pk, entity_hash = entities.get((hit.list_id, hit.entity_id), (None, ""))
            decision = decisions.get((row.record_id, entity_pk)) if entity_pk else None
            cleared = decision is not None and decision.holds_for(fingerprint, entity_hash)
            rows.append(
                ScreeningHit(
                    job_id=job.pk,
                    line=row.line,
                    record_id=row.record_id[:200],
                    name=query.name[:500],
                    birth_date=query.birth_date or "",
                    nationality=query.nationality or "",
                    kind=query.kind or "",
                    record_fingerprint=fingerprint,
                    list_key=hit.list_id,
                    list_entity_id=entity_pk,
                    entity_ftm_id=hit.entity_id,
                    source_id=screening.source_ids.get(hit.entity_id, hit.entity_id)[:100],
                    caption=str(hit.entity.caption)[:500],
                    entity_hash=entity_hash,
                    score=round(hit.score, 3),
                    matched_name=hit.matched_name[:500],
                    summary=hit.summary(),
                    explanation=hit.explanation(),
                    cleared=cleared,
                    decision=decision if cleared else None,
                )
            )
            counts["cleared" if cleared else "hits"] += 1
    jobs.insert_results(job, rows, batch_size=BATCH)
    counts["rows_screened"] += len(chunk)
    _write(job, progress_at=timezone.now(), **counts)


def _reject(job: ScreeningJob, *, valid: int, invalid: int, report: list[str]) -> None:
    with transaction.atomic():
        _write(
            job,
            status=JobStatus.REJECTED,
            rows=valid,
            invalid_rows=invalid,
            report=report,
            finished_at=timezone.now(),
        )
        audit.record(
            actor=job.created_by,
            action="screening.job_reject",
            obj=job,
            object_repr=job.audit_label,
            changes={"valid_rows": valid, "invalid_rows": invalid},
        )


def _write(job: ScreeningJob, **fields: Any) -> None:
    """Update the job's row; :class:`~cicte.core.jobs.JobGone` when it is no longer there."""
    jobs.write(job, **fields)


def _fail(job: ScreeningJob, message: str) -> None:
    jobs.fail(
        job, message, action="screening.job_fail", changes={"rows_screened": job.rows_screened}
    )
