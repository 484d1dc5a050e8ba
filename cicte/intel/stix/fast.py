"""A fast acceptor of valid STIX 2.1 objects, for the common case of ingest.

The stix2 library validates an object by building a Python object out of it (every property
cleaned into a new value, defaults filled in, a timestamp object per timestamp) and parses an
indicator's pattern with an ANTLR parser: some 0.4 ms per object and 2 ms per indicator on the
benchmark's machine. This module checks the same rules without building anything:

- the rules are read from stix2's own type definitions (``_properties`` of the class stix2
  registers for the type: which properties exist, which are required, each one's kind, its
  enumeration, its reference types, its bounds, its timestamp precision), so they cannot drift
  apart from the library's;
- the checks each type adds in code (``_check_object_constraints``: last_seen not before
  first_seen, valid_until after valid_from, a malware family's name, a file's hashes or name,
  an indicator's pattern...) are written again here, one by one, for the types in
  :data:`CONSTRAINTS`;
- an indicator's STIX pattern is recognised by :mod:`cicte.intel.stix.patterns` when it has
  one of the common shapes, and handed to stix2-patterns' parser otherwise.

:func:`accepts` answers True only when it is certain that stix2 accepts the object. Whatever
it is not certain of (a type or property kind not covered here, a value in a form stix2 would
convert, extensions, granular markings, a refusal) answers False, and the caller then asks
stix2 itself, which gives the reason of a refusal. So the engine never accepts what stix2
refuses, and refuses exactly what stix2 refuses, with stix2's reason; the tests check both on
real and mutated corpora.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import stix2.hashes
import stix2.properties as p
import stix2.registry
from stix2.v21 import common

from cicte.intel.stix import patterns

Check = Callable[[Any], Any]


class Doubt(Exception):
    """Not certain that stix2 accepts this: ask stix2."""


UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
# An identifier's type part, and its RFC 4122 UUID (the only check stix2 makes of 2.1 ids).
REFERENCE = re.compile(r"([a-z0-9-]+)--" + UUID)
TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")
DICTIONARY_KEY = re.compile(r"[a-zA-Z0-9_-]+")
CUSTOM_PROPERTY = re.compile(r"[a-z]")  # stix2's PREFIX_21_REGEX: a custom name's first letter


def _doubt(_value: Any = None) -> Any:
    raise Doubt


def timestamp(value: Any, precision: str = "any", constraint: str = "exact") -> dt.datetime:
    """A STIX timestamp in its canonical form, as stix2 reads it (including its truncation to
    the property's precision, which its comparisons see)."""
    if type(value) is not str:
        raise Doubt
    match = TIMESTAMP.fullmatch(value)
    if match is None:
        raise Doubt
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    if constraint == "exact":
        if precision == "second":
            micro = 0
        elif precision == "millisecond":
            micro = micro // 1000 * 1000
    try:
        # strptime's %S takes 0 to 61; datetime refuses leap seconds: leave those to stix2.
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
    except ValueError:
        raise Doubt from None


def _reference_check(prop: p.ReferenceProperty) -> Check:
    allowed: dict[str, bool] = {}

    def check(value: Any) -> Any:
        if type(value) is not str:
            raise Doubt
        match = REFERENCE.fullmatch(value)
        if match is None:
            raise Doubt
        kind = match.group(1)
        ok = allowed.get(kind)
        if ok is None:
            # The type rule (whitelists, blacklists, categories, custom types) is stix2's own,
            # asked once per referenced type with a well-formed identifier of that type.
            try:
                prop.clean(f"{kind}--00000000-0000-4000-8000-000000000000", True)
                ok = True
            except Exception:
                ok = False
            allowed[kind] = ok
        if not ok:
            raise Doubt
        return value

    return check


def _hashes_check(prop: p.HashesProperty) -> Check:
    def check(value: Any) -> Any:
        _dictionary(value)
        for name, digest in value.items():
            if type(digest) is not str:
                raise Doubt
            algorithm = stix2.hashes.infer_hash_algorithm(name)
            if algorithm and not stix2.hashes.check_hash(algorithm, digest):
                raise Doubt
        return value

    return check


def _dictionary(value: Any) -> Any:
    if type(value) is not dict or not value:
        raise Doubt
    for key in value:
        if len(key) > 250 or DICTIONARY_KEY.fullmatch(key) is None:
            raise Doubt
    return value


def _embedded(cls: type) -> Check:
    plan = _plan_for(cls)
    if plan is None:
        return _doubt

    def check(value: Any) -> Any:
        if type(value) is not dict:
            raise Doubt
        plan.check(value)
        return value

    return check


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise Doubt
    return value


def property_check(prop: p.Property) -> Check:
    """The check of one property kind (stix2's ``clean``, for the canonical JSON forms)."""
    fixed = getattr(prop, "_fixed_value", None)
    if fixed is not None:

        def check_fixed(value: Any) -> Any:
            if value != fixed:
                raise Doubt
            return value

        return check_fixed
    if isinstance(prop, p.IDProperty):
        prefix, spec = prop.required_prefix, re.compile(re.escape(prop.required_prefix) + UUID)

        def check_id(value: Any) -> Any:
            if type(value) is not str or not spec.fullmatch(value):
                raise Doubt
            return value

        del prefix
        return check_id
    if isinstance(prop, p.ReferenceProperty):
        return _reference_check(prop)
    if isinstance(prop, p.TimestampProperty):
        precision = getattr(prop.precision, "name", str(prop.precision)).lower()
        constraint = getattr(
            prop.precision_constraint, "name", str(prop.precision_constraint)
        ).lower()
        return lambda value: timestamp(value, precision, constraint)
    if isinstance(prop, p.EnumProperty):
        allowed = frozenset(prop.allowed)

        def check_enum(value: Any) -> Any:
            if type(value) is not str or value not in allowed:
                raise Doubt
            return value

        return check_enum
    if isinstance(prop, p.HashesProperty):
        return _hashes_check(prop)
    if isinstance(prop, p.ExtensionsProperty | p.ObservableProperty | p.EmbeddedObjectProperty):
        return _doubt
    if isinstance(prop, p.DictionaryProperty):
        return _dictionary
    if type(prop) in (p.StringProperty, p.OpenVocabProperty, p.PatternProperty):
        return _string
    if type(prop) is p.BooleanProperty:

        def check_bool(value: Any) -> Any:
            if type(value) is not bool:
                raise Doubt
            return value

        return check_bool
    if type(prop) in (p.IntegerProperty, p.FloatProperty):
        low, high = prop.min, prop.max
        kinds = (int,) if type(prop) is p.IntegerProperty else (int, float)

        def check_number(value: Any) -> Any:
            if type(value) not in kinds:
                raise Doubt
            if (low is not None and value < low) or (high is not None and value > high):
                raise Doubt
            return value

        return check_number
    if type(prop) is p.ListProperty:
        contained = prop.contained
        if isinstance(contained, p.Property):
            inner = property_check(contained)
        elif contained in (common.ExternalReference, common.KillChainPhase):
            inner = _embedded(contained)
        else:
            return _doubt

        def check_list(value: Any) -> Any:
            if type(value) is not list or not value:
                raise Doubt
            return [inner(item) for item in value]

        return check_list
    return _doubt


# --- Each type's own constraints (stix2's _check_object_constraints), on the checked values ----


def _not_before(earlier: str, later: str, strict: bool = False) -> Callable[[dict[str, Any]], None]:
    def check(values: dict[str, Any]) -> None:
        first, last = values.get(earlier), values.get(later)
        if first is not None and last is not None and (last <= first if strict else last < first):
            raise Doubt

    return check


def _malware(values: dict[str, Any]) -> None:
    _not_before("first_seen", "last_seen")(values)
    if values.get("is_family") and "name" not in values:
        raise Doubt


def _indicator(values: dict[str, Any]) -> None:
    if "valid_until" in values and "valid_from" not in values:
        raise Doubt  # stix2 would compare with the time of validation
    _not_before("valid_from", "valid_until", strict=True)(values)
    if values.get("pattern_type") == "stix":
        if values.get("pattern_version", "2.1") != "2.1":
            raise Doubt
        if not patterns.is_valid(values["pattern"]):
            raise Doubt


def _observed_data(values: dict[str, Any]) -> None:
    _not_before("first_observed", "last_observed")(values)
    if "objects" in values or "object_refs" not in values:
        raise Doubt


def _at_least_one(*names: str) -> Callable[[dict[str, Any]], None]:
    def check(values: dict[str, Any]) -> None:
        if not any(name in values for name in names):
            raise Doubt

    return check


def _none(values: dict[str, Any]) -> None:
    return None


SEEN = _not_before("first_seen", "last_seen")
# The types the fast path knows, by stix2 class name, with their own constraints. Every other
# registered type goes to stix2.
CONSTRAINTS: dict[str, Callable[[dict[str, Any]], None]] = {
    # Domain objects
    "AttackPattern": _none,
    "Campaign": SEEN,
    "CourseOfAction": _none,
    "Grouping": _none,
    "Identity": _none,
    "Incident": _none,
    "Indicator": _indicator,
    "Infrastructure": SEEN,
    "IntrusionSet": SEEN,
    "Malware": _malware,
    "Note": _none,
    "ObservedData": _observed_data,
    "Opinion": _none,
    "Report": _none,
    "ThreatActor": SEEN,
    "Tool": _none,
    "Vulnerability": _none,
    # Relationship objects
    "Relationship": _not_before("start_time", "stop_time", strict=True),
    "Sighting": SEEN,
    # Cyber-observables without constraints of their own, and files
    "AutonomousSystem": _none,
    "Directory": _none,
    "DomainName": _none,
    "EmailAddress": _none,
    "File": _at_least_one("hashes", "name"),
    "IPv4Address": _none,
    "IPv6Address": _none,
    "MACAddress": _none,
    "Mutex": _none,
    "Software": _none,
    "URL": _none,
    # Embedded types
    "ExternalReference": _at_least_one("description", "external_id", "url"),
    "KillChainPhase": _none,
}
# Present in the object, these always go to stix2 (they change what the rest means).
DEFER = frozenset({"extensions", "granular_markings"})


class Plan:
    """The checks of one stix2 class."""

    def __init__(self, cls: type) -> None:
        properties: dict[str, p.Property] = cls._properties  # type: ignore[attr-defined]
        self.checks = {name: property_check(prop) for name, prop in properties.items()}
        self.required = frozenset(name for name, prop in properties.items() if prop.required)
        self.constraint = CONSTRAINTS[cls.__name__]

    def check(self, obj: dict[str, Any]) -> None:
        values: dict[str, Any] = {}
        checks = self.checks
        for name, value in obj.items():
            check = checks.get(name)
            if check is None:
                # A custom property: stix2 takes any name starting with a lowercase letter.
                if not CUSTOM_PROPERTY.match(name):
                    raise Doubt
                continue
            if value is None or value == []:
                continue  # stix2 treats these as absent
            if name in DEFER:
                raise Doubt
            values[name] = check(value)
        if not self.required <= values.keys():
            raise Doubt
        self.constraint(values)


_PLANS: dict[type, Plan | None] = {}


def _plan_for(cls: type) -> Plan | None:
    if cls not in _PLANS:
        _PLANS[cls] = Plan(cls) if cls.__name__ in CONSTRAINTS else None
    return _PLANS[cls]


_CLASSES: dict[str, type | None] = {}


def _class(kind: str) -> type | None:
    try:
        return _CLASSES[kind]
    except KeyError:
        cls = stix2.registry.class_for_type(
            kind, "2.1", "objects"
        ) or stix2.registry.class_for_type(kind, "2.1", "observables")
        if len(_CLASSES) < 10_000:  # custom type names are the posters' choice: bounded
            _CLASSES[kind] = cls
        return cls


def known_type(kind: str) -> bool:
    """Whether stix2 has a class for ``kind`` (a STIX 2.1 type, not a custom one)."""
    return _class(kind) is not None


def accepts(obj: dict[str, Any]) -> bool:
    """True if stix2 certainly accepts ``obj`` (a dict with a string type); False if it is not
    certain (then ask stix2)."""
    cls = _class(obj["type"])
    if cls is None:
        return False  # a custom type: stix2 takes it as it is (asked, it answers at once)
    plan = _plan_for(cls)
    if plan is None:
        return False
    try:
        plan.check(obj)
    except Doubt:
        return False
    return True
