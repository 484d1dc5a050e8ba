"""Every write of the retro-hunt: jobs (created from an upload, pasted text or an API body;
deleted with their upload), the report of a job's matches as STIX sightings, and the worker's
housekeeping (uploads kept ``HUNT_KEEP_UPLOAD_DAYS``, jobs whose worker died). One code path for
the pages and the REST API; each write is audited. The hunt itself runs on the worker
(:mod:`cicte.hunts.runner`), enqueued after the job's creation commits. What every upload job
does alike (its upload checked and kept, deleted later, jobs whose worker died) is
:mod:`cicte.core.jobs`, with the retro-hunt's audit actions and messages.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cicte.accounts.models import User
from cicte.advisories.stix import identity_id as organization_identity_id
from cicte.core import audit, jobs, tlp
from cicte.hunts import sightings, uploads
from cicte.hunts.choices import HuntSource, HuntStatus, SightingOutcome
from cicte.hunts.models import UPLOAD_FOLDER, HuntJob, hunt_storage
from cicte.intel import services as intel_services
from cicte.intel import stix as stix_engine
from cicte.intel.models import Collection, StixObject

logger = logging.getLogger(__name__)

# Files in the upload folder that no job names (a creation rolled back) go after a day.
ORPHAN_AFTER = dt.timedelta(days=1)
# Text pasted into the form, at most (bytes of UTF-8; more goes as a file).
MAX_PASTE_BYTES = 2 * 1000 * 1000


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("You may not do this."))


# --- Jobs ---------------------------------------------------------------------------------------


def text_upload(text: str) -> ContentFile[bytes]:
    """Pasted observables as an upload."""
    return ContentFile(text.encode("utf-8"), name="pasted.txt")


@transaction.atomic
def create_job(
    *,
    actor: User,
    upload: File[Any],
    name: str = "",
    source: str = HuntSource.UPLOAD,
) -> HuntJob:
    """Accept an upload for a retro-hunt: checked (size, text or gzip, the person's jobs
    waiting or running), kept in private storage, and a pending job that the worker runs after
    the commit. ``ValidationError`` says what to fix (code ``too_large``, ``unsupported``,
    ``empty`` or ``busy``)."""
    _require(actor.is_active)
    size = jobs.check_upload(
        HuntJob,
        actor=actor,
        upload=upload,
        limit=uploads.LIMIT,
        most=settings.HUNT_MAX_ACTIVE_JOBS,
        busy=lambda count: ngettext(
            "You already have {count} hunt waiting or running: wait until it is done.",
            "You already have {count} hunts waiting or running: wait until one is done.",
            count,
        ).format(count=count),
    )
    compressed = uploads.inspect(upload)
    job = HuntJob(
        created_by=actor,
        organization_id=actor.organization_id,
        name=os.path.basename(name or "")[:255],
        source=source,
        size=size,
        gzip=compressed,
    )
    from cicte.hunts import tasks

    jobs.accept(
        job,
        upload,
        actor=actor,
        action="hunts.job_create",
        changes={"source": source, "size": size, "gzip": compressed},
        enqueue=tasks.run_hunt,
    )
    return job


@transaction.atomic
def delete_job(*, actor: User, job: HuntJob) -> None:
    """Delete a job, its matches and its upload (a running job stops at its next progress)."""
    _require(job.created_by_id == actor.pk)
    name = job.upload.name
    audit.record(actor=actor, action="hunts.job_delete", obj=job, object_repr=job.audit_label)
    job.delete()
    if name:
        jobs.delete_after_commit(HuntJob, name)


@transaction.atomic
def remove_upload(*, actor: User, job: HuntJob) -> HuntJob:
    """Delete a finished job's upload now (the results stay), rather than
    ``HUNT_KEEP_UPLOAD_DAYS`` after it finished."""
    _require(job.created_by_id == actor.pk)
    return jobs.remove_upload(
        actor=actor,
        job=job,
        action="hunts.upload_delete",
        running=_("The hunt is still running: its upload is still being read."),
    )


# --- Sightings ----------------------------------------------------------------------------------


@dataclass
class SightingsReport:
    """What became of each matched object when a job's matches were reported."""

    stored: int = 0
    skipped: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


def _sighting_label(actor: User, label: str, collection: Collection) -> str:
    """The indicator's TLP. TLP:CLEAR is public on the platform: without the right to publish
    it in that collection, the sighting is TLP:GREEN (what it says of the reporter is theirs to
    share, not the indicator's)."""
    if label == tlp.CLEAR and not intel_services.may_publish_clear(actor, collection):
        return tlp.GREEN
    return label


@transaction.atomic
def report_sightings(*, actor: User, job: HuntJob, anonymous: bool) -> SightingsReport:
    """Report a complete job's matches as STIX 2.1 sightings: one per matched indicator
    (``count``: its matches; ``first_seen``/``last_seen``: when the job ran), with the
    indicator's TLP, stored through the intel services in the indicator's collection when
    ``actor`` may write there. Named, each names the organisation's identity as
    ``created_by_ref`` and ``where_sighted_refs``; ``anonymous``, neither (and nothing else names
    the reporter). Matches of observables (not indicators) are skipped: a sighting is of an
    indicator (an SDO), not of a cyber-observable. Once per job."""
    _require(job.created_by_id == actor.pk)
    job = HuntJob.objects.select_for_update().get(pk=job.pk)
    if job.status != HuntStatus.COMPLETE:
        raise ValidationError(_("Only a complete hunt's matches can be reported as sightings."))
    if job.sightings_reported_at is not None:
        raise ValidationError(
            _("These matches were already reported as sightings on {date}.").format(
                date=formats.date_format(
                    timezone.localtime(job.sightings_reported_at), "DATETIME_FORMAT"
                )
            )
        )
    organization = actor.organization
    if organization is None:
        raise ValidationError(_("Only people of an organisation may report sightings."))
    groups = list(
        job.match_rows.order_by()
        .values("stix_id")
        .annotate(
            count=Count("id"),
            version_id=Max("stix_object_id"),
            stix_type=Max("stix_type"),
            indicator=Min("indicator"),
        )
        .order_by("stix_id")
    )
    if not groups:
        raise ValidationError(_("This hunt has no matches to report."))
    versions = {
        version.pk: version
        for version in StixObject.objects.readable_by(actor)
        .filter(pk__in=[g["version_id"] for g in groups if g["version_id"]])
        .select_related("collection", "created_by")
    }
    writable: dict[Any, bool] = {}
    now = timezone.now()
    started = job.started_at or job.created_at
    finished = job.finished_at or now
    identity = (
        None if anonymous else organization_identity_id(organization.slug)  # the same everywhere
    )
    by_collection: dict[Any, list[tuple[dict[str, Any], StixObject]]] = {}
    report = SightingsReport()
    for group in groups:
        version = versions.get(group["version_id"])
        row: dict[str, Any] = {
            "stix_id": group["stix_id"],
            "indicator": group["indicator"],
            "matches": group["count"],
            "collection": version.collection.title if version else "",
        }
        if group["stix_type"] != "indicator":
            outcome = SightingOutcome.OBSERVABLE
        elif version is None:
            outcome = SightingOutcome.GONE
        else:
            collection = version.collection
            if collection.pk not in writable:
                writable[collection.pk] = intel_services.may_write(actor, collection)
            if not writable[collection.pk]:
                outcome = SightingOutcome.NOT_WRITABLE
            else:
                outcome = SightingOutcome.STORED
                obj = sightings.sighting(
                    job_id=str(job.pk),
                    indicator_id=group["stix_id"],
                    count=group["count"],
                    first_seen=started,
                    last_seen=finished,
                    reported_at=now,
                    label=_sighting_label(actor, version.tlp, collection),
                    identity_id=identity,
                )
                row["sighting_id"] = obj["id"]
                by_collection.setdefault(collection.pk, []).append((obj, version))
        row["outcome"] = outcome.value
        if outcome == SightingOutcome.STORED:
            report.stored += 1
        else:
            report.skipped += 1
        report.rows.append(row)
    for entries in by_collection.values():
        collection = entries[0][1].collection
        objects = [obj for obj, _version in entries]
        if identity is not None:
            # The identity the named sightings refer to, readable by whoever reads one of them.
            loosest = min(
                (obj["object_marking_refs"][0] for obj in objects),
                key=lambda ref: tlp.ORDER.index(tlp.TLP_BY_MARKING_ID[ref]),
            )
            objects.insert(
                0,
                sightings.identity(
                    identity_id=identity,
                    name=organization.name,
                    created=organization.created_at,
                    label=tlp.TLP_BY_MARKING_ID[loosest],
                ),
            )
        try:
            intel_services.store_objects(actor=actor, collection=collection, objects=objects)
        except stix_engine.InvalidObject as exc:
            raise ValidationError(
                _("A sighting could not be stored: {reason}").format(reason=str(exc))
            ) from exc
        for obj, version in entries:
            _reach_indicator_author(actor, obj, version)
    job.sightings_reported_at = now
    job.sightings_anonymous = anonymous
    job.sightings_stored = report.stored
    job.sightings_skipped = report.skipped
    job.sightings_report = report.rows
    job.save(
        update_fields=[
            "sightings_reported_at",
            "sightings_anonymous",
            "sightings_stored",
            "sightings_skipped",
            "sightings_report",
        ]
    )
    # The trail keeps the counts; the sightings' ids and the organisation stay out of it.
    audit.record(
        actor=actor,
        action="hunts.sightings_report",
        obj=job,
        object_repr=job.audit_label,
        changes={"stored": report.stored, "skipped": report.skipped, "anonymous": anonymous},
    )
    return report


def _reach_indicator_author(actor: User, obj: dict[str, Any], indicator: StixObject) -> None:
    """A TLP:RED sighting reaches its author alone, unless named: name the author of the TLP:RED
    indicator it is about (who may read the collection), for whom it is meant."""
    author = indicator.created_by
    if obj["object_marking_refs"][0] != tlp.TLP2_MARKING_IDS[tlp.RED]:
        return
    if author is None or author.pk == actor.pk or not author.is_active:
        return
    if not intel_services.may_read(author, indicator.collection):
        return
    stored = (
        StixObject.objects.filter(
            collection_id=indicator.collection_id, stix_id=obj["id"], created_by=actor
        )
        .order_by("-date_added")
        .first()
    )
    if stored is not None:
        intel_services.name_recipients(actor=actor, version=stored, usernames=[author.username])


# --- Housekeeping (the worker, every hour) ------------------------------------------------------


def expire_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete the uploads of jobs finished more than ``HUNT_KEEP_UPLOAD_DAYS`` ago (their
    results stay); how many."""
    return jobs.expire_uploads(
        HuntJob,
        days=settings.HUNT_KEEP_UPLOAD_DAYS,
        action="hunts.uploads_expire",
        now=now,
    )


def recover_jobs(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Jobs whose worker stopped (running without progress for
    :data:`~cicte.core.jobs.STALE_AFTER`) fail with a message; jobs still pending after
    :data:`~cicte.core.jobs.REQUEUE_AFTER` (a lost queue) are enqueued again. How many of
    each."""
    from cicte.hunts import tasks

    return jobs.recover_jobs(
        HuntJob,
        error=_("The worker stopped before the hunt finished: upload the file again."),
        action="hunts.job_fail",
        progress=lambda job: {"lines": job.lines},
        enqueue=tasks.run_hunt,
        now=now,
    )


def remove_orphan_files(*, now: dt.datetime | None = None) -> int:
    """Delete files of the upload folder that no job names (a job's creation rolled back after
    its upload was saved), once they are a day old; how many."""
    now = now or timezone.now()
    root = os.path.join(hunt_storage().location, UPLOAD_FOLDER)
    if not os.path.isdir(root):
        return 0
    known = set(HuntJob.objects.exclude(upload="").values_list("upload", flat=True))
    removed = 0
    cutoff = (now - ORPHAN_AFTER).timestamp()
    for folder, _dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(folder, file_name)
            name = os.path.relpath(path, hunt_storage().location).replace(os.sep, "/")
            try:
                if name not in known and os.path.getmtime(path) < cutoff:
                    os.remove(path)
                    removed += 1
            except OSError:
                logger.warning("Could not remove %s", path, exc_info=True)
    return removed
