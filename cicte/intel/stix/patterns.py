"""STIX 2.1 patterns: a fast recogniser of the common shapes, stix2-patterns for the rest.

stix2 checks an indicator's pattern with stix2-patterns (an ANTLR parser, then two checks of
its own: hash values against their algorithm, and no qualifier twice on one observation),
which takes 0.3 to 2 ms a pattern. Most patterns in the wild are a few comparisons of an
object path with a quoted string, so :func:`is_valid` first tries a regular expression that
recognises only patterns the grammar derives, in this subset:

    pattern     := observation ((AND | OR | FOLLOWEDBY) observation)*
    observation := "[" comparison ((AND | OR) comparison)* "]" [WITHIN n SECONDS] [REPEATS n TIMES]
                   (either qualifier first, neither twice)
    comparison  := type ":" name ("." (name | 'string'))* (= | != | LIKE | MATCHES | ISSUBSET |
                   ISSUPERSET) 'string'

(lower-case names, strings without quotes or backslashes inside, positive integers, single
spaces around keywords), and applies stix2-patterns' hash check to ``type:hashes.X``
comparisons. Anything else, valid or not, goes to stix2-patterns, whose answer (and message)
stands. The tests check that every pattern the recogniser accepts, stix2-patterns accepts.
"""

from __future__ import annotations

import re

from stix2patterns.v21.object_validator import HASHES_REGEX
from stix2patterns.validator import run_validator

_NAME = r"(?!(?:true|false)(?![a-z0-9_]))[a-z_][a-z0-9_]*"
_TYPE = r"(?!(?:true|false)(?![a-z0-9_-]))[a-z][a-z0-9_-]*"
_STRING = r"'[^'\\]*'"
_PATH = rf"{_TYPE}:{_NAME}(?:\.(?:{_NAME}|{_STRING}))*"
_OPERATOR = r"(?: ?!?= ?| (?:LIKE|MATCHES|ISSUBSET|ISSUPERSET) )"
_COMPARISON = rf"{_PATH}{_OPERATOR}{_STRING}"
_COMPARISONS = rf"{_COMPARISON}(?: (?:AND|OR) {_COMPARISON})*"
_INTEGER = r"[1-9][0-9]{0,8}"
_WITHIN, _REPEATS = rf" WITHIN {_INTEGER} SECONDS", rf" REPEATS {_INTEGER} TIMES"
_QUALIFIERS = rf"(?:{_WITHIN}(?:{_REPEATS})?|{_REPEATS}(?:{_WITHIN})?)?"
_OBSERVATION = rf"\[ ?{_COMPARISONS} ?\]{_QUALIFIERS}"
COMMON = re.compile(rf"{_OBSERVATION}(?: (?:AND|OR|FOLLOWEDBY) {_OBSERVATION})*")
# Each comparison of a recognised pattern: its path and its string (without the quotes).
_EACH = re.compile(rf"({_PATH}){_OPERATOR}'([^'\\]*)'")
_HASH_PATH = re.compile(rf"{_TYPE}:hashes\.({_NAME}|{_STRING})")


def _hashes_ok(pattern: str) -> bool:
    """stix2-patterns' hash check (``object_validator.verify_object``) on a recognised pattern:
    False when a hash value does not fit its algorithm, or when unsure."""
    for path, value in _EACH.findall(pattern):
        if "hashes" not in path:
            continue
        match = _HASH_PATH.fullmatch(path)
        if match is None:
            return False
        algorithm = match.group(1).upper().replace("-", "").replace("'", "")
        if algorithm in HASHES_REGEX and not re.match(HASHES_REGEX[algorithm][0], value):
            return False
    return True


def errors(pattern: str, version: str = "2.1") -> list[str]:
    """stix2-patterns' messages for ``pattern`` (empty when it is valid)."""
    try:
        found: list[str] = run_validator(pattern, version)
    except Exception as exc:  # stix2-patterns fails on some inputs (an empty pattern)
        return [f"{exc.__class__.__name__}: {exc}"]
    return found


def is_valid(pattern: str) -> bool:
    """Whether ``pattern`` is a valid STIX 2.1 pattern, as stix2-patterns decides."""
    if COMMON.fullmatch(pattern) is not None and _hashes_ok(pattern):
        return True
    return not errors(pattern)
