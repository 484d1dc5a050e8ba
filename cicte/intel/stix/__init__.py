"""The STIX 2.1 engine: validation, TLP 2.0 and versions of STIX objects, without Django."""

from cicte.intel.stix.objects import (
    SCO_TYPES,
    InvalidObject,
    parse_timestamp,
    tlp_of,
    validate,
    validate_with_stix2,
    version_of,
)

__all__ = [
    "SCO_TYPES",
    "InvalidObject",
    "parse_timestamp",
    "tlp_of",
    "validate",
    "validate_with_stix2",
    "version_of",
]
