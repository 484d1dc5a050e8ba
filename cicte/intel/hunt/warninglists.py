"""MISP warninglists, read in their own JSON format (``name``, ``type``, ``list``,
``matching_attributes``): known-benign values whose matches a hunt suppresses.

Types: ``string`` (the value, case-insensitive), ``hostname`` (the domain or any subdomain of
it; a URL's or an e-mail address's host), ``cidr`` (an address inside a block; a bare address
is a /32 or /128), ``substring`` and ``regex`` (MISP writes PCRE as ``/.../flags``: the flags
i, m, s and x are kept, a pattern Python cannot compile is left out and counted). A list
applies to the kinds its ``matching_attributes`` name (all kinds when it names none).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cicte.intel.hunt import extract as ex
from cicte.intel.hunt.indicators import CidrTable

SHIPPED = Path(__file__).resolve().parent / "warninglists"

# MISP attribute types -> the hunt's kinds.
_ATTRIBUTE_KINDS: dict[str, tuple[str, ...]] = {
    "ip-src": (ex.IPV4, ex.IPV6, ex.CIDR),
    "ip-dst": (ex.IPV4, ex.IPV6, ex.CIDR),
    "ip-src|port": (ex.IPV4, ex.IPV6),
    "ip-dst|port": (ex.IPV4, ex.IPV6),
    "domain|ip": (ex.DOMAIN, ex.IPV4, ex.IPV6),
    "domain": (ex.DOMAIN,),
    "hostname": (ex.DOMAIN,),
    "url": (ex.URL,),
    "uri": (ex.URL,),
    "link": (ex.URL,),
    "email": (ex.EMAIL,),
    "email-src": (ex.EMAIL,),
    "email-dst": (ex.EMAIL,),
    "target-email": (ex.EMAIL,),
    "whois-registrant-email": (ex.EMAIL,),
    "md5": (ex.MD5,),
    "sha1": (ex.SHA1,),
    "sha256": (ex.SHA256,),
    "filename|md5": (ex.MD5,),
    "filename|sha1": (ex.SHA1,),
    "filename|sha256": (ex.SHA256,),
}
ALL_KINDS = frozenset(
    (ex.IPV4, ex.IPV6, ex.CIDR, ex.DOMAIN, ex.URL, ex.EMAIL, ex.MD5, ex.SHA1, ex.SHA256)
)


class WarninglistError(ValueError):
    """A file that is not a MISP warninglist."""


@dataclass
class Warninglist:
    """One MISP warninglist, indexed for its type."""

    name: str
    type: str
    kinds: frozenset[str]
    strings: set[str] = field(default_factory=set)
    cidrs: CidrTable = field(default_factory=CidrTable)
    substrings: list[str] = field(default_factory=list)
    regexes: list[re.Pattern[str]] = field(default_factory=list)
    unusable: int = 0  # entries left out (a bad network, a regex Python cannot compile)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Warninglist:
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            raise WarninglistError("not a MISP warninglist: no list of values")
        list_type = str(data.get("type", "string"))
        if list_type not in {"string", "hostname", "cidr", "substring", "regex"}:
            raise WarninglistError(f"unsupported warninglist type {list_type!r}")
        kinds: set[str] = set()
        for attribute in data.get("matching_attributes") or ():
            kinds.update(_ATTRIBUTE_KINDS.get(str(attribute), ()))
        if not data.get("matching_attributes"):
            kinds = set(ALL_KINDS)
        if list_type == "hostname" and ex.DOMAIN in kinds:
            kinds.update((ex.URL, ex.EMAIL))  # their hosts
        warninglist = cls(name=str(data.get("name", "")), type=list_type, kinds=frozenset(kinds))
        for raw in data["list"]:
            warninglist._add(str(raw).strip())
        return warninglist

    def _add(self, value: str) -> None:
        if not value:
            return
        if self.type == "cidr":
            try:
                self.cidrs.add(ipaddress.ip_network(value, strict=False), True)
            except ValueError:
                self.unusable += 1
        elif self.type == "regex":
            pattern = _pcre(value)
            if pattern is None:
                self.unusable += 1
            else:
                self.regexes.append(pattern)
        elif self.type == "substring":
            self.substrings.append(value.lower())
        else:  # string, hostname
            self.strings.add(value.lower().rstrip("."))

    def contains(self, value: str, kind: str) -> bool:
        """Whether the (normalised) extracted ``value`` of ``kind`` is on this list."""
        if kind not in self.kinds:
            return False
        lowered = value.lower()
        if self.type == "string":
            return lowered in self.strings
        if self.type == "substring":
            return any(part in lowered for part in self.substrings)
        if self.type == "regex":
            return any(pattern.search(value) for pattern in self.regexes)
        if self.type == "hostname":
            host = _host(lowered, kind)
            while host:
                if host in self.strings:
                    return True
                host = host.partition(".")[2]
            return False
        # cidr
        address = _address(value, kind)
        return address is not None and bool(self.cidrs.lookup(address.version, int(address)))


def _host(value: str, kind: str) -> str | None:
    if kind == ex.URL:
        return ex.url_host(value)
    if kind == ex.EMAIL:
        return value.rpartition("@")[2]
    return value


def _address(value: str, kind: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if kind == ex.URL:
        value = ex.url_host(value) or ""
    try:
        if "/" in value:
            return ipaddress.ip_network(value, strict=False).network_address
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _pcre(value: str) -> re.Pattern[str] | None:
    """A Python pattern for MISP's ``/pattern/flags`` (or a bare pattern)."""
    flags = 0
    match = re.fullmatch(r"/(.*)/([a-zA-Z]*)", value, re.DOTALL)
    body = value
    if match:
        body, letters = match.groups()
        for letter in letters:
            flag = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(letter)
            if flag is None:
                return None
            flags |= flag
    try:
        return re.compile(body, flags)
    except re.error:
        return None


@dataclass
class Warninglists:
    """A set of warninglists; :meth:`match` names the first list a value is on."""

    lists: list[Warninglist] = field(default_factory=list)

    @classmethod
    def load(cls, paths: Iterable[Path | str]) -> Warninglists:
        lists = []
        for path in paths:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise WarninglistError(f"{path}: {exc}") from exc
            try:
                lists.append(Warninglist.from_json(data))
            except WarninglistError as exc:
                raise WarninglistError(f"{path}: {exc}") from exc
        return cls(lists)

    @classmethod
    def shipped(cls) -> Warninglists:
        """The lists the platform ships with (cicte/intel/hunt/warninglists/*.json)."""
        return cls.load(sorted(SHIPPED.glob("*.json")))

    def match(self, value: str, kind: str) -> str | None:
        for warninglist in self.lists:
            if warninglist.contains(value, kind):
                return warninglist.name
        return None
