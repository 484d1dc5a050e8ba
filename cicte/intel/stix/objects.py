"""What the platform reads from a STIX 2.1 object, whatever its type: its TLP 2.0 label, its
version, and whether it is valid STIX 2.1. No Django here (an engine, tested and benchmarked
alone).

Validation uses the stix2 library (the OASIS TC's own Python implementation of the
specification) rather than rules written again here; custom objects, properties and extensions
are kept intact (``allow_custom``), as the store must return every object exactly as posted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import stix2
import stix2.exceptions

from cicte.core import tlp

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


def validate(obj: Any) -> dict[str, Any]:
    """``obj`` if it is a valid STIX 2.1 object, else :class:`InvalidObject` with the reason."""
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
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as exc:
        raise InvalidObject(str(exc).strip() or exc.__class__.__name__) from exc
    for field in ("created", "modified"):
        if field in obj:
            try:
                parse_timestamp(obj[field])
            except (AttributeError, ValueError) as exc:
                raise InvalidObject(f"{field}: {exc}") from exc
    return obj
