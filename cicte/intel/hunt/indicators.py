"""The indicator set a hunt matches against, built once: exact values per kind (normalised),
CIDR blocks as per-prefix-length sets of network integers, domains as a set whose suffix walk
finds a domain and all its subdomains. And :func:`indicators_from_stix`, which reads the values
from STIX indicator patterns of simple shapes and from observable objects."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cicte.intel.hunt import extract as ex

# Blocks broader than these are refused: a /0 (or a /4) matches the whole Internet or a
# sixteenth of it, which no indicator means.
MIN_PREFIX = {4: 8, 6: 16}


class Entry(NamedTuple):
    """One indicator value: ``kind`` is one of ipv4, ipv6, cidr, domain, url, email, md5,
    sha1, sha256."""

    value: str
    kind: str
    stix_id: str


class CidrTable:
    """IP networks as one set of network integers per prefix length: an address is looked up
    once per prefix length present (at most 33 or 129 lookups, usually a handful), whatever the
    number of networks."""

    def __init__(self) -> None:
        self.by_prefix: dict[int, dict[int, dict[int, list[Any]]]] = {4: {}, 6: {}}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}

    def add(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network, payload: Any) -> None:
        version, prefix = network.version, network.prefixlen
        table = self.by_prefix[version].setdefault(prefix, {})
        table.setdefault(int(network.network_address), []).append(payload)
        self._lengths[version] = sorted(self.by_prefix[version])

    def __bool__(self) -> bool:
        return bool(self._lengths[4] or self._lengths[6])

    def has(self, version: int) -> bool:
        return bool(self._lengths[version])

    def lookup(self, version: int, address: int, max_prefix: int | None = None) -> list[Any]:
        """The payloads of every network containing ``address`` (an integer), broadest first;
        with ``max_prefix``, only networks of that prefix length or shorter."""
        bits = 32 if version == 4 else 128
        found: list[Any] = []
        tables = self.by_prefix[version]
        for prefix in self._lengths[version]:
            if max_prefix is not None and prefix > max_prefix:
                break
            network = (address >> (bits - prefix)) << (bits - prefix)
            hit = tables[prefix].get(network)
            if hit:
                found.extend(hit)
        return found


def normalise(value: str, kind: str) -> tuple[str, str] | None:
    """``(normalised value, kind)`` for an indicator value, or None when it is not valid for
    its kind. An IP address kind with a ``/`` becomes a CIDR block (host bits cleared); a
    single-address block (/32, /128) stays a block."""
    value = value.strip()
    try:
        if kind in (ex.IPV4, ex.IPV6, ex.CIDR):
            if "/" in value:
                network = ipaddress.ip_network(value, strict=False)
                if network.prefixlen < MIN_PREFIX[network.version]:
                    return None
                return str(network), ex.CIDR
            address = ipaddress.ip_address(value.split("%", 1)[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                return str(address.ipv4_mapped), ex.IPV4
            return str(address), ex.IPV4 if address.version == 4 else ex.IPV6
    except ValueError:
        return None
    if kind == ex.DOMAIN:
        name = ex.domain(value)
        return (name, kind) if name else None
    if kind == ex.URL:
        url = ex.normalise_url(value)
        return (url, kind) if url else None
    if kind == ex.EMAIL:
        local, at, host = value.rpartition("@")
        name = ex.domain(host) if at and local else None
        return (f"{local.lower()}@{name}", kind) if name else None
    if kind in (ex.MD5, ex.SHA1, ex.SHA256):
        lowered = value.lower()
        if ex.HASH_KINDS.get(len(lowered)) == kind and re.fullmatch(r"[0-9a-f]+", lowered):
            return lowered, kind
        return None
    return None


@dataclass
class IndicatorSet:
    """Indicator values, indexed for matching. ``add`` returns False for a value it refuses."""

    exact: dict[str, list[Entry]] = field(default_factory=dict)  # ips, urls, emails, hashes
    domains: dict[str, list[Entry]] = field(default_factory=dict)
    cidrs: CidrTable = field(default_factory=CidrTable)
    refused: int = 0
    size: int = 0

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str, str]]) -> IndicatorSet:
        indicators = cls()
        for value, kind, stix_id in entries:
            indicators.add(value, kind, stix_id)
        return indicators

    def add(self, value: str, kind: str, stix_id: str) -> bool:
        normal = normalise(value, kind)
        if normal is None:
            self.refused += 1
            return False
        value, kind = normal
        entry = Entry(value, kind, stix_id)
        if kind == ex.CIDR:
            self.cidrs.add(ipaddress.ip_network(value), entry)
        elif kind == ex.DOMAIN:
            self.domains.setdefault(value, []).append(entry)
        else:
            self.exact.setdefault(value, []).append(entry)
        self.size += 1
        return True


# --- STIX -------------------------------------------------------------------------------------

_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")
_COMPARISON = re.compile(
    r"([a-z0-9-]+):([A-Za-z0-9_\-]+(?:\.(?:[A-Za-z0-9_\-]+|\x00\d+\x00))*)"
    r"\s*(=|ISSUBSET)\s*\x00(\d+)\x00"
)
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_HASH_NAMES = {
    "md5": ex.MD5,
    "sha-1": ex.SHA1,
    "sha1": ex.SHA1,
    "sha-256": ex.SHA256,
    "sha256": ex.SHA256,
}
_PATH_KINDS = {
    ("ipv4-addr", "value"): ex.IPV4,
    ("ipv6-addr", "value"): ex.IPV6,
    ("domain-name", "value"): ex.DOMAIN,
    ("url", "value"): ex.URL,
    ("email-addr", "value"): ex.EMAIL,
}
_UNSUPPORTED = re.compile(r"\b(?:AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP|NOT)\b")


def _path_kind(object_type: str, path: str) -> str | None:
    if object_type == "file" and path.startswith("hashes."):
        return _HASH_NAMES.get(path.removeprefix("hashes.").strip("'").lower())
    return _PATH_KINDS.get((object_type, path))


def pattern_values(pattern: str) -> list[tuple[str, str]] | None:
    """``(value, kind)`` of each comparison of a pattern made only of supported comparisons
    joined by OR (inside or between observations), or None for any other pattern (AND,
    sequences, qualifiers, other operators or object paths)."""
    strings: list[str] = []

    def hide(match: re.Match[str]) -> str:
        strings.append(match.group(1).replace("\\'", "'").replace("\\\\", "\\"))
        return f"\x00{len(strings) - 1}\x00"

    skeleton = _STRING.sub(hide, pattern)
    if _UNSUPPORTED.search(skeleton):
        return None
    comparisons = [
        part.strip() for part in re.split(r"\bOR\b", skeleton.replace("[", " ").replace("]", " "))
    ]
    found: list[tuple[str, str]] = []
    for comparison in comparisons:
        match = _COMPARISON.fullmatch(comparison)
        if match is None:
            return None
        object_type, path, operator, index = match.groups()
        path = _PLACEHOLDER.sub(lambda m: f"'{strings[int(m.group(1))]}'", path)
        kind = _path_kind(object_type, path)
        value = strings[int(index)]
        if kind is None or (operator == "ISSUBSET" and kind not in (ex.IPV4, ex.IPV6)):
            return None
        found.append((value, kind))
    return found or None


@dataclass
class FromStix:
    """What :func:`indicators_from_stix` found: the entries, and the indicators it skipped
    (revoked, not STIX patterns, or patterns of other shapes)."""

    entries: list[Entry] = field(default_factory=list)
    skipped: int = 0
    skipped_ids: list[str] = field(default_factory=list)


def indicators_from_stix(objects: Iterable[Mapping[str, Any]]) -> FromStix:
    """``(value, kind, stix_id)`` entries from STIX 2.1 objects: indicators whose pattern is one
    or more simple comparisons joined by OR (``[ipv4-addr:value = '...']``,
    ``[ipv4-addr:value ISSUBSET '10.0.0.0/8']``, ``[file:hashes.'SHA-256' = '...']``, ...),
    and observables (ipv4-addr, ipv6-addr, domain-name, url, email-addr, file hashes). The
    values are not normalised here: :meth:`IndicatorSet.add` does it (and refuses bad ones)."""
    result = FromStix()
    for obj in objects:
        object_type, stix_id = obj.get("type"), str(obj.get("id", ""))
        if object_type == "indicator":
            values = None
            if not obj.get("revoked") and obj.get("pattern_type", "stix") == "stix":
                values = pattern_values(str(obj.get("pattern", "")))
            if values is None:
                result.skipped += 1
                result.skipped_ids.append(stix_id)
                continue
            result.entries += [Entry(value, kind, stix_id) for value, kind in values]
        elif object_type == "file":
            for name, value in (obj.get("hashes") or {}).items():
                kind = _HASH_NAMES.get(str(name).lower())
                if kind:
                    result.entries.append(Entry(str(value), kind, stix_id))
        elif isinstance(object_type, str) and (object_type, "value") in _PATH_KINDS:
            value = obj.get("value")
            if isinstance(value, str):
                result.entries.append(Entry(value, _PATH_KINDS[(object_type, "value")], stix_id))
    return result
