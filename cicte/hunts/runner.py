"""The worker's half of a retro-hunt: load the indicators the job's author may see, run the
engine (:mod:`cicte.intel.hunt`) over the upload, write progress and matches as it goes.

- **Indicators**: ``StixObject.objects.readable_by(author)`` (TLP and the collections' read
  rights, decided when the job runs), of the types the engine reads (indicators and the
  observables ipv4-addr, ipv6-addr, domain-name, url, email-addr, file), the latest version of
  each id among those the author may see (as TAXII's ``match[version]=last``), unless that
  version is revoked. Rows are streamed in id order, so only one version is in memory at a time.
- **Progress** goes to the job's row every :data:`PROGRESS_EVERY` lines and at the end; matches
  are inserted in batches of :data:`BATCH`, at most ``HUNT_MAX_STORED_MATCHES`` per job (beyond,
  they are still counted).
- **Outcome**: complete, or failed with a message for its author (a failed job keeps no partial
  matches). A job deleted while it runs stops at its next progress write.

The claim, the author's language, the failures and the progress writes are the same for every
upload job (:mod:`cicte.core.jobs`); this module runs the hunt itself.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cicte.core import audit, jobs
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob, HuntMatch
from cicte.intel.hunt import Hunter, HuntStats, IndicatorSet, Warninglists, indicators_from_stix
from cicte.intel.models import StixObject

logger = logging.getLogger(__name__)

# The STIX types the engine reads values from (cicte.intel.hunt.indicators).
INDICATOR_TYPES = (
    "indicator",
    "ipv4-addr",
    "ipv6-addr",
    "domain-name",
    "url",
    "email-addr",
    "file",
)
PROGRESS_EVERY = 50_000
BATCH = 1000
READ_CHUNK = 2000


class HuntError(Exception):
    """A failure its author can act on (a damaged gzip file, an upload that is gone)."""


@functools.cache
def shipped_warninglists() -> Warninglists:
    """The MISP warninglists the platform ships with, read once per process (read-only)."""
    return Warninglists.shipped()


@dataclass(frozen=True)
class Source:
    """What a match keeps of the object version it matched."""

    pk: int
    type: str
    tlp: str
    collection_title: str
    organization_name: str


@dataclass
class Loaded:
    indicators: IndicatorSet
    sources: dict[str, Source]
    skipped: int


def load_indicators(user: Any) -> Loaded:
    """The indicator set of what ``user`` may see (see the module's docstring)."""
    rows = (
        StixObject.objects.readable_by(user)
        .filter(type__in=INDICATOR_TYPES)
        .order_by("stix_id", "-version_at", "-date_added")
        .values_list(
            "pk",
            "stix_id",
            "type",
            "revoked",
            "tlp",
            "collection__title",
            "owner_organization__name",
            "raw",
        )
    )
    sources: dict[str, Source] = {}

    def latest_objects() -> Any:
        current = None
        for pk, stix_id, kind, revoked, label, title, organization, raw in rows.iterator(
            chunk_size=READ_CHUNK
        ):
            if stix_id == current:
                continue  # an older version of the object just read
            current = stix_id
            if revoked:
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            sources[stix_id] = Source(pk, kind, label, title or "", organization or "")
            yield obj

    found = indicators_from_stix(latest_objects())
    return Loaded(IndicatorSet.build(found.entries), sources, found.skipped)


def run_job(job_id: Any) -> HuntJob | None:
    """Run a pending job (the worker's task); None when there is none to run (already taken by
    another worker, finished, or deleted)."""
    return jobs.run(
        HuntJob,
        job_id,
        work=_hunt,
        fail=_fail,
        user_error=HuntError,
        unexpected=gettext_lazy(
            "An unexpected error stopped the hunt. It has been logged; please try again."
        ),
        log=logger,
        label="Retro-hunt",
        select_related=("created_by__organization",),
    )


def _hunt(job: HuntJob) -> None:
    loaded = load_indicators(job.created_by)
    _write(
        job,
        indicator_count=loaded.indicators.size,
        indicators_skipped=loaded.skipped,
        progress_at=timezone.now(),
    )
    path = jobs.upload_file(job, HuntError)
    hunter = Hunter(loaded.indicators, shipped_warninglists())
    stats = HuntStats()
    limit = int(settings.HUNT_MAX_STORED_MATCHES)
    pending: list[HuntMatch] = []
    stored = 0

    def flush() -> None:
        jobs.insert_results(job, pending, batch_size=BATCH)
        pending.clear()

    def progress(current: HuntStats) -> None:
        flush()
        _write(job, **_counters(current), matches_stored=stored, progress_at=timezone.now())

    try:
        for match in hunter.hunt(path, stats=stats, progress=progress, every=PROGRESS_EVERY):
            if stored >= limit:
                continue
            source = loaded.sources[match.stix_id]
            pending.append(
                HuntMatch(
                    job_id=job.pk,
                    line=match.line,
                    value=match.value,
                    kind=match.kind,
                    indicator=match.indicator,
                    indicator_kind=match.indicator_kind,
                    match_kind=match.match,
                    stix_id=match.stix_id,
                    stix_object_id=source.pk,
                    stix_type=source.type,
                    tlp=source.tlp,
                    collection_title=source.collection_title[:200],
                    organization_name=source.organization_name[:200],
                )
            )
            stored += 1
            if len(pending) >= BATCH:
                flush()
    except FileNotFoundError as exc:
        raise HuntError(_("The uploaded file is no longer kept: upload it again.")) from exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise HuntError(
            _("The gzip data is damaged or cut short ({reason}); upload the file again.").format(
                reason=str(exc) or exc.__class__.__name__
            )
        ) from exc
    with transaction.atomic():
        flush()
        now = timezone.now()
        _write(
            job,
            **_counters(stats),
            matches_stored=stored,
            status=HuntStatus.COMPLETE,
            progress_at=now,
            finished_at=now,
        )
        job.refresh_from_db()
        audit.record(
            actor=job.created_by,
            action="hunts.job_complete",
            obj=job,
            object_repr=job.audit_label,
            changes={
                "lines": stats.lines,
                "matches": stats.matches,
                "suppressed": stats.suppressed,
            },
        )


def _counters(stats: HuntStats) -> dict[str, int]:
    return {
        "characters": stats.characters,
        "lines": stats.lines,
        "values": stats.values,
        "matches": stats.matches,
        "suppressed": stats.suppressed,
    }


def _write(job: HuntJob, **fields: Any) -> None:
    """Update the job's row; :class:`~cicte.core.jobs.JobGone` when it is no longer there."""
    jobs.write(job, **fields)


def _fail(job: HuntJob, message: str) -> None:
    jobs.fail(job, message, action="hunts.job_fail", changes={"lines": job.lines})
