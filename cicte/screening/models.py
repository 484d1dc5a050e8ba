"""Batch screening jobs, their hits, and the decisions on hits.

A *job* is one organisation's customer file (CSV, the ``screen`` command's input) screened on the
worker against the sanctions lists it chose. The file is kept in private storage
(``PRIVATE_MEDIA_ROOT``, never served by URL) until ``SCREENING_KEEP_UPLOAD_DAYS`` after the job
finished; the hits stay.

A *hit* is one customer record that matched one list entry at or above the job's threshold,
with the engine's explanation, what the record was as screened (its fingerprint) and what the
entry was (its content hash). A hit that the organisation cleared earlier (a false positive for
the same record and entry, neither changed since) is kept too, marked ``cleared``: counted and
listed, not raised.

A *decision* is an analyst's verdict on a hit (true or false positive, with a reason), kept per
organisation, customer record id and list entry; a revision is a new row, the previous one
stays in the history (``current`` false).

A bank's customer data: jobs, hits and decisions are their organisation's alone (its people see
them; nobody else, whatever their role, not even the Secretariat). What a job has in common with
the retro-hunt's (author, file, timestamps, the worker's claim) is
:class:`cicte.core.jobs.UploadJob`.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.core import jobs
from cicte.sanctions.matching import Query
from cicte.screening.choices import JobSource, JobStatus, Verdict

# The private storage of every module's uploads (cicte.core.jobs), in screening's own folder.
UPLOAD_FOLDER = "screening"


def screening_storage() -> jobs.PrivateStorage:
    return jobs.private_storage()


def upload_to(instance: ScreeningJob, filename: str) -> str:
    return jobs.upload_path(UPLOAD_FOLDER, instance)


def normalised_name(name: str) -> str:
    """A name as decisions compare it: Unicode compatibility forms, case folded, spaces
    collapsed (``Juan  PÉREZ`` and ``juan pérez`` are the same record name)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def record_fingerprint(query: Query) -> str:
    """The SHA-256 of a customer record as screened (a validated query): normalised name, birth
    date, nationality, kind. A decision holds while the record keeps this fingerprint."""
    parts = [normalised_name(query.name), query.birth_date, query.nationality, query.kind]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _of_organisation(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "organization_id", None)


class ScreeningJobQuerySet(jobs.UploadJobQuerySet["ScreeningJob"]):
    def visible_to(self, user: Any) -> ScreeningJobQuerySet:
        """The jobs of ``user``'s organisation: its customers' data, seen by nobody else
        whatever their role."""
        organization_id = _of_organisation(user)
        if organization_id is None:
            return self.none()
        return self.filter(organization_id=organization_id)


class ScreeningJob(jobs.UploadJob):
    """One organisation's customer file screened against the lists it chose."""

    audit_noun = "screening job"
    results_name = "hit_rows"
    failure_resets = {"hits": 0, "cleared": 0}

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=JobSource.choices, default=JobSource.UPLOAD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    lists = models.JSONField(_("lists"), default=list)
    threshold = models.FloatField(_("threshold"))
    # The version number of each list when the job screened: {"un": 3, "ofac": 7}.
    list_versions = models.JSONField(default=dict, blank=True)
    upload = jobs.upload_field(storage=screening_storage, upload_to=upload_to)
    # Progress: the valid rows (known once every row was checked), how many were screened.
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_screened = models.PositiveIntegerField(_("rows screened"), default=0)
    hits = models.PositiveIntegerField(_("hits raised"), default=0)
    cleared = models.PositiveIntegerField(_("hits cleared earlier"), default=0)
    # A rejected file: how many rows are invalid, and the first of them as "line N: reason".
    invalid_rows = models.PositiveIntegerField(_("invalid rows"), default=0)
    report = models.JSONField(default=list, blank=True)

    objects = ScreeningJobQuerySet.as_manager()

    class Meta(jobs.UploadJob.Meta):
        verbose_name = _("screening job")
        verbose_name_plural = _("screening jobs")
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "finished_at"]),
        ]

    @property
    def progress_percent(self) -> int | None:
        if not self.rows:
            return None
        return min(100, int(self.rows_screened * 100 / self.rows))

    @property
    def report_truncated(self) -> bool:
        return self.invalid_rows > len(self.report)


class ScreeningHitQuerySet(models.QuerySet["ScreeningHit"]):
    def visible_to(self, user: Any) -> ScreeningHitQuerySet:
        """The hits of the jobs of ``user``'s organisation."""
        organization_id = _of_organisation(user)
        if organization_id is None:
            return self.none()
        return self.filter(job__organization_id=organization_id)

    def raised(self) -> ScreeningHitQuerySet:
        return self.filter(cleared=False)


class ScreeningHit(models.Model):
    """One customer record that matched one list entry, explained, with what both were."""

    # Indexed by the composite indexes below, which start with it.
    job = models.ForeignKey(
        ScreeningJob, on_delete=models.CASCADE, related_name="hit_rows", db_index=False
    )
    line = models.PositiveIntegerField(_("line"))
    # The customer record as screened (validated: ISO nationality, kind, birth date).
    record_id = models.CharField(_("record id"), max_length=200)
    name = models.CharField(_("name"), max_length=500)
    birth_date = models.CharField(_("birth date"), max_length=10, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    kind = models.CharField(_("kind"), max_length=12, blank=True)
    record_fingerprint = models.CharField(max_length=64)
    # The list entry: its list, the platform's row, its FtM id and the list's own identifier,
    # and its content hash when it matched.
    list_key = models.CharField(_("list"), max_length=8)
    list_entity = models.ForeignKey(
        "sanctions.ListEntity",
        verbose_name=_("list entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entity_ftm_id = models.CharField(_("FtM id"), max_length=200)
    source_id = models.CharField(_("list identifier"), max_length=100)
    caption = models.CharField(_("listed name"), max_length=500)
    entity_hash = models.CharField(max_length=64)
    score = models.FloatField(_("score"))
    matched_name = models.CharField(_("matched name"), max_length=500)
    summary = models.TextField(_("explanation"))
    explanation = models.JSONField(default=dict)
    # Cleared earlier: a false positive decided for this record and entry, both unchanged.
    cleared = models.BooleanField(_("cleared earlier"), default=False)
    # The decision in force for this hit: made on it, or the earlier one that cleared it.
    decision = models.ForeignKey(
        "HitDecision",
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScreeningHitQuerySet.as_manager()

    class Meta:
        ordering = ["line", "-score", "id"]
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        indexes = [
            models.Index(fields=["job", "cleared", "line"]),
            models.Index(fields=["job", "record_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} ~ {self.list_key}:{self.source_id}"


class HitDecisionQuerySet(models.QuerySet["HitDecision"]):
    def visible_to(self, user: Any) -> HitDecisionQuerySet:
        """The decisions of ``user``'s organisation."""
        organization_id = _of_organisation(user)
        if organization_id is None:
            return self.none()
        return self.filter(organization_id=organization_id)


class HitDecision(models.Model):
    """An analyst's verdict on a customer record against a list entry, with the fingerprints of
    both as they were. A false positive clears later hits of the same record and entry while
    neither changes; a revision is a new row (the previous one kept, ``current`` false)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    record_id = models.CharField(_("record id"), max_length=200)
    list_entity = models.ForeignKey(
        "sanctions.ListEntity",
        verbose_name=_("list entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verdict = models.CharField(_("decision"), max_length=16, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    record_fingerprint = models.CharField(max_length=64)
    entity_hash = models.CharField(max_length=64)
    hit = models.ForeignKey(
        ScreeningHit,
        verbose_name=_("hit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    current = models.BooleanField(_("in force"), default=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revised_by",
    )

    objects = HitDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision on a hit")
        verbose_name_plural = _("decisions on hits")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_id", "list_entity"],
                condition=models.Q(current=True),
                name="screening_one_decision_in_force",
            )
        ]
        indexes = [models.Index(fields=["organization", "record_id"])]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.get_verdict_display()}"

    def holds_for(self, fingerprint: str, entity_hash: str) -> bool:
        """Whether this decision still applies to a record and entry with these fingerprints."""
        return self.record_fingerprint == fingerprint and self.entity_hash == entity_hash
