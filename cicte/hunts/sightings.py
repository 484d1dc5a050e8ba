"""A retro-hunt's matches as STIX 2.1 sightings, one per matched indicator (no Django here).

A sighting names what was seen (``sighting_of_ref``: the indicator), how often (``count``: the
job's matches of it) and when (``first_seen``/``last_seen``: when the job ran: the lines' own
times are not known). Named, it says who saw it (``created_by_ref`` and ``where_sighted_refs``:
the organisation's identity); anonymous, it has neither, and nothing else in it points at the
reporter. Its ids are derived from the job and the indicator, so the same report never makes two
different sightings.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cicte.core import tlp

NAMESPACE = uuid.UUID("5b0f2a7e-93c4-5d1e-8a26-4f7c3e9d1b08")
MAX_COUNT = 999_999_999  # STIX 2.1: count is at most 999,999,999


def timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sighting_id(job_id: str, stix_id: str) -> str:
    return f"sighting--{uuid.uuid5(NAMESPACE, f'hunt:{job_id}:{stix_id}')}"


def sighting(
    *,
    job_id: str,
    indicator_id: str,
    count: int,
    first_seen: dt.datetime,
    last_seen: dt.datetime,
    reported_at: dt.datetime,
    label: str,
    identity_id: str | None = None,
) -> dict[str, Any]:
    """One sighting of ``indicator_id``, marked with TLP ``label``; with ``identity_id``, named
    (``created_by_ref`` and ``where_sighted_refs``), without it anonymous."""
    first_seen, last_seen = min(first_seen, last_seen), max(first_seen, last_seen)
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": sighting_id(job_id, indicator_id),
        "created": timestamp(reported_at),
        "modified": timestamp(reported_at),
        "sighting_of_ref": indicator_id,
        "count": max(0, min(count, MAX_COUNT)),
        "first_seen": timestamp(first_seen),
        "last_seen": timestamp(last_seen),
        "object_marking_refs": [tlp.TLP2_MARKING_IDS[label]],
    }
    if identity_id is not None:
        obj["created_by_ref"] = identity_id
        obj["where_sighted_refs"] = [identity_id]
    return obj


def identity(*, identity_id: str, name: str, created: dt.datetime, label: str) -> dict[str, Any]:
    """The reporting organisation's identity (stored with named sightings, so that their
    references resolve). Its version is the organisation's creation time: the same every time."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": timestamp(created),
        "modified": timestamp(created),
        "name": name,
        "identity_class": "organization",
        "object_marking_refs": [tlp.TLP2_MARKING_IDS[label]],
    }
