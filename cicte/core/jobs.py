"""Upload jobs: a person's file kept in private storage and handled on the worker (the
retro-hunt's logs, batch screening's customer files). What every such job has in common, so
that each module keeps only its own:

- **The model**: :class:`UploadJob`, an abstract base (id, author, file name, size, error,
  timestamps; status and source are the module's, with its choices) and
  :class:`UploadJobQuerySet` (jobs waiting or running, jobs finished). The file is
  :func:`upload_field`, in :class:`PrivateStorage` (``PRIVATE_MEDIA_ROOT``, outside any web
  root, never served by URL), under the module's folder and the job's id, never the person's
  file name.
- **The worker**: :func:`run` claims a pending job once (pending → running), runs it in its
  author's language and turns what goes wrong into a failed job with a message; :func:`write`
  updates the job's row (:class:`JobGone` when the job was deleted meanwhile); :func:`fail`
  keeps no partial results.
- **The services**: a new job's upload checked (:func:`check_upload`: its size, the jobs its
  author has waiting or running) and kept (:func:`accept`); the upload deleted after the
  commit, at its author's request (:func:`remove_upload`) or some days after the job finished
  (:func:`expire_uploads`); jobs whose worker died (:func:`recover_jobs`).

Each module names its audit actions, messages and settings itself (``hunts.job_fail``,
``HUNT_KEEP_UPLOAD_DAYS``...): this module only carries them out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from cicte.core import audit
from cicte.core.uploads import UploadLimit

logger = logging.getLogger(__name__)

# The statuses every job goes through (a module may add its own outcomes, as screening's
# "rejected"); the modules' choices use these values.
PENDING = "pending"
RUNNING = "running"
COMPLETE = "complete"
FAILED = "failed"
ACTIVE = (PENDING, RUNNING)

# A running job that wrote no progress for this long lost its worker; a pending one that waited
# this long is enqueued again (a job runs once: the worker claims it first).
STALE_AFTER = dt.timedelta(hours=1)
REQUEUE_AFTER = dt.timedelta(hours=1)
SYSTEM = "system"


# --- Private storage ----------------------------------------------------------------------------


@deconstructible(path="cicte.core.jobs.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT`` (read at each use), with no URL: they are served only
    by views that check who asks."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


# Readable by the platform's own user (and group) only.
_storage = PrivateStorage(file_permissions_mode=0o640, directory_permissions_mode=0o750)


def private_storage() -> PrivateStorage:
    return _storage


def upload_path(folder: str, instance: models.Model) -> str:
    """Where a job's upload is kept: the module's folder, the month, the job's id (the person's
    file name is kept in the row, never in the path)."""
    return f"{folder}/{timezone.now():%Y/%m}/{instance.pk}"


def upload_field(
    *, storage: Callable[[], PrivateStorage], upload_to: Callable[[Any, str], str]
) -> models.FileField:
    """A job's upload. ``storage`` and ``upload_to`` are the module's own functions (its
    migrations name them)."""
    return models.FileField(
        gettext_lazy("uploaded file"),
        storage=storage,
        upload_to=upload_to,
        max_length=300,
        blank=True,
    )


# --- The model ----------------------------------------------------------------------------------


class UploadJob(models.Model):
    """What every upload job has: its author, its file and when the worker handled it. A module's
    job adds its status and source (with its choices), its file (:func:`upload_field`), who may
    see it (``visible_to``), its progress and its results."""

    # How the audit trail names a job ("retro-hunt job"): never by its file name, which may say
    # what it holds or whose it is.
    audit_noun: ClassVar[str]
    # The job's result rows (the reverse relation of their job), and the counters reset with
    # them when the job fails: a failed job keeps no partial results.
    results_name: ClassVar[str]
    failure_resets: ClassVar[Mapping[str, int]]
    # The module's own fields.
    status: str
    upload: FieldFile
    get_source_display: Callable[[], str]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(
        gettext_lazy("name"),
        max_length=255,
        blank=True,
        help_text=gettext_lazy("The uploaded file's name."),
    )
    size = models.PositiveBigIntegerField(gettext_lazy("size in bytes"), default=0)
    error = models.TextField(gettext_lazy("error"), blank=True)
    created_at = models.DateTimeField(gettext_lazy("created"), default=timezone.now)
    started_at = models.DateTimeField(gettext_lazy("started"), null=True, blank=True)
    progress_at = models.DateTimeField(gettext_lazy("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished"), null=True, blank=True)
    upload_removed_at = models.DateTimeField(gettext_lazy("upload deleted"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(self.get_source_display())

    @property
    def audit_label(self) -> str:
        """How the audit trail names a job: not by its file name."""
        return f"{self.audit_noun} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_finished(self) -> bool:
        return not self.is_active

    @property
    def has_upload(self) -> bool:
        return bool(self.upload.name)

    def results(self) -> models.QuerySet[Any]:
        """The job's result rows."""
        return getattr(self, self.results_name).all()


_Job = TypeVar("_Job", bound=UploadJob)


class UploadJobQuerySet(models.QuerySet[_Job]):
    def active(self) -> UploadJobQuerySet[_Job]:
        """Jobs waiting for the worker or running."""
        return self.filter(status__in=ACTIVE)

    def finished(self) -> UploadJobQuerySet[_Job]:
        return self.exclude(status__in=ACTIVE)


# --- The worker ---------------------------------------------------------------------------------


class JobGone(Exception):
    """The job was deleted while it ran."""


def run(
    model: type[_Job],
    job_id: Any,
    *,
    work: Callable[[_Job], None],
    fail: Callable[[_Job, str], None],
    user_error: type[Exception],
    unexpected: StrOrPromise,
    log: logging.Logger,
    label: str,
    select_related: tuple[str, ...] = ("created_by",),
) -> _Job | None:
    """Run a pending job (the worker's task): claimed first (pending → running, so that it runs
    once), then ``work(job)`` in its author's language. ``user_error`` (a failure its author
    can act on) fails the job with its message; any other error is logged to ``log`` (the
    module's, naming the job as ``label`` and its id) and fails the job with ``unexpected`` (a
    lazy message, without details). None when there is nothing to run (already taken by
    another worker, finished, or deleted, also while it ran)."""
    now = timezone.now()
    claimed = model._default_manager.filter(pk=job_id, status=PENDING).update(
        status=RUNNING, started_at=now, progress_at=now
    )
    if not claimed:
        return None
    job = model._default_manager.select_related(*select_related).get(pk=job_id)
    author: Any = job.created_by
    with translation.override(author.preferred_language or settings.LANGUAGE_CODE):
        try:
            work(job)
        except JobGone:
            log.info("%s %s was deleted while it ran", label, job_id)
            return None
        except user_error as exc:
            fail(job, str(exc))
        except Exception:
            log.exception("%s %s failed", label, job_id)
            fail(job, str(unexpected))
    job.refresh_from_db()
    return job


def upload_file(job: UploadJob, error: type[Exception]) -> Path:
    """The path of the job's upload on disk; ``error`` (with a message for its author) when it
    is no longer kept."""
    gone = _("The uploaded file is no longer kept: upload it again.")
    if not job.upload.name:
        raise error(gone)
    try:
        path = Path(job.upload.path)
    except (ValueError, NotImplementedError) as exc:
        raise error(gone) from exc
    if not path.exists():
        raise error(gone)
    return path


def insert_results(job: UploadJob, rows: list[Any], *, batch_size: int) -> None:
    """Insert result rows of ``job`` (all of one model); :class:`JobGone` when the job was
    deleted meanwhile (its rows then point nowhere)."""
    if not rows:
        return
    try:
        type(rows[0])._default_manager.bulk_create(rows, batch_size=batch_size)
    except IntegrityError as exc:
        if not type(job)._default_manager.filter(pk=job.pk).exists():
            raise JobGone from exc
        raise


def write(job: UploadJob, **fields: Any) -> None:
    """Update the job's row; :class:`JobGone` when it is no longer there."""
    if not type(job)._default_manager.filter(pk=job.pk).update(**fields):
        raise JobGone
    for name, value in fields.items():
        setattr(job, name, value)


def fail(job: UploadJob, message: str, *, action: str, changes: dict[str, Any]) -> None:
    """The job failed with ``message`` (for its author): its result rows are deleted, its
    counters reset; audited as ``action``."""
    with transaction.atomic():
        job.results().delete()
        try:
            write(
                job,
                status=FAILED,
                error=message,
                finished_at=timezone.now(),
                **job.failure_resets,
            )
        except JobGone:
            return
        audit.record(
            actor=job.created_by,
            action=action,
            obj=job,
            object_repr=job.audit_label,
            changes=changes,
        )


# --- The services -------------------------------------------------------------------------------


def check_upload(
    job_model: type[_Job],
    *,
    actor: Any,
    upload: File[Any],
    limit: UploadLimit,
    most: int,
    busy: Callable[[int], str],
) -> int:
    """The size of an upload for a new job of ``actor``, once checked: ``ValidationError`` with
    code ``too_large`` beyond the module's limit, or ``busy`` (the message ``busy(count)``) when
    ``actor`` already has ``most`` jobs waiting or running."""
    size = limit.check_size(upload)
    active = job_model._default_manager.filter(created_by=actor, status__in=ACTIVE).count()
    if active >= most:
        raise ValidationError(busy(active), code="busy")
    return size


def accept(
    job: UploadJob,
    upload: File[Any],
    *,
    actor: Any,
    action: str,
    changes: dict[str, Any],
    enqueue: Callable[[str], Any],
) -> None:
    """Save a new job with its upload (moved, a temporary upload, or copied in chunks into
    private storage), audited as ``action``; ``enqueue(job id)`` (the worker's task) runs it
    once the transaction commits."""
    job.upload.save("upload", upload, save=False)
    job.save()
    audit.record(actor=actor, action=action, obj=job, object_repr=job.audit_label, changes=changes)
    job_id = str(job.pk)
    transaction.on_commit(lambda: enqueue(job_id))


def delete_after_commit(job_model: type[_Job], name: str) -> None:
    """Delete the upload ``name`` (its path in the storage, which names the module's folder)
    once the transaction commits (a rollback keeps it)."""
    field = cast(models.FileField, job_model._meta.get_field("upload"))

    def delete() -> None:
        try:
            field.storage.delete(name)
        except OSError:
            logger.warning("Could not delete the upload %s", name, exc_info=True)

    transaction.on_commit(delete)


def remove_upload(*, actor: Any, job: _Job, action: str, running: str) -> _Job:
    """Delete a finished job's upload now (the results stay); ``running`` is the message for a
    job that still runs. The caller checked that ``actor`` may."""
    if not job.is_finished:
        raise ValidationError(running)
    name = job.upload.name
    if not name:
        return job
    job.upload = None  # type: ignore[assignment]
    job.upload_removed_at = timezone.now()
    job.save(update_fields=["upload", "upload_removed_at"])
    audit.record(actor=actor, action=action, obj=job, object_repr=job.audit_label)
    delete_after_commit(type(job), name)
    return job


def expire_uploads(
    job_model: type[_Job], *, days: int, action: str, now: dt.datetime | None
) -> int:
    """Delete the uploads of jobs finished more than ``days`` ago (their results stay); how
    many. Audited as ``action``, by the system, when there were some."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    expired = 0
    jobs = job_model._default_manager.exclude(status__in=ACTIVE).filter(finished_at__lt=cutoff)
    for pk, name in jobs.exclude(upload="").values_list("pk", "upload").iterator():
        with transaction.atomic():
            updated = job_model._default_manager.filter(pk=pk, upload=name).update(
                upload="", upload_removed_at=now
            )
            if updated:
                expired += 1
                delete_after_commit(job_model, name)
    if expired:
        audit.record(
            actor=None,
            actor_label=SYSTEM,
            action=action,
            changes={"jobs": expired, "days": days},
        )
    return expired


def recover_jobs(
    job_model: type[_Job],
    *,
    error: str,
    action: str,
    progress: Callable[[_Job], dict[str, Any]],
    enqueue: Callable[[str], Any],
    now: dt.datetime | None,
) -> tuple[int, int]:
    """Jobs whose worker stopped (running without progress for :data:`STALE_AFTER`) fail with
    ``error``, their results removed, audited as ``action`` with ``progress(job)``; jobs still
    pending after :data:`REQUEUE_AFTER` (a lost queue) are enqueued again. How many of each."""
    now = now or timezone.now()
    failed = 0
    manager = job_model._default_manager
    stale = manager.filter(status=RUNNING, progress_at__lt=now - STALE_AFTER)
    for job in stale.select_related("created_by"):
        with transaction.atomic():
            updated = manager.filter(pk=job.pk, status=RUNNING).update(
                status=FAILED, error=error, finished_at=now, **job.failure_resets
            )
            if updated:
                job.results().delete()
                failed += 1
                audit.record(
                    actor=job.created_by,
                    action=action,
                    obj=job,
                    object_repr=job.audit_label,
                    changes={**progress(job), "reason": "worker stopped"},
                )
    waiting = list(
        manager.filter(status=PENDING, created_at__lt=now - REQUEUE_AFTER).values_list(
            "pk", flat=True
        )
    )
    for pk in waiting:
        enqueue(str(pk))
    return failed, len(waiting)
