"""MISP interoperability of the STIX store: import MISP events and feeds into a collection, and
export a collection (or a filtered view of it) as a MISP feed. The conversion is
:mod:`cicte.intel.misp_engine` (misp-stix and PyMISP, no Django); this module adds the rights,
the store and the audit trail.

- Import is all or nothing: every event is checked and converted, every STIX object validated
  as an ingest validates it (:func:`services.check_object`: STIX rules, TLP, the right to publish
  TLP:CLEAR), and only then is everything stored in one transaction through
  :func:`services.store`. Where it came from (file, folder or URL, the event uuids) is recorded
  in the import's audit event (``intel.misp_import``).
- Export reads ``StixObject.objects.readable_by(user)``, never TLP:RED
  (``leaving_platform``), filtered by :class:`~cicte.intel.filtersets.StixObjectFilterSet`
  (latest versions by default), and is an audit event (``intel.misp_feed.export``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from cicte.accounts.models import User
from cicte.core import audit, tlp
from cicte.intel import misp_engine, services, stix
from cicte.intel.filtersets import StixObjectFilterSet
from cicte.intel.misp_engine import MispError, MispText
from cicte.intel.models import Collection, StixObject

__all__ = [
    "MispError",
    "MispImport",
    "error_text",
    "export_feed",
    "import_events",
    "import_location",
]

# How many refused objects an error message names before "and N more".
SHOWN_FAILURES = 5


@dataclass
class MispImport:
    """What an import did: the events read, the STIX objects stored and those already there."""

    source: str
    events: list[str]
    stored: int
    unchanged: int


def _translated(template: str, params: dict[str, Any]) -> str:
    values = {
        name: _translated(value.template, value.params) if isinstance(value, MispText) else value
        for name, value in params.items()
    }
    try:
        return _(template).format(**values)
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders do not match its msgid: the English text rather
        # than an error page.
        return template.format(**values)


def error_text(error: MispError) -> str:
    """The message of ``error`` in the active language: the engine's msgid translated and its
    values put in, the place names it nests ("item 2", "event <uuid>") translated too.
    Messages made here or in the forms (no template) were translated when they were raised:
    their text as it is."""
    if error.template is None:
        return str(error)
    return _translated(error.template, error.params)


def _convert_all(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for event in events:
        objects.extend(misp_engine.event_to_stix(event).objects)
    return objects


def import_events(
    *, actor: User, collection: Collection, events: list[dict[str, Any]], source: str
) -> MispImport:
    """Store checked MISP events (:func:`misp_engine.events_of`) in ``collection`` as STIX
    2.1, all or nothing: :class:`MispError` if any object is refused, and nothing is stored."""
    if not services.may_write(actor, collection):
        raise PermissionDenied(_("You may not add objects to this collection."))
    objects = _convert_all(events)
    clear_ok = services.may_publish_clear(actor, collection)
    rows = []
    failures = []
    for obj in objects:
        try:
            rows.append(services.check_object(collection, obj, clear_ok))
        except stix.InvalidObject as exc:
            failures.append(f"{obj.get('id')}: {exc}")
    if failures:
        shown = "; ".join(failures[:SHOWN_FAILURES])
        more = len(failures) - SHOWN_FAILURES
        if more > 0:
            shown += " " + _("(and {count} more)").format(count=more)
        raise MispError(
            _("Nothing was imported: {count} objects were refused: {reasons}").format(
                count=len(failures), reasons=shown
            )
        )
    with transaction.atomic():
        rows, same = _without_stored_observables(actor, collection, rows)
        successes = services.store(actor=actor, collection=collection, rows=rows)
        new = sum(1 for entry in successes if "message" not in entry)
        unchanged = len(successes) - new + same
        uuids = [event["uuid"] for event in events]
        audit.record(
            actor=actor,
            action="intel.misp_import",
            obj=collection,
            changes={
                "source": source,
                "events": uuids,
                "objects": len(rows),
                "stored": new,
            },
        )
    return MispImport(source=source, events=uuids, stored=new, unchanged=unchanged)


def _without_stored_observables(
    actor: User, collection: Collection, rows: list[Any]
) -> tuple[list[Any], int]:
    """Cyber-observables have no version of their own (the store dates each post): one that
    the collection already holds exactly as converted is not stored again when an event is
    imported twice."""
    ids = sorted({row.obj["id"] for row in rows if row.version is None})
    if not ids:
        return rows, 0
    held = set(
        StixObject.objects.readable_by(actor)
        .filter(collection=collection, stix_id__in=ids)
        .values_list("stix_id", "raw")
    )
    kept = [row for row in rows if row.version is not None or (row.obj["id"], row.raw) not in held]
    return kept, len(rows) - len(kept)


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def read_location(location: str) -> list[dict[str, Any]]:
    """The checked events at ``location``: a MISP JSON file (one event, a list, or an API
    answer), a feed folder (with manifest.json), or a URL: a feed's base URL, or a ``.json``
    document of events."""
    if _is_url(location):
        path = urlsplit(location).path
        if path.endswith(".json") and not path.endswith("/manifest.json"):
            base, name = location.rsplit("/", 1)
            document = misp_engine.parse_json(misp_engine.url_fetcher(base)(name), what=location)
            return misp_engine.events_of(document, what=location)
        base = location.removesuffix("manifest.json")
        return misp_engine.read_feed(base, misp_engine.url_fetcher(base))
    return _read_path(Path(location))


def _read_path(path: Path) -> list[dict[str, Any]]:
    if path.is_dir():
        return misp_engine.read_feed(path.name, misp_engine.folder_fetcher(path))
    if path.name == "manifest.json":
        return misp_engine.read_feed(path.parent.name, misp_engine.folder_fetcher(path.parent))
    if not path.is_file():
        raise MispError(
            _("{location} is neither a file, a folder nor a URL.").format(location=path.name)
        )
    document = misp_engine.parse_json(
        misp_engine.folder_fetcher(path.parent)(path.name), what=path.name
    )
    return misp_engine.events_of(document, what=path.name)


def import_location(*, actor: User, collection: Collection, location: str) -> MispImport:
    """Import the MISP events or feed at ``location`` (see :func:`read_location`); the source
    recorded is the URL, or the file or folder name (not this machine's path)."""
    if not services.may_write(actor, collection):
        raise PermissionDenied(_("You may not add objects to this collection."))
    events = read_location(location)
    source = location if _is_url(location) else Path(location).name
    return import_events(actor=actor, collection=collection, events=events, source=source)


# --- Export ------------------------------------------------------------------------------------


def _with_label(obj: dict[str, Any], label: str) -> dict[str, Any]:
    """The object with the TLP 2.0 marking of its stored label (set from the collection's
    default when it came without one), so that the feed says what the platform applies."""
    if stix.tlp_of(obj) == label:
        return obj
    refs = [r for r in obj.get("object_marking_refs", []) if r not in tlp.TLP_BY_MARKING_ID]
    obj["object_marking_refs"] = [*refs, tlp.TLP2_MARKING_IDS[label]]
    return obj


def _query(filters: dict[str, Any] | None) -> QueryDict:
    """Filters as the object list receives them (a list value: the parameter repeated)."""
    query = QueryDict(mutable=True)
    for name, value in (filters or {}).items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return query


def feed_objects(
    *, actor: User, collection: Collection, filters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The objects a feed of ``collection`` holds for ``actor``: what they may read, never
    TLP:RED, filtered as the object list filters (latest versions unless ``versions=all``)."""
    if not Collection.objects.readable_by(actor).filter(pk=collection.pk).exists():
        raise Collection.DoesNotExist  # hidden looks absent
    queryset = StixObject.objects.readable_by(actor).filter(collection=collection)
    queryset = queryset.leaving_platform()
    filterset = StixObjectFilterSet(
        data=_query(filters), queryset=queryset, request=SimpleNamespace(user=actor)
    )
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_text())
    rows = filterset.qs.order_by("date_added", "pk").values_list("raw", "tlp")
    return [_with_label(json.loads(raw), label) for raw, label in rows]


def export_feed(
    *,
    actor: User,
    collection: Collection,
    folder: Path,
    filters: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Write ``collection`` (what ``actor`` may read of it, never TLP:RED, optionally filtered)
    as a MISP feed in ``folder``; audited as an export. Returns the counts written."""
    objects = feed_objects(actor=actor, collection=collection, filters=filters)
    organization = actor.organization
    if organization is None:
        raise PermissionDenied(_("Only people of an organisation may export intelligence."))
    events = misp_engine.stix_to_events(
        objects,
        organisation={
            "name": organization.name,
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cicte:organization:{organization.slug}")),
        },
        title=_("{collection}: objects outside reports").format(collection=collection.title),
        rest_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"cicte:misp-feed:{collection.pk}")),
    )
    counts = misp_engine.write_feed(events, folder)
    counts["objects"] = len(objects)
    audit.record_export(
        actor=actor,
        what="intel.misp_feed",
        count=len(objects),
        filters={"collection": str(collection.pk), **dict(_query(filters).lists())},
    )
    return counts
