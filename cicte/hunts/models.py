"""Retro-hunt jobs and their matches.

A *job* is one person's upload (a log file, pasted observables, an API body) matched on the
worker against the indicators that person may see. The upload is kept in private storage
(``PRIVATE_MEDIA_ROOT``, outside any web root, never served by URL) until the job is deleted or
``HUNT_KEEP_UPLOAD_DAYS`` after it finished; the results stay.

A *match* is one line's value that matched one indicator. It keeps a copy of what the person
saw of the indicator when it matched (its value, TLP, collection and sharing organisation), so
that the results stay readable when the object changes; the link to the object version is kept
while that version exists.

A job and its matches are visible only to the person who ran it: no role widens that. What a
job has in common with other modules' upload jobs (author, file, timestamps, the worker's claim)
is :class:`cicte.core.jobs.UploadJob`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cicte.core import jobs
from cicte.core.choices import TLP
from cicte.hunts.choices import HuntSource, HuntStatus, MatchKind, ValueKind


def hunt_storage() -> jobs.PrivateStorage:
    return jobs.private_storage()


UPLOAD_FOLDER = "hunts"


def upload_to(instance: HuntJob, filename: str) -> str:
    return jobs.upload_path(UPLOAD_FOLDER, instance)


class HuntJobQuerySet(jobs.UploadJobQuerySet["HuntJob"]):
    def visible_to(self, user: Any) -> HuntJobQuerySet:
        """The jobs of ``user`` alone: a job shows what its author may see, so nobody else,
        whatever their role, sees it."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(created_by_id=user.pk)


class HuntJob(jobs.UploadJob):
    """One retro-hunt: an upload matched against the indicators its author may see."""

    audit_noun = "retro-hunt job"
    results_name = "match_rows"
    failure_resets = {"matches_stored": 0}

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=HuntSource.choices, default=HuntSource.UPLOAD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HuntStatus.choices, default=HuntStatus.PENDING
    )
    upload = jobs.upload_field(storage=hunt_storage, upload_to=upload_to)
    gzip = models.BooleanField(_("gzip-compressed"), default=False)
    # What the engine loaded: indicator values, and STIX indicators whose pattern it could not
    # read (AND, sequences, other object paths...).
    indicator_count = models.PositiveIntegerField(_("indicator values"), default=0)
    indicators_skipped = models.PositiveIntegerField(_("indicators skipped"), default=0)
    # Progress, written while the job runs and at its end (cicte.intel.hunt.HuntStats).
    characters = models.PositiveBigIntegerField(_("characters read"), default=0)
    lines = models.PositiveBigIntegerField(_("lines"), default=0)
    values = models.PositiveBigIntegerField(_("values"), default=0)
    matches = models.PositiveBigIntegerField(_("matches"), default=0)
    suppressed = models.PositiveBigIntegerField(_("suppressed"), default=0)
    # How many matches were kept as rows (at most HUNT_MAX_STORED_MATCHES).
    matches_stored = models.PositiveBigIntegerField(_("matches kept"), default=0)
    # The report of the matches as STIX sightings (once per job).
    sightings_reported_at = models.DateTimeField(_("sightings reported"), null=True, blank=True)
    sightings_anonymous = models.BooleanField(_("reported anonymously"), default=False)
    sightings_stored = models.PositiveIntegerField(_("sightings stored"), default=0)
    sightings_skipped = models.PositiveIntegerField(_("sightings skipped"), default=0)
    # [{"stix_id", "indicator", "collection", "matches", "outcome"}], one per matched object.
    sightings_report = models.JSONField(default=list, blank=True)

    objects = HuntJobQuerySet.as_manager()

    class Meta(jobs.UploadJob.Meta):
        verbose_name = _("retro-hunt job")
        verbose_name_plural = _("retro-hunt jobs")
        indexes = [
            models.Index(fields=["created_by", "-created_at"]),
            models.Index(fields=["status", "finished_at"]),
        ]

    @property
    def matches_truncated(self) -> bool:
        return self.matches_stored < self.matches

    @property
    def progress_percent(self) -> int | None:
        """How far through the upload the worker is, when it can tell (not for gzip: the size
        of the text is not known before it is read)."""
        if self.gzip or not self.size:
            return None
        return min(100, int(self.characters * 100 / self.size))


class HuntMatch(models.Model):
    """One line's value that matched one indicator, with what its author saw of the indicator
    at the time."""

    # Indexed by the composite indexes below, which all start with it.
    job = models.ForeignKey(
        HuntJob, on_delete=models.CASCADE, related_name="match_rows", db_index=False
    )
    line = models.PositiveBigIntegerField(_("line"))
    value = models.TextField(_("value"))
    kind = models.CharField(_("kind"), max_length=10, choices=ValueKind.choices)
    indicator = models.TextField(_("indicator value"))
    indicator_kind = models.CharField(_("indicator kind"), max_length=10, choices=ValueKind.choices)
    match_kind = models.CharField(_("match"), max_length=10, choices=MatchKind.choices)
    stix_id = models.CharField(_("STIX id"), max_length=255)
    stix_object = models.ForeignKey(
        "intel.StixObject",
        verbose_name=_("object version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stix_type = models.CharField(_("STIX type"), max_length=250, blank=True)
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices)
    collection_title = models.CharField(_("collection"), max_length=200, blank=True)
    organization_name = models.CharField(_("shared by"), max_length=200, blank=True)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("retro-hunt match")
        verbose_name_plural = _("retro-hunt matches")
        indexes = [
            models.Index(fields=["job", "line", "id"]),
            models.Index(fields=["job", "kind", "line"]),
            models.Index(fields=["job", "match_kind", "line"]),
            models.Index(fields=["job", "stix_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.value} → {self.indicator}"

    @property
    def is_indicator(self) -> bool:
        return self.stix_type == "indicator"
