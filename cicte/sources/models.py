"""Remote intelligence sources and the log of their polls.

- A :class:`RemoteSource` is a remote TAXII 2.1 collection or MISP feed that the platform reads
  on a schedule into one of its own collections. What it stores is stored *as* the person who
  created the source (its ``owner``), through the intel services: ownership, TLP and audience
  follow the normal rules, and the owner must keep the right to write the collection. Its
  secret (a password, an API token or key) is encrypted at rest (FIELD_ENCRYPTION_KEY) and is
  never shown again once saved.
- A :class:`SourcePoll` is one poll: when, what started it, what it read, stored and refused,
  the error if any, and which object versions it stored (its provenance, kept after the intel
  ingest that carried them is forgotten).

Sources are configuration, not shared content: the holders of ``intel.manage_collections`` see
them all; the objects they stored are read, as always, through ``readable_by``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.core.fields import EncryptedTextField
from cicte.sources.choices import AuthScheme, PollStatus, PollTrigger, SourceKind

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60


class RemoteSource(models.Model):
    """A remote TAXII 2.1 collection or MISP feed polled into a collection of the platform."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_(
            "TAXII: the collection's own address, ending in /collections/ and its id. MISP: "
            "the feed's address, the folder that holds manifest.json."
        ),
    )
    auth_scheme = models.CharField(
        _("authentication"), max_length=10, choices=AuthScheme.choices, default=AuthScheme.BASIC
    )
    username = models.CharField(_("username"), max_length=200, blank=True)
    # The password, token or key, encrypted at rest; write-only in the UI.
    secret = EncryptedTextField(_("password or token"), blank=True)
    collection = models.ForeignKey(
        "intel.Collection",
        verbose_name=_("target collection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The person as whom objects are stored (their organisation owns them): who created it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored as"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    interval_minutes = models.PositiveIntegerField(
        _("interval (minutes)"),
        default=60,
        validators=[
            MinValueValidator(MIN_INTERVAL_MINUTES),
            MaxValueValidator(MAX_INTERVAL_MINUTES),
        ],
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    # Set while a poll runs (a lease: polls of one source never overlap; a crashed worker's
    # lease expires, see services.POLL_LEASE).
    polling_since = models.DateTimeField(null=True, blank=True, editable=False)

    # TAXII: the added_after of the next poll (the last X-TAXII-Date-Added-Last seen).
    taxii_added_after = models.CharField(_("TAXII cursor"), max_length=40, blank=True)
    # MISP feeds: {event uuid: manifest timestamp} of the events imported.
    misp_timestamps = models.JSONField(_("MISP events seen"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("remote source")
        verbose_name_plural = _("remote sources")
        indexes = [models.Index(fields=["is_enabled", "next_poll_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)


class SourcePoll(models.Model):
    """One poll of a remote source: the provenance of what it stored."""

    # Kept when the source is deleted (with its name and address copied): it is the provenance
    # of the objects it stored.
    source = models.ForeignKey(
        RemoteSource,
        verbose_name=_("source"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="polls",
    )
    source_name = models.CharField(_("source name"), max_length=200)
    source_url = models.URLField(_("source URL"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    trigger = models.CharField(
        _("started by"), max_length=10, choices=PollTrigger.choices, default=PollTrigger.SCHEDULE
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PollStatus.choices)
    objects_read = models.PositiveIntegerField(_("objects read"), default=0)
    events_read = models.PositiveIntegerField(_("MISP events read"), default=0)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    duplicates = models.PositiveIntegerField(_("already stored"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(_("error"), blank=True)
    # TAXII: {"added_after", "date_added_last", "pages", "more", "refused": [...]};
    # MISP: {"events": [uuid...], "more"}.
    details = models.JSONField(default=dict, blank=True)
    # The ingest (TAXII's status resource) that stored a TAXII poll's objects. Intel forgets
    # completed ingests after TAXII_STATUS_RETENTION_DAYS; the link below stays.
    ingest = models.ForeignKey(
        "intel.Ingest",
        verbose_name=_("ingest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stored_objects = models.ManyToManyField(
        "intel.StixObject", verbose_name=_("stored object versions"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.source_name} · {self.started_at:%Y-%m-%d %H:%M}"
