"""Every write of sanctions screening, and single-name screening: batch jobs (created from an
upload or an API body, run on the worker by :mod:`cicte.screening.runner`), decisions on hits
(made and revised), and the worker's housekeeping (uploads kept ``SCREENING_KEEP_UPLOAD_DAYS``,
jobs whose worker died). One code path for the pages and the REST API; each write is audited,
never with a customer's name, record id or the reason of a decision (the audit trail is read by
the Secretariat; the customer data is the organisation's alone). What every upload job does alike
(its upload checked and kept, deleted later, jobs whose worker died) is :mod:`cicte.core.jobs`,
with screening's audit actions and messages.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cicte.accounts.models import User
from cicte.core import audit, jobs
from cicte.sanctions import screening as sanctions_screening
from cicte.sanctions.matching import Query
from cicte.sanctions.models import ListEntity
from cicte.screening import uploads
from cicte.screening.choices import JobSource, Verdict
from cicte.screening.models import HitDecision, ScreeningHit, ScreeningJob, record_fingerprint


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You may not do this."))


def _organisation_of(actor: User) -> int:
    _require(
        actor.is_active and actor.organization_id is not None,
        _("Only people of an organisation may screen customer files and decide on hits."),
    )
    return int(actor.organization_id)  # type: ignore[arg-type]


# --- Decisions in force -------------------------------------------------------------------------


def clearing_decisions(
    organization_id: int, record_ids: Iterable[str]
) -> dict[tuple[str, int], HitDecision]:
    """The false positives in force of an organisation for these customer records, by (record
    id, list entry)."""
    ids = sorted(set(record_ids))
    found: dict[tuple[str, int], HitDecision] = {}
    for start in range(0, len(ids), 500):
        for decision in HitDecision.objects.filter(
            organization_id=organization_id,
            record_id__in=ids[start : start + 500],
            current=True,
            verdict=Verdict.FALSE_POSITIVE,
        ):
            found[(decision.record_id, decision.list_entity_id)] = decision
    return found


# --- Single-name screening ----------------------------------------------------------------------


def screen_name(
    *,
    actor: User,
    query: Query,
    lists: Sequence[str] | None,
    threshold: float,
    limit: int,
    record_id: str = "",
) -> sanctions_screening.NameScreening:
    """Screen one name: the page's and ``POST /api/sanctions/screen/``'s one path
    (:func:`cicte.sanctions.screening.screen_name`, audited without the name). With a customer
    ``record_id``, the hits that the actor's organisation cleared as false positives for that
    record (the record and the list entry unchanged since) are left out and listed apart."""
    record_id = record_id.strip()
    cleared = None
    organization_id = getattr(actor, "organization_id", None)
    if record_id and organization_id is not None:
        fingerprint = record_fingerprint(query.validated())

        def cleared(hits: list[dict[str, Any]]) -> set[int]:
            entities = _entities_of(actor, hits)
            decisions = clearing_decisions(organization_id, [record_id])
            out = set()
            for index, hit in enumerate(hits):
                entity = entities.get((hit["list"], hit["entity_id"]))
                if entity is None:
                    continue
                decision = decisions.get((record_id, entity[0]))
                if decision is not None and decision.holds_for(fingerprint, entity[1]):
                    out.add(index)
            return out

    return sanctions_screening.screen_name(
        actor=actor,
        query=query,
        lists=lists,
        threshold=threshold,
        limit=limit,
        cleared=cleared,
    )


def _entities_of(actor: Any, hits: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, str]]:
    """(list key, FtM id) -> (the ListEntity's pk, its content hash), for these hits."""
    rows = (
        ListEntity.objects.visible_to(actor)
        .filter(
            ftm_id__in=[hit["entity_id"] for hit in hits],
            sanctions_list__key__in={hit["list"] for hit in hits},
        )
        .values_list("sanctions_list__key", "ftm_id", "pk", "content_hash")
    )
    return {(key, ftm_id): (pk, content_hash) for key, ftm_id, pk, content_hash in rows}


# --- Batch jobs ---------------------------------------------------------------------------------


def check_threshold(threshold: float) -> float:
    if not 0 <= threshold <= 1:
        raise ValidationError(
            {"threshold": _("The threshold is a score between 0 and 1.")}, code="threshold"
        )
    return float(threshold)


@transaction.atomic
def create_job(
    *,
    actor: User,
    upload: File[Any],
    name: str = "",
    lists: Sequence[str] | None,
    threshold: float,
    source: str = JobSource.UPLOAD,
) -> ScreeningJob:
    """Accept a customer file for batch screening: checked (size, UTF-8 text, the lists, the
    threshold, the person's jobs waiting or running), kept in private storage, and a pending
    job of the actor's organisation that the worker runs after the commit (it checks every row
    first). ``ValidationError`` says what to fix (code ``too_large``, ``unsupported``,
    ``empty``, ``busy`` or a field's)."""
    organization_id = _organisation_of(actor)
    try:
        keys = sanctions_screening.resolve_lists(lists, user=actor)
    except sanctions_screening.UnknownList as exc:
        raise ValidationError({"lists": str(exc)}, code="lists") from exc
    if not keys:
        raise ValidationError({"lists": _("No sanctions list has been imported yet.")})
    threshold = check_threshold(threshold)
    size = jobs.check_upload(
        ScreeningJob,
        actor=actor,
        upload=upload,
        limit=uploads.LIMIT,
        most=settings.SCREENING_MAX_ACTIVE_JOBS,
        busy=lambda count: ngettext(
            "You already have {count} screening waiting or running: wait until it is done.",
            "You already have {count} screenings waiting or running: wait until one is done.",
            count,
        ).format(count=count),
    )
    uploads.inspect(upload)
    job = ScreeningJob(
        organization_id=organization_id,
        created_by=actor,
        name=os.path.basename(name or "")[:255],
        source=source,
        lists=keys,
        threshold=threshold,
        size=size,
    )
    from cicte.screening import tasks

    jobs.accept(
        job,
        upload,
        actor=actor,
        action="screening.job_create",
        changes={"source": source, "size": size, "lists": keys, "threshold": threshold},
        enqueue=tasks.run_screening,
    )
    return job


@transaction.atomic
def remove_upload(*, actor: User, job: ScreeningJob) -> ScreeningJob:
    """Delete a finished job's customer file now, rather than ``SCREENING_KEEP_UPLOAD_DAYS``
    after it finished (the hits stay)."""
    _require(job.organization_id == _organisation_of(actor))
    return jobs.remove_upload(
        actor=actor,
        job=job,
        action="screening.upload_delete",
        running=_("The screening is still running: its file is still being read."),
    )


# --- Decisions ----------------------------------------------------------------------------------


@transaction.atomic
def decide(*, actor: User, hit: ScreeningHit, verdict: str, reason: str) -> HitDecision:
    """Mark a hit a true or false positive, with a reason (required). The decision is the
    organisation's for this customer record and list entry, with the fingerprints of both as
    the hit saw them; a false positive clears later hits of the same record and entry while
    neither changes. A decision already in force is revised: it stays in the history, the new
    one takes its place."""
    organization_id = _organisation_of(actor)
    job = ScreeningJob.objects.get(pk=hit.job_id)
    _require(job.organization_id == organization_id)
    if verdict not in Verdict.values:
        raise ValidationError(
            {"verdict": _("Say whether the hit is a true or a false positive.")}, code="verdict"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")}, code="reason")
    if hit.list_entity_id is None:
        raise ValidationError(_("The list entry of this hit is no longer on the platform."))
    previous = (
        HitDecision.objects.select_for_update()
        .filter(
            organization_id=organization_id,
            record_id=hit.record_id,
            list_entity_id=hit.list_entity_id,
            current=True,
        )
        .first()
    )
    if previous is not None:
        previous.current = False
        previous.save(update_fields=["current"])
    decision = HitDecision.objects.create(
        organization_id=organization_id,
        record_id=hit.record_id,
        list_entity_id=hit.list_entity_id,
        verdict=verdict,
        reason=reason,
        record_fingerprint=hit.record_fingerprint,
        entity_hash=hit.entity_hash,
        hit=hit,
        decided_by=actor,
        previous=previous,
    )
    hit.decision = decision
    hit.save(update_fields=["decision"])
    audit.record(
        actor=actor,
        action="screening.decision",
        obj=decision,
        object_repr=f"decision {decision.pk}",
        changes={
            "verdict": verdict,
            "job": str(job.pk),
            "hit": hit.pk,
            "revises": previous.pk if previous else None,
        },
    )
    return decision


def history(*, hit: ScreeningHit) -> list[HitDecision]:
    """Every decision of the hit's organisation on its record and list entry, newest first."""
    if hit.list_entity_id is None:
        return []
    return list(
        HitDecision.objects.filter(
            organization_id=hit.job.organization_id,
            record_id=hit.record_id,
            list_entity_id=hit.list_entity_id,
        ).select_related("decided_by")
    )


# --- Housekeeping (the worker, every hour) ------------------------------------------------------


def expire_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete the customer files of jobs finished more than ``SCREENING_KEEP_UPLOAD_DAYS`` ago
    (the hits stay); how many."""
    return jobs.expire_uploads(
        ScreeningJob,
        days=settings.SCREENING_KEEP_UPLOAD_DAYS,
        action="screening.uploads_expire",
        now=now,
    )


def recover_jobs(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Jobs whose worker stopped (running without progress for
    :data:`~cicte.core.jobs.STALE_AFTER`) fail with a message, their hits removed; jobs still
    pending after :data:`~cicte.core.jobs.REQUEUE_AFTER` (a lost queue) are enqueued again.
    How many of each."""
    from cicte.screening import tasks

    return jobs.recover_jobs(
        ScreeningJob,
        error=_("The worker stopped before the screening finished: upload the file again."),
        action="screening.job_fail",
        progress=lambda job: {"rows_screened": job.rows_screened},
        enqueue=tasks.run_screening,
        now=now,
    )
