"""The engine's fast validator gives the stix2 library's verdicts: the same objects accepted,
the same refused, with the same reasons; and its pattern recogniser accepts only patterns that
stix2-patterns accepts. No database: the engine knows nothing of Django."""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.taxii import mix
from cicte.intel import stix
from cicte.intel.stix import fast, patterns

DATA = Path(__file__).parent / "data"


def _examples() -> list[dict[str, Any]]:
    """Every object of the OASIS examples kept in tests/data (bundles or single objects)."""
    found: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found += data["objects"] if data.get("type") == "bundle" else [data]
    return found


EXAMPLES = _examples()
MIX = mix.objects(1500, seed=7)


def verdict(validator: Callable[[Any], Any], obj: Any) -> str | None:
    """None if accepted, else the reason."""
    try:
        validator(obj)
    except stix.InvalidObject as exc:
        return str(exc)
    return None


def test_every_example_is_accepted_by_both():
    assert len(EXAMPLES) > 250
    for obj in EXAMPLES:
        assert verdict(stix.validate_with_stix2, obj) is None, obj["id"]
        assert verdict(stix.validate, obj) is None, obj["id"]


def test_the_benchmark_mix_is_accepted_by_both_and_mostly_on_the_fast_path():
    for obj in MIX:
        assert verdict(stix.validate_with_stix2, obj) is None, obj
        assert verdict(stix.validate, obj) is None, obj
    fast_share = sum(fast.accepts(obj) for obj in MIX) / len(MIX)
    # Everything but the custom x- objects (stix2 takes those as they are, at once).
    assert fast_share > 0.9


def test_the_examples_go_the_fast_path():
    assert all(fast.accepts(obj) for obj in EXAMPLES)


# --- Mutations: invalid variants of valid objects ------------------------------------------

UUID4 = "6f1a4a2e-2b7c-4c1e-9a51-1d1f2c3b4a5e"


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    def mutate(obj: dict[str, Any]) -> dict[str, Any] | None:
        if key not in obj:
            return None
        return {**obj, key: value}

    return mutate


def _drop(key: str) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    def mutate(obj: dict[str, Any]) -> dict[str, Any] | None:
        if key not in obj:
            return None
        return {k: v for k, v in obj.items() if k != key}

    return mutate


def _modified_before_created(obj: dict[str, Any]) -> dict[str, Any] | None:
    if "created" not in obj or "modified" not in obj:
        return None
    return {**obj, "created": "2030-01-01T00:00:00.000Z", "modified": "2029-12-31T23:59:59.999Z"}


def _id_of_other_type(obj: dict[str, Any]) -> dict[str, Any] | None:
    other = "malware" if obj["type"] != "malware" else "tool"
    return {**obj, "id": f"{other}--{UUID4}"}


def _truncate_pattern(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("type") != "indicator":
        return None
    return {**obj, "pattern": obj["pattern"][: len(obj["pattern"]) // 2]}


def _bad_hash(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("type") == "file":
        return {**obj, "hashes": {"SHA-256": "not-a-hash"}}
    if obj.get("type") == "indicator":
        return {**obj, "pattern": "[file:hashes.'SHA-256' = 'abc123']"}
    return None


def _pattern_twice_qualified(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("type") != "indicator":
        return None
    return {**obj, "pattern": "[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS WITHIN 6 SECONDS"}


def _ref_to_wrong_type(obj: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("created_by_ref", "sighting_of_ref", "where_sighted_refs", "object_marking_refs"):
        if key in obj:
            wrong = f"ipv4-addr--{UUID4}" if key == "sighting_of_ref" else f"indicator--{UUID4}"
            return {**obj, key: [wrong] if key.endswith("refs") else wrong}
    return None


# (name, mutation, always invalid?) — when not always invalid, both validators must agree.
MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any] | None], bool]] = [
    ("no id", _drop("id"), True),
    ("no type", _drop("type"), True),
    ("no spec_version", _drop("spec_version"), False),
    ("id not a UUID", _set("id", "indicator--not-a-uuid"), True),
    ("id of another type", _id_of_other_type, False),
    ("id without its type", _set("id", UUID4), True),
    (
        "id with a non-RFC 4122 UUID",
        _set("id", "indicator--6f1a4a2e-2b7c-4c1e-1a51-1d1f2c3b4a5e"),
        True,
    ),
    ("created not a timestamp", _set("created", "yesterday"), True),
    ("created without Z", _set("created", "2026-01-01T00:00:00.000"), True),
    ("created with an offset", _set("created", "2026-01-01T00:00:00+02:00"), True),
    ("modified with 7 fraction digits", _set("modified", "2026-01-01T00:00:00.1234567Z"), True),
    ("modified on the 30th of February", _set("modified", "2026-02-30T00:00:00Z"), True),
    ("modified before created", _modified_before_created, True),
    ("created a number", _set("created", 1767225600), True),
    ("no pattern", _drop("pattern"), True),
    ("no pattern_type", _drop("pattern_type"), True),
    ("pattern cut short", _truncate_pattern, True),
    ("pattern with a qualifier twice", _pattern_twice_qualified, True),
    ("bad hash", _bad_hash, True),
    ("no relationship_type", _drop("relationship_type"), True),
    ("no source_ref", _drop("source_ref"), True),
    ("target_ref not an id", _set("target_ref", "198.51.100.7"), True),
    ("ref to a wrong type", _ref_to_wrong_type, True),
    ("no sighting_of_ref", _drop("sighting_of_ref"), True),
    ("count out of range", _set("count", -1), True),
    ("no name", _drop("name"), False),
    ("no is_family", _drop("is_family"), True),
    ("is_family not a boolean", _set("is_family", "sometimes"), True),
    ("no identity name", lambda o: _drop("name")(o) if o["type"] == "identity" else None, True),
    ("no object_refs", _drop("object_refs"), True),
    ("object_refs a string", _set("object_refs", "indicator--" + UUID4), False),
    ("object_refs with a non-id", _set("object_refs", ["not an id"]), True),
    ("labels a number", _set("labels", 5), True),
    (
        "external_references without source_name",
        _set("external_references", [{"url": "https://example.org"}]),
        True,
    ),
    (
        "external_references with only a source_name",
        _set("external_references", [{"source_name": "x"}]),
        True,
    ),
    (
        "kill chain phase without phase_name",
        _set("kill_chain_phases", [{"kill_chain_name": "mitre-attack"}]),
        True,
    ),
    ("confidence a word", _set("confidence", "high"), True),
    ("revoked a number", lambda o: {**o, "revoked": 7} if "created" in o else None, True),
    (
        "custom property with a capital",
        lambda o: {**o, "X_note": "x"} if "created" in o else None,
        True,
    ),
    (
        "custom property with a capital, empty",
        lambda o: {**o, "Xy": None} if "created" in o else None,
        True,
    ),
    (
        "valid_until before valid_from",
        lambda o: (
            {**o, "valid_until": "2000-01-01T00:00:00Z"} if o["type"] == "indicator" else None
        ),
        True,
    ),
    (
        "last_seen before first_seen",
        lambda o: (
            {**o, "first_seen": "2030-01-01T00:00:00Z", "last_seen": "2029-01-01T00:00:00Z"}
            if o["type"] in {"campaign", "malware", "sighting", "threat-actor"}
            else None
        ),
        True,
    ),
    ("empty hashes", lambda o: {**o, "hashes": {}} if o["type"] == "file" else None, True),
    (
        "file without hashes or name",
        lambda o: (
            {k: v for k, v in o.items() if k not in ("hashes", "name")}
            if o["type"] == "file"
            else None
        ),
        True,
    ),
    (
        "spec_version 2.0 on an observable",
        lambda o: {**o, "spec_version": "2.0"} if o["type"] in stix.SCO_TYPES else None,
        True,
    ),
    ("value a dictionary", lambda o: {**o, "value": {"a": 1}} if "value" in o else None, False),
    ("empty labels", lambda o: {**o, "labels": []}, False),
    ("granular markings", lambda o: {**o, "granular_markings": [{"selectors": ["name"]}]}, True),
]


# The mutations that the platform's own rules refuse for custom objects too.
UNIVERSAL = {
    "no id",
    "no type",
    "id not a UUID",
    "id of another type",
    "id without its type",
    "id with a non-RFC 4122 UUID",
    "created not a timestamp",
    "created without Z",
    "created with an offset",
    "modified with 7 fraction digits",
    "modified on the 30th of February",
    "modified before created",
    "created a number",
}


def mutants(seed: int = 11) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    rng = random.Random(seed)
    sources = EXAMPLES + rng.sample(MIX, 600)
    for obj in sources:
        for name, mutate, invalid in MUTATIONS:
            changed = mutate(copy.deepcopy(obj))
            if changed is not None:
                yield name, invalid, changed


def test_mutants_get_the_same_verdict_and_reason_from_both():
    counted: dict[str, int] = {}
    for name, invalid, obj in mutants():
        reference = verdict(stix.validate_with_stix2, obj)
        ours = verdict(stix.validate, obj)
        assert ours == reference, (name, obj, ours, reference)
        # stix2 takes custom objects as they are: only the platform's rules apply to them.
        if invalid and (fast.known_type(obj.get("type", "")) or name in UNIVERSAL):
            assert reference is not None, (name, obj)
        counted[name] = counted.get(name, 0) + 1
    # Every mutation found objects to change.
    assert set(counted) == {name for name, _m, _i in MUTATIONS}
    assert sum(counted.values()) > 10_000


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(EXAMPLES + MIX[:200]),
    st.sampled_from(
        [
            "id",
            "created",
            "modified",
            "name",
            "pattern",
            "source_ref",
            "value",
            "object_refs",
            "labels",
            "count",
            "is_family",
            "hashes",
            "valid_from",
        ]
    ),
    st.one_of(
        st.none(),
        st.integers(),
        st.booleans(),
        st.text(max_size=40),
        st.lists(st.text(max_size=10), max_size=3),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    ),
)
def test_any_value_anywhere_gets_the_same_verdict(obj, key, value):
    changed = {**obj, key: value}
    assert verdict(stix.validate, changed) == verdict(stix.validate_with_stix2, changed)


# --- Patterns -------------------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
TYPES = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
STRINGS = st.text(alphabet=st.characters(blacklist_characters="'\\"), max_size=20)
HEXES = st.text(alphabet="0123456789abcdefABCDEF", min_size=30, max_size=66)
OPERATORS = st.sampled_from(
    ["=", " = ", "!=", " != ", " LIKE ", " MATCHES ", " ISSUBSET ", " ISSUPERSET "]
)


@st.composite
def comparisons(draw: Any) -> str:
    kind = draw(TYPES)
    if draw(st.booleans()):
        algorithm = draw(st.sampled_from(["'SHA-256'", "MD5", "'MD5'", "'SHA-1'", "sha256", "x"]))
        return f"{kind}:hashes.{algorithm}{draw(OPERATORS)}'{draw(HEXES)}'"
    path = draw(NAMES) + "".join(
        draw(
            st.lists(
                st.one_of(NAMES.map(lambda n: "." + n), STRINGS.map(lambda s: f".'{s}'")),
                max_size=2,
            )
        )
    )
    return f"{kind}:{path}{draw(OPERATORS)}'{draw(STRINGS)}'"


@st.composite
def common_patterns(draw: Any) -> str:
    observations = []
    for _ in range(draw(st.integers(1, 3))):
        inner = draw(comparisons())
        for _ in range(draw(st.integers(0, 2))):
            inner += f" {draw(st.sampled_from(['AND', 'OR']))} {draw(comparisons())}"
        text = f"[{inner}]"
        qualifiers = []
        if draw(st.booleans()):
            qualifiers.append(f" WITHIN {draw(st.integers(1, 10**6))} SECONDS")
        if draw(st.booleans()):
            qualifiers.append(f" REPEATS {draw(st.integers(1, 99))} TIMES")
        text += "".join(draw(st.permutations(qualifiers)))
        observations.append(text)
    joiners = [draw(st.sampled_from(["AND", "OR", "FOLLOWEDBY"])) for _ in observations[1:]]
    return observations[0] + "".join(
        f" {j} {o}" for j, o in zip(joiners, observations[1:], strict=True)
    )


@settings(max_examples=400, deadline=None)
@given(common_patterns())
def test_the_recogniser_accepts_only_what_stix2_patterns_accepts(pattern):
    recognised = patterns.COMMON.fullmatch(pattern) is not None and patterns._hashes_ok(pattern)
    if recognised:
        assert patterns.errors(pattern) == [], pattern
    assert patterns.is_valid(pattern) == (patterns.errors(pattern) == [])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *list("[]():.' =!a-zAB0129_"),
                "AND",
                "OR",
                "ipv4-addr",
                "value",
                "true",
                "hashes",
                "MD5",
                "WITHIN",
                "SECONDS",
                "REPEATS",
                "TIMES",
                "'1.2.3.4'",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_any_text_gets_stix2_patterns_verdict(pattern):
    assert patterns.is_valid(pattern) == (patterns.errors(pattern) == [])


@pytest.mark.parametrize(
    "pattern",
    [
        "[ipv4-addr:value = '198.51.100.7']",
        "[domain-name:value = 'example.com'] OR [url:value = 'https://example.com/a']",
        "[file:hashes.'SHA-256' = '" + "a" * 64 + "' OR file:name = 'x.exe']",
        "[ipv4-addr:value ISSUBSET '198.51.100.0/24'] REPEATS 5 TIMES WITHIN 300 SECONDS",
        "[network-traffic:dst_ref.value = '198.51.100.7']",
    ],
)
def test_common_shapes_are_recognised_without_the_parser(pattern):
    assert patterns.COMMON.fullmatch(pattern) and patterns._hashes_ok(pattern)
    assert patterns.errors(pattern) == []


def test_an_empty_pattern_is_refused_not_a_crash():
    obj = {**copy.deepcopy(MIX[0]), "type": "indicator", "pattern": "", "pattern_type": "stix"}
    obj["id"] = f"indicator--{uuid.uuid4()}"
    assert verdict(stix.validate, obj) == verdict(stix.validate_with_stix2, obj) is not None


def test_modified_before_created_is_refused_by_both():
    obj = copy.deepcopy(MIX[0])
    obj["created"], obj["modified"] = "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"
    for validator in (stix.validate, stix.validate_with_stix2):
        with pytest.raises(stix.InvalidObject, match="earlier than created"):
            validator(obj)


def test_a_custom_object_is_kept_as_it_is_by_both():
    obj = {
        "type": "x-cicte-case-note",
        "spec_version": "2.1",
        "id": f"x-cicte-case-note--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "x_anything": {"nested": [1, 2]},
    }
    assert stix.validate(obj) is obj
    assert stix.validate_with_stix2(obj) is obj
