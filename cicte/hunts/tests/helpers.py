"""Helpers of the retro-hunt tests: a world of two CSIRTs and their collections, STIX objects,
jobs run on the spot.

Indicator values are fictitious: IPv6 in 3fff::/20 (documentation, RFC 9637, on no shipped
warninglist), domains under example.com/.net/.org, and a few IPv4 addresses outside the
warninglisted special-purpose blocks (the documentation blocks of RFC 5737 are on MISP's RFC 5735
warninglist: their matches are suppressed, which some tests rely on)."""

from __future__ import annotations

import gzip
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile

from cicte.accounts.models import Organization, User
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.hunts import runner, services
from cicte.hunts.choices import HuntSource
from cicte.hunts.models import HuntJob
from cicte.intel import services as intel_services
from cicte.intel.models import Collection
from cicte.intel.tests import factories as f


@dataclass
class World:
    colombia: Organization
    mexico: Organization
    analyst: User  # of colombia: the hunter in most tests
    colleague: User  # of colombia too
    other: User  # of mexico
    network: Collection  # CSIRTAmericas, read and written by members
    group: Collection  # the sharing group of colombia and mexico


def world() -> World:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return World(
        colombia=colombia,
        mexico=mexico,
        analyst=f.analyst(colombia, full_name="Camila Analyst"),
        colleague=f.analyst(colombia),
        other=f.analyst(mexico),
        network=f.collection(title="CSIRTAmericas indicators"),
        group=f.collection(None, organizations=[colombia, mexico], title="Bilateral"),
    )


def indicator(
    pattern: str,
    *,
    label: str = TLP.GREEN,
    stix_id: str | None = None,
    modified: str = "2026-11-21T08:30:00.000Z",
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T12:00:00.000Z",
        "modified": modified,
        "name": f"Indicator {pattern[:60]}",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-11-20T12:00:00Z",
        "object_marking_refs": [TLP2_MARKING_IDS[TLP(label)]],
    }
    obj.update(extra)
    return obj


def observable(kind: str, value: str, *, label: str = TLP.GREEN) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "value": value,
        "object_marking_refs": [TLP2_MARKING_IDS[TLP(label)]],
    }


def file_observable(sha256: str, *, label: str = TLP.GREEN) -> dict[str, Any]:
    return {
        "type": "file",
        "spec_version": "2.1",
        "id": f"file--{uuid.uuid4()}",
        "hashes": {"SHA-256": sha256},
        "object_marking_refs": [TLP2_MARKING_IDS[TLP(label)]],
    }


def share(actor: User, collection: Collection, *objects: dict[str, Any]) -> list[dict[str, Any]]:
    """Store ``objects`` as ``actor`` (through the intel services)."""
    intel_services.store_objects(actor=actor, collection=collection, objects=list(objects))
    return list(objects)


def upload(
    text: str | bytes, name: str = "logs.txt", *, compress: bool = False
) -> ContentFile[bytes]:
    data = text.encode() if isinstance(text, str) else text
    if compress:
        data = gzip.compress(data, mtime=0)
    return ContentFile(data, name=name)


def hunt(
    user: User, text: str | bytes, name: str = "logs.txt", *, compress: bool = False
) -> HuntJob:
    """A job of ``user`` on ``text``, run on the spot (as the worker would)."""
    job = services.create_job(
        actor=user,
        upload=upload(text, name, compress=compress),
        name=name,
        source=HuntSource.UPLOAD,
    )
    runner.run_job(job.pk)
    job.refresh_from_db()
    return job


def matched(job: HuntJob) -> set[tuple[int, str, str, str]]:
    """(line, value, indicator, match kind) of a job's matches."""
    return set(job.match_rows.values_list("line", "value", "indicator", "match_kind"))
