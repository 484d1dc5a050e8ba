"""What the platform reads from a STIX 2.1 object, whatever its type: its TLP 2.0 label, its
version, and whether it is valid STIX 2.1. No Django here (an engine, tested and benchmarked
alone).

Validation follows the stix2 library (the OASIS TC's own Python implementation of the
specification): :func:`validate_with_stix2` asks it, :func:`validate` checks the same rules
faster (:mod:`cicte.intel.stix.fast`) and asks stix2 whenever it is not certain. Custom
objects, properties and extensions are kept intact (``allow_custom``), as the store must return
every object exactly as posted. Beyond stix2, the platform asks for an id, STIX 2.1, UTC
timestamps in created and modified, and modified not before created.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import stix2
import stix2.exceptions

from cicte.core import tlp
from cicte.intel.stix import fast

# STIX Cyber-observable objects: no created/modified of their own, no spec_version required.
SCO_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)


# stix2's rules for type names (TYPE_21_REGEX) and identifiers, applied to custom types.
CUSTOM_TYPE = re.compile(r"[a-z][a-z0-9-]*")
CUSTOM_ID = re.compile(r"[a-z][a-z0-9-]*--" + fast.UUID)


class InvalidObject(ValueError):
    """An object that is not valid STIX 2.1; the message says why, for the status resource."""


def tlp_of(obj: dict[str, Any]) -> str | None:
    """The TLP 2.0 label of ``obj`` (``cicte.core.tlp``) from its ``object_marking_refs``
    (TLP 1.0 ids mapped, WHITE to CLEAR), or ``None`` when it has none. When an object carries
    more than one TLP marking (which the TLP 2.0 extension forbids but producers do), the most
    restrictive applies."""
    refs = obj.get("object_marking_refs") or []
    if not isinstance(refs, list):
        return None
    found = [tlp.TLP_BY_MARKING_ID[ref] for ref in refs if ref in tlp.TLP_BY_MARKING_ID]
    if not found:
        return None
    return max(found, key=tlp.ORDER.index)


def parse_timestamp(value: str) -> dt.datetime:
    """A STIX timestamp (RFC 3339, UTC, ``Z``, any sub-second precision) as an aware datetime
    (microseconds: finer digits are kept in the object's own text)."""
    text = value.strip()
    if not text.endswith("Z"):
        raise ValueError(f"{value!r} is not a UTC timestamp ending in Z")
    base, _, fraction = text[:-1].partition(".")
    parsed = dt.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
    if fraction:
        if not fraction.isdigit():
            raise ValueError(f"{value!r} has an invalid fraction of a second")
        parsed = parsed.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return parsed


def version_of(obj: dict[str, Any]) -> str | None:
    """The object's version as TAXII defines it: ``modified``, else ``created``; ``None`` for an
    object without either (a cyber-observable: its version is when the server added it)."""
    return obj.get("modified") or obj.get("created")


def _common_rules(obj: Any) -> None:
    """What the platform asks of every object before the STIX rules: a JSON object with a
    type and an id, in STIX 2.1."""
    if not isinstance(obj, dict):
        raise InvalidObject("An object must be a JSON object.")
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidObject("The object has no type.")
    if not isinstance(obj.get("id"), str):
        raise InvalidObject("The object has no id.")
    if kind not in SCO_TYPES and obj.get("spec_version") != "2.1":
        raise InvalidObject(
            f'spec_version must be "2.1" (found {obj.get("spec_version")!r}): this store '
            "takes STIX 2.1."
        )
    if not fast.known_type(kind):
        # stix2 takes a custom object as it is; the platform still asks of it what STIX 2.1
        # asks of every object's type and id (stix2 checks these for the types it knows).
        if not CUSTOM_TYPE.fullmatch(kind) or not 3 <= len(kind) <= 250:
            raise InvalidObject(
                f"{kind!r} is not a valid type name: 3 to 250 characters a-z, 0-9 and hyphens, "
                "starting with a letter."
            )
        if not CUSTOM_ID.fullmatch(obj["id"]) or not obj["id"].startswith(kind + "--"):
            raise InvalidObject(
                f"{obj['id']!r} is not a valid STIX identifier: it must be {kind}--<UUID>."
            )


def _stix2_rules(obj: dict[str, Any]) -> None:
    """The stix2 library's verdict (custom objects, properties and extensions allowed)."""
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as exc:
        raise InvalidObject(str(exc).strip() or exc.__class__.__name__) from exc
    except Exception as exc:
        # stix2 and stix2-patterns fail on some inputs (an empty pattern raises
        # UnboundLocalError): the object is refused, the worker goes on.
        raise InvalidObject(f"Not valid STIX 2.1 ({exc.__class__.__name__}: {exc}).") from exc


def _version_rules(obj: dict[str, Any]) -> None:
    """created and modified as the store reads them (UTC timestamps), and modified not before
    created (STIX 2.1, 3.2: which stix2 does not check)."""
    times = {}
    for field in ("created", "modified"):
        if field in obj:
            try:
                times[field] = parse_timestamp(obj[field])
            except (AttributeError, ValueError) as exc:
                raise InvalidObject(f"{field}: {exc}") from exc
    if len(times) == 2 and times["modified"] < times["created"]:
        raise InvalidObject(
            f"modified ({obj['modified']}) is earlier than created ({obj['created']}): a "
            "version cannot be older than the object."
        )


def validate_with_stix2(obj: Any) -> dict[str, Any]:
    """``obj`` if it is a valid STIX 2.1 object, else :class:`InvalidObject` with the reason,
    by the stix2 library alone: the reference that :func:`validate` is tested and benchmarked
    against."""
    _common_rules(obj)
    _stix2_rules(obj)
    _version_rules(obj)
    return obj


def validate(obj: Any) -> dict[str, Any]:
    """``obj`` if it is a valid STIX 2.1 object, else :class:`InvalidObject` with the reason.

    The same rules and verdicts as :func:`validate_with_stix2`, faster: the engine's own
    acceptor (:mod:`cicte.intel.stix.fast`) accepts the objects it is certain stix2 accepts,
    and hands every other object to stix2, whose verdict and reason stand."""
    _common_rules(obj)
    if not fast.accepts(obj):
        _stix2_rules(obj)
    _version_rules(obj)
    return obj
