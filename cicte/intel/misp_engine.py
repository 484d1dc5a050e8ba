"""MISP events and feeds <-> STIX 2.1, without Django: read and check MISP JSON (one event, a
list, a ``{"response": [...]}`` answer, a feed of manifest.json plus one file per event),
convert it with misp-stix (the MISP project's own converter), and write a collection's objects
as a MISP feed (manifest.json, hashes.csv, ``<event uuid>.json``) with PyMISP.

TLP: MISP puts ``tlp:*`` tags on events and attributes; misp-stix marks the report it makes of
an event with the TLP 1.0 marking only. Here every object converted from an event carries the
TLP 2.0 marking of the most restrictive of the event's tag and its own, so that the store labels
each object (not only the report) as the MISP producer labelled the event.

Everything is checked before anything is returned: a malformed event, feed or manifest raises
:class:`MispError` naming what is wrong, so the caller stores all or nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from cicte.core import tlp
from cicte.intel import stix

# MISP's TLP tags (TLP 1.0 and 2.0 names; WHITE is CLEAR), by lower-case tag name.
TLP_TAGS = {
    "tlp:white": tlp.CLEAR,
    "tlp:clear": tlp.CLEAR,
    "tlp:green": tlp.GREEN,
    "tlp:amber": tlp.AMBER,
    "tlp:amber+strict": tlp.AMBER_STRICT,
    "tlp:red": tlp.RED,
}
TAG_OF_TLP = {
    tlp.CLEAR: "tlp:clear",
    tlp.GREEN: "tlp:green",
    tlp.AMBER: "tlp:amber",
    tlp.AMBER_STRICT: "tlp:amber+strict",
    tlp.RED: "tlp:red",
}
TAG_COLOURS = {
    tlp.CLEAR: "#ffffff",
    tlp.GREEN: "#33ff00",
    tlp.AMBER: "#ffc000",
    tlp.AMBER_STRICT: "#ffc000",
    tlp.RED: "#ff2b2b",
}
# A feed or an event document larger than this is refused (a feed is read whole per event).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_EVENTS = 10_000
TIMESTAMP = re.compile(r"^\d{1,12}$")


def gettext_noop(message: str) -> str:
    """Mark ``message`` as a msgid without translating it: ``makemessages`` collects the
    msgids by this function's name, and :func:`cicte.intel.misp.error_text` translates them in
    the reader's language. The engine does not import Django."""
    return message


class MispText:
    """A message to translate later: a msgid (marked with :func:`gettext_noop`, NAMED
    ``{placeholders}``) and its values, which may be MispTexts themselves (the fragments
    ``"{what}, item {position}"`` a message names its place with). ``str()`` is the English
    text."""

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return self.template.format(**self.params)

    def __repr__(self) -> str:
        return f"MispText({str(self)!r})"


class MispError(ValueError):
    """A MISP document that cannot be imported; the message says which event and why.

    ``MispError(gettext_noop("{what}: ..."), what=...)``: ``template`` and ``params`` are kept
    for :func:`cicte.intel.misp.error_text`, which shows the message in the reader's language;
    ``str(error)`` and ``args[0]`` are the English text. A message without values is taken as
    final text (``template`` is ``None``): callers with Django translate it themselves."""

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template: str | None = template if params else None
        self.params: dict[str, Any] = params
        super().__init__(template.format(**params) if params else template)


# What a document or an event is called when the caller names it no better.
DOCUMENT = MispText(gettext_noop("document"))
EVENT = MispText(gettext_noop("event"))


@dataclass
class ConvertedEvent:
    """One MISP event as STIX 2.1 objects (TLP 2.0 markings set)."""

    uuid: str
    tlp: str | None
    objects: list[dict[str, Any]] = field(default_factory=list)


# --- Reading MISP JSON -------------------------------------------------------------------------


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parse_json(text: str | bytes, *, what: str) -> Any:
    """JSON text as Python data, or :class:`MispError` naming ``what`` could not be read."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise MispError(
            gettext_noop("{what}: larger than {limit} bytes."), what=what, limit=MAX_DOCUMENT_BYTES
        )
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MispError(
            gettext_noop("{what}: not valid JSON ({error})."), what=what, error=exc
        ) from exc


def events_of(document: Any, *, what: str | MispText = DOCUMENT) -> list[dict[str, Any]]:
    """The events of a MISP JSON document: ``{"Event": {...}}``, a list of those, or a MISP API
    answer ``{"response": [...]}``; each checked (:func:`check_event`). Event dicts are
    returned without their ``Event`` wrapper."""
    if isinstance(document, dict) and "response" in document:
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    if not items:
        raise MispError(gettext_noop("{what}: no MISP event in it."), what=what)
    if len(items) > MAX_EVENTS:
        raise MispError(
            gettext_noop("{what}: more than {limit} events."), what=what, limit=MAX_EVENTS
        )
    events = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        place = MispText(gettext_noop("{what}, item {position}"), what=what, position=position)
        if not isinstance(item, dict) or not isinstance(item.get("Event"), dict):
            raise MispError(
                gettext_noop('{where}: not a MISP event (expected {{"Event": {{...}}}}).'),
                where=place,
            )
        event = item["Event"]
        check_event(event, what=place)
        if event["uuid"] in seen:
            raise MispError(
                gettext_noop("{what}: event {uuid} appears twice."), what=what, uuid=event["uuid"]
            )
        seen.add(event["uuid"])
        events.append(event)
    return events


def _check_tags(tags: Any, where: str | MispText) -> None:
    if tags is None:
        return
    if not isinstance(tags, list) or not all(
        isinstance(tag, dict) and isinstance(tag.get("name"), str) and tag["name"].strip()
        for tag in tags
    ):
        raise MispError(
            gettext_noop("{where}: Tag must be a list of tags, each with a name."), where=where
        )


def _check_attribute(attribute: Any, where: str | MispText) -> None:
    if not isinstance(attribute, dict):
        raise MispError(gettext_noop("{where}: an attribute must be a JSON object."), where=where)
    for key in ("type", "value"):
        if not isinstance(attribute.get(key), str) or not attribute[key].strip():
            # ``key``: the MISP field's name (type, value), not a word to translate.
            raise MispError(
                gettext_noop("{where}: an attribute has no {key}."), where=where, key=key
            )
    if "uuid" in attribute and not _is_uuid(attribute["uuid"]):
        raise MispError(
            gettext_noop("{where}: attribute uuid {value} is not a UUID."),
            where=where,
            value=repr(attribute["uuid"]),
        )
    if "timestamp" in attribute and not TIMESTAMP.match(str(attribute["timestamp"])):
        raise MispError(
            gettext_noop("{where}: attribute timestamp {value} is not valid."),
            where=where,
            value=repr(attribute["timestamp"]),
        )
    _check_tags(attribute.get("Tag"), where)


def check_event(event: dict[str, Any], *, what: str | MispText = EVENT) -> None:
    """What the importer asks of a MISP event before converting it: a UUID, an info text, a
    date, lists of well-formed attributes, objects, tags and galaxies; PyMISP must load it."""
    if not _is_uuid(event.get("uuid")):
        raise MispError(gettext_noop("{what}: the event has no valid uuid."), what=what)
    where = MispText(gettext_noop("{what} (event {uuid})"), what=what, uuid=event["uuid"])
    if not isinstance(event.get("info"), str) or not event["info"].strip():
        raise MispError(gettext_noop("{where}: the event has no info (its title)."), where=where)
    if "date" in event:
        try:
            dt.date.fromisoformat(str(event["date"]))
        except ValueError as exc:
            raise MispError(
                gettext_noop("{where}: date {value} is not a date."),
                where=where,
                value=repr(event["date"]),
            ) from exc
    if "timestamp" in event and not TIMESTAMP.match(str(event["timestamp"])):
        raise MispError(
            gettext_noop("{where}: timestamp {value} is not valid."),
            where=where,
            value=repr(event["timestamp"]),
        )
    _check_tags(event.get("Tag"), where)
    attributes = event.get("Attribute", [])
    objects = event.get("Object", [])
    galaxies = event.get("Galaxy", [])
    for key, value in (("Attribute", attributes), ("Object", objects), ("Galaxy", galaxies)):
        if not isinstance(value, list):
            # ``key``: the MISP field's name (Attribute, Object, Galaxy).
            raise MispError(gettext_noop("{where}: {key} must be a list."), where=where, key=key)
    for attribute in attributes:
        _check_attribute(attribute, where)
    for obj in objects:
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            raise MispError(gettext_noop("{where}: an object has no name."), where=where)
        if not isinstance(obj.get("Attribute", []), list):
            raise MispError(
                gettext_noop("{where}: the attributes of object {name} are not a list."),
                where=where,
                name=repr(obj["name"]),
            )
        place = MispText(
            gettext_noop("{where}, object {name}"), where=where, name=repr(obj["name"])
        )
        for attribute in obj.get("Attribute", []):
            _check_attribute(attribute, place)
    for galaxy in galaxies:
        if not isinstance(galaxy, dict) or not isinstance(galaxy.get("GalaxyCluster", []), list):
            raise MispError(
                gettext_noop("{where}: a galaxy must be an object with a GalaxyCluster list."),
                where=where,
            )
        for cluster in galaxy.get("GalaxyCluster", []):
            if not isinstance(cluster, dict) or not isinstance(cluster.get("value"), str):
                raise MispError(
                    gettext_noop("{where}: a galaxy cluster has no value."), where=where
                )
    if not attributes and not objects and not galaxies:
        raise MispError(
            gettext_noop("{where}: the event has no attributes, objects or galaxies."), where=where
        )
    from pymisp import MISPEvent

    try:
        # PyMISP consumes the dict it loads: give it a copy.
        MISPEvent().load({"Event": copy.deepcopy(event)})
    except Exception as exc:  # PyMISP raises many kinds; the event is refused whatever it is
        raise MispError(
            gettext_noop("{where}: PyMISP cannot load it ({error})."), where=where, error=exc
        ) from exc


def tlp_of_tags(tags: Iterable[dict[str, Any]] | None) -> str | None:
    """The most restrictive TLP label among MISP tags (``tlp:amber`` ...), or ``None``."""
    found = [
        TLP_TAGS[t["name"].strip().lower()]
        for t in tags or []
        if t["name"].strip().lower() in TLP_TAGS
    ]
    return max(found, key=tlp.ORDER.index) if found else None


# --- MISP -> STIX ------------------------------------------------------------------------------


def _most_restrictive(*labels: str | None) -> str | None:
    present = [label for label in labels if label]
    return max(present, key=tlp.ORDER.index) if present else None


def _is_tlp_definition(obj: dict[str, Any]) -> bool:
    return obj.get("type") == "marking-definition" and (
        obj.get("id") in tlp.TLP_BY_MARKING_ID or obj.get("definition_type") == "tlp"
    )


def _attribute_labels(event: dict[str, Any]) -> dict[str, str]:
    """TLP of tagged attributes (and objects' attributes) by uuid: misp-stix names the STIX
    objects it makes of an attribute ``<type>--<attribute uuid>``."""
    labels: dict[str, str] = {}
    for attribute in event.get("Attribute", []):
        label = tlp_of_tags(attribute.get("Tag"))
        if label and "uuid" in attribute:
            labels[attribute["uuid"]] = label
    for obj in event.get("Object", []):
        object_label = tlp_of_tags(obj.get("Tag"))
        for attribute in obj.get("Attribute", []):
            label = _most_restrictive(object_label, tlp_of_tags(attribute.get("Tag")))
            if label and "uuid" in attribute:
                labels[attribute["uuid"]] = label
        if object_label and "uuid" in obj:
            labels[obj["uuid"]] = object_label
    return labels


def event_to_stix(event: dict[str, Any]) -> ConvertedEvent:
    """One checked MISP event as valid STIX 2.1 objects (misp-stix), each carrying the TLP 2.0
    marking of the event (or its own when more restrictive); galaxies become STIX objects
    (threat-actor, malware, attack-pattern ...) as misp-stix maps them."""
    from misp_stix_converter import MISPtoSTIX21Parser

    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event({"Event": event})
        objects = json.loads(parser.bundle.serialize())["objects"]
    except Exception as exc:
        raise MispError(
            gettext_noop("Event {uuid}: misp-stix cannot convert it ({error})."),
            uuid=event["uuid"],
            error=exc,
        ) from exc
    errors = getattr(parser, "errors", None)
    if errors:
        raise MispError(
            gettext_noop("Event {uuid}: misp-stix reports errors ({errors})."),
            uuid=event["uuid"],
            errors=dict(errors),
        )
    event_label = tlp_of_tags(event.get("Tag"))
    by_uuid = _attribute_labels(event)
    result = ConvertedEvent(uuid=event["uuid"], tlp=event_label)
    objects = [obj for obj in objects if not _is_tlp_definition(obj)]  # TLP 2.0 ids need none
    labels = {
        obj["id"]: _most_restrictive(
            event_label, stix.tlp_of(obj), by_uuid.get(obj["id"].split("--", 1)[-1])
        )
        for obj in objects
    }
    for obj in objects:
        label = labels[obj["id"]]
        if obj.get("type") == "relationship":
            # A relationship says something about both ends: no less restricted than either.
            label = _most_restrictive(
                label, labels.get(obj.get("source_ref", "")), labels.get(obj.get("target_ref", ""))
            )
        refs = [ref for ref in obj.get("object_marking_refs", []) if isinstance(ref, str)]
        others = [ref for ref in refs if ref not in tlp.TLP_BY_MARKING_ID]
        if label:
            obj["object_marking_refs"] = [*others, tlp.TLP2_MARKING_IDS[label]]
        elif "object_marking_refs" in obj and not others:
            del obj["object_marking_refs"]
        try:
            stix.validate(obj)
        except stix.InvalidObject as exc:
            raise MispError(
                gettext_noop("Event {uuid}: {id} is not valid STIX 2.1 ({error})."),
                uuid=event["uuid"],
                id=obj.get("id"),
                error=exc,
            ) from exc
        result.objects.append(obj)
    return result


# --- Feeds ---------------------------------------------------------------------------------------


Fetch = Callable[[str], bytes]


def read_manifest(base: str, fetch: Fetch) -> dict[str, Any]:
    """A feed's ``manifest.json`` ({event uuid: its entry}), checked: a JSON object of at most
    :data:`MAX_EVENTS` entries, each keyed by an event uuid. It may be empty (a feed with no
    event yet); :func:`read_feed` refuses that."""
    manifest = parse_json(fetch("manifest.json"), what=f"{base} manifest.json")
    if not isinstance(manifest, dict):
        raise MispError(
            gettext_noop("{base}: manifest.json must be a JSON object keyed by event uuid."),
            base=base,
        )
    if len(manifest) > MAX_EVENTS:
        raise MispError(
            gettext_noop("{base}: manifest.json lists more than {limit} events."),
            base=base,
            limit=MAX_EVENTS,
        )
    for key, entry in manifest.items():
        if not _is_uuid(key) or not isinstance(entry, dict):
            raise MispError(
                gettext_noop("{base}: manifest.json entry {key} is not an event uuid."),
                base=base,
                key=repr(key),
            )
    return manifest


def manifest_timestamps(manifest: dict[str, Any], *, base: str) -> dict[str, int]:
    """{event uuid (lower case): its manifest timestamp} of a manifest :func:`read_manifest`
    checked: what a reader that polls the feed compares to find the events that changed."""
    timestamps: dict[str, int] = {}
    for key, entry in manifest.items():
        stamp = str(entry.get("timestamp", ""))
        if not TIMESTAMP.match(stamp):
            raise MispError(
                gettext_noop("{base}: manifest.json: event {key} has no valid timestamp."),
                base=base,
                key=key,
            )
        timestamps[key.lower()] = int(stamp)
    return timestamps


def read_events(base: str, fetch: Fetch, uuids: Iterable[str]) -> list[dict[str, Any]]:
    """The events ``uuids`` of a feed (as its manifest names them): ``fetch("<uuid>.json")``
    for each, every file checked, and each must hold the one event it is named after."""
    events = []
    for key in uuids:
        name = f"{key}.json"
        document = parse_json(fetch(name), what=f"{base} {name}")
        found = events_of(document, what=f"{base} {name}")
        if len(found) != 1 or found[0]["uuid"] != key:
            raise MispError(
                gettext_noop("{what}: it must hold the one event {key} of the manifest."),
                what=f"{base} {name}",
                key=key,
            )
        events.append(found[0])
    return events


def read_feed(base: str, fetch: Fetch) -> list[dict[str, Any]]:
    """The events of a MISP feed: ``fetch("manifest.json")`` then ``fetch("<uuid>.json")`` for
    each event it lists; every file checked, and each event's uuid must be the one the manifest
    names."""
    manifest = read_manifest(base, fetch)
    if not manifest:
        raise MispError(
            gettext_noop("{base}: manifest.json must be a non-empty object keyed by event uuid."),
            base=base,
        )
    return read_events(base, fetch, list(manifest))


def folder_fetcher(folder: Path) -> Fetch:
    def fetch(name: str) -> bytes:
        path = folder / name
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise MispError(
                    gettext_noop("{what}: larger than {limit} bytes."),
                    what=path.name,
                    limit=MAX_DOCUMENT_BYTES,
                )
            return path.read_bytes()
        except OSError as exc:
            raise MispError(
                gettext_noop("{folder}: cannot read {name} ({error})."),
                folder=folder,
                name=name,
                error=exc.strerror,
            ) from exc

    return fetch


def url_fetcher(
    base_url: str,
    *,
    timeout: float = 30.0,
    session: Any = None,
    on_error: Callable[[Exception, str], Exception] | None = None,
) -> Fetch:
    """Files of a feed under ``base_url``, over HTTP(S): no redirects followed, a timeout, at
    most :data:`MAX_DOCUMENT_BYTES` read. ``session``: a ``requests.Session`` the caller set up
    (authentication, User-Agent, response hooks); plain ``requests`` otherwise. A failed request
    (a status other than 200 comes as ``requests.HTTPError`` with its response) raises
    ``on_error(exception, url)``, by default a :class:`MispError` naming the URL. The address
    itself is checked by the caller (``cicte.core.targets.check_public_url``)."""
    import requests

    base = base_url if base_url.endswith("/") else base_url + "/"
    get = session.get if session is not None else requests.get

    def failure(exc: Exception, url: str) -> Exception:
        if on_error is not None:
            return on_error(exc, url)
        response = getattr(exc, "response", None)
        if isinstance(exc, requests.HTTPError) and response is not None:
            return MispError(
                gettext_noop("{url}: the server answered {status}."),
                url=url,
                status=response.status_code,
            )
        return MispError(
            gettext_noop("{url}: cannot be fetched ({error})."),
            url=url,
            error=exc.__class__.__name__,
        )

    def fetch(name: str) -> bytes:
        url = urljoin(base, name)
        try:
            with get(url, timeout=timeout, stream=True, allow_redirects=False) as answer:
                if answer.status_code != 200:
                    raise requests.HTTPError(str(answer.status_code), response=answer)
                body = bytearray()
                for chunk in answer.iter_content(65536):
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise MispError(
                            gettext_noop("{what}: larger than {limit} bytes."),
                            what=url,
                            limit=MAX_DOCUMENT_BYTES,
                        )
                return bytes(body)
        except requests.RequestException as exc:
            raise failure(exc, url) from exc

    return fetch


# --- STIX -> MISP feed -------------------------------------------------------------------------


def _from_misp(objects: list[dict[str, Any]]) -> bool:
    """Whether the objects were made by misp-stix from MISP (its labels): then its "internal"
    parser rebuilds the original attributes exactly."""
    from misp_stix_converter.tools.stix2_to_misp_helpers import is_stix2_from_misp

    return bool(is_stix2_from_misp(objects))


def _groups(objects: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The objects split into what becomes one MISP event each: every report or grouping with
    the objects it refers to (their authors' identities and the relationships between them
    too), and the objects that no report or grouping refers to."""
    by_id = {obj["id"]: obj for obj in objects}
    containers = [obj for obj in objects if obj.get("type") in ("report", "grouping")]
    relationships = [obj for obj in objects if obj.get("type") == "relationship"]
    groups = []
    used: set[str] = set()
    for container in containers:
        ids = [container["id"], *(r for r in container.get("object_refs", []) if r in by_id)]
        members = set(ids)
        for relationship in relationships:
            ends = (relationship.get("source_ref"), relationship.get("target_ref"))
            if all(end in members for end in ends) and relationship["id"] not in members:
                ids.append(relationship["id"])
                members.add(relationship["id"])
        # The authors' identities, unless more restricted than the report (an identity shared
        # by events of different labels must not raise, nor leak into, a more open one).
        ceiling = tlp.ORDER.index(stix.tlp_of(container) or tlp.CLEAR)
        for ref in [by_id[i].get("created_by_ref") for i in ids]:
            if ref in by_id and ref not in members:
                if tlp.ORDER.index(stix.tlp_of(by_id[ref]) or tlp.CLEAR) <= ceiling:
                    ids.append(ref)
                members.add(ref)
        used |= members
        groups.append([by_id[i] for i in ids])
    rest = [obj for obj in objects if obj["id"] not in used]
    # Identities alone (the authors of the reports above) make no event of their own.
    if any(obj.get("type") != "identity" for obj in rest):
        groups.append(rest)
    return groups


def _misp_made(obj: dict[str, Any]) -> bool:
    """Whether misp-stix made the object from a MISP attribute or galaxy (its labels)."""
    labels = obj.get("labels") or []
    return any(
        isinstance(label, str) and label.startswith(("misp:", "misp-galaxy:")) for label in labels
    )


def _parse(group: list[dict[str, Any]], title: str | None, internal: bool) -> Any:
    from misp_stix_converter import ExternalSTIX2toMISPParser, InternalSTIX2toMISPParser
    from misp_stix_converter.tools.stix2_loading_helpers import load_stix2_content

    bundle = load_stix2_content(
        {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": group}
    )
    parser: Any = InternalSTIX2toMISPParser() if internal else ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(bundle)
    parser.parse_stix_bundle(single_event=True, title=title)
    return parser.misp_event


def _convert(group: list[dict[str, Any]], title: str | None) -> Any:
    """One MISP event of a group. A report or grouping that misp-stix made from MISP goes
    through its "internal" parser, which rebuilds the original attributes; objects outside any
    report are split: those misp-stix made (their ``misp:`` labels) through the internal
    parser, the others through the "external" one, merged into one event."""
    if group[0].get("type") in ("report", "grouping"):
        return _parse(group, title, internal=_from_misp(group))
    made = [obj for obj in group if _misp_made(obj)]
    others = [obj for obj in group if not _misp_made(obj)]
    if not made or not others:
        return _parse(group, title, internal=bool(made))
    event = _parse(made, title, internal=True)
    extra = _parse(others, title, internal=False)
    for attribute in extra.attributes:
        event.add_attribute(**attribute.to_dict())
    for misp_object in extra.objects:
        event.add_object(misp_object)
    for galaxy in extra.galaxies:
        event.add_galaxy(galaxy)
    for tag in extra.tags:
        if tag.name not in {t.name for t in event.tags}:
            event.add_tag(tag)
    return event


def stix_to_events(
    objects: list[dict[str, Any]], *, organisation: dict[str, str], title: str, rest_uuid: str
) -> list[dict[str, Any]]:
    """STIX 2.1 objects as MISP feed events (``{"Event": {...}}``, PyMISP's feed form): one per
    STIX report or grouping with what it refers to, and one (named ``title``, with uuid
    ``rest_uuid`` so that it keeps its identity from one export to the next) for the objects
    no report or grouping refers to. Converted by misp-stix (its "internal" parser for what
    misp-stix made from MISP, which rebuilds the original attributes, else its "external"
    one). Each event is tagged with the most restrictive TLP of the objects it was made of, and
    keeps its galaxies (as ``Galaxy`` and as ``misp-galaxy:`` tags)."""
    from pymisp import MISPOrganisation

    orgc = MISPOrganisation()
    orgc.from_dict(name=organisation["name"], uuid=organisation["uuid"])
    result = []
    for group in _groups(objects):
        rest = group[0].get("type") not in ("report", "grouping")
        try:
            event = _convert(group, title if rest else None)
        except Exception as exc:
            raise MispError(
                gettext_noop("misp-stix cannot convert {id} ({error})."),
                id=group[0]["id"],
                error=exc,
            ) from exc
        if rest:
            event.uuid = rest_uuid
        if not (event.attributes or event.objects or event.galaxies):
            continue
        event.Orgc = orgc
        label = _most_restrictive(*(stix.tlp_of(obj) for obj in group))
        for tag in list(event.tags):
            if tag.name.lower() in TLP_TAGS:
                event.tags.remove(tag)
        if label:
            event.add_tag({"name": TAG_OF_TLP[label], "colour": TAG_COLOURS[label]})
        if not getattr(event, "date", None):
            stamp = getattr(event, "timestamp", None)
            event.date = stamp.date() if stamp else dt.datetime.now(dt.UTC).date()
        feed = event.to_feed(with_meta=True)
        galaxies = json.loads(event.to_json()).get("Galaxy")
        if galaxies:
            feed["Event"]["Galaxy"] = galaxies
        result.append(feed)
    return result


def write_feed(feed_events: list[dict[str, Any]], folder: Path) -> dict[str, int]:
    """Write events (:func:`stix_to_events`) as a MISP feed in ``folder``: one
    ``<uuid>.json`` per event, ``manifest.json`` and ``hashes.csv`` (MD5 of each attribute
    value, then the event uuid), as MISP's feed generator lays them out."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    attributes = 0
    for feed in feed_events:
        event = feed["Event"]
        manifest.update(event.pop("_manifest"))
        hashes.extend(f"{value},{event['uuid']}" for value in event.pop("_hashes"))
        attributes += len(event.get("Attribute", [])) + sum(
            len(obj.get("Attribute", [])) for obj in event.get("Object", [])
        )
        (folder / f"{event['uuid']}.json").write_text(
            json.dumps(feed, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (folder / "hashes.csv").write_text("".join(line + "\n" for line in hashes), encoding="utf-8")
    return {"events": len(feed_events), "attributes": attributes}


def value_digest(value: str) -> str:
    """The MD5 that hashes.csv lists for an attribute value (MISP's choice, not ours)."""
    return hashlib.md5(value.encode("utf-8"), usedforsecurity=False).hexdigest()
