"""The retro-hunt: stream lines, extract observables, match them against an indicator set,
suppress known-benign values, yield the matches.

The hot loop runs one compiled regular expression over blocks of about 1 MiB of whole lines and
does, per candidate token, a dictionary lookup or two: exact values by their normalised text,
IPv4 addresses converted to integers by hand (``ipaddress`` only for IPv6 candidates that pass
a cheap pre-filter), CIDR blocks by one set lookup per prefix length present, domains by a walk
of their suffixes. Line numbers are counted only up to each match; warninglists are consulted
only for matches.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cicte.intel.hunt import extract as ex
from cicte.intel.hunt.indicators import Entry, IndicatorSet
from cicte.intel.hunt.warninglists import Warninglists

EXACT, CIDR_MATCH, SUBDOMAIN = "exact", "cidr", "subdomain"
_UNSEEN: Any = object()  # a host not in the cache yet


@dataclass(frozen=True)
class Match:
    """One line's value that matched one indicator."""

    line: int  # 1-based
    value: str  # the extracted value, normalised (canonical IP, lower-case domain or hash)
    kind: str  # its kind: ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256
    indicator: str  # the indicator's value, normalised
    indicator_kind: str
    match: str  # exact, cidr or subdomain
    stix_id: str


@dataclass
class HuntStats:
    """Counters of a hunt, updated as it goes (so a progress callback can show them)."""

    lines: int = 0
    characters: int = 0  # of text read (after gzip decompression)
    values: int = 0  # valid values extracted
    matches: int = 0  # matches reported
    suppressed: int = 0  # matches left out because the value is on a warninglist


Progress = Callable[[HuntStats], None]
_Hit = tuple[str, str, Entry, str]  # value, kind, indicator entry, match kind


class Hunter:
    """Matches text against one indicator set (and, optionally, warninglists); reusable."""

    def __init__(self, indicators: IndicatorSet, warninglists: Warninglists | None = None) -> None:
        self.indicators = indicators
        self.warninglists = warninglists
        self._benign: dict[tuple[str, str], str | None] = {}
        # Most addresses fall in no indicator block: one lookup of the address cut to the
        # shortest prefix length present settles them, before the lookup per length.
        v4 = indicators.cidrs.by_prefix[4]
        self._v4_shift = 32 - min(v4) if v4 else None
        self._v4_coarse = (
            {network >> self._v4_shift for table in v4.values() for network in table}
            if self._v4_shift is not None
            else set()
        )
        self._hosts: dict[str, tuple[tuple[Entry, str], ...] | None] = {}
        self._url_hosts = {
            ex.url_host(value)
            for value, entries in indicators.exact.items()
            if entries[0].kind == ex.URL
        }
        self._v6_exact = {
            int(ipaddress.IPv6Address(value)): entries
            for value, entries in indicators.exact.items()
            if entries[0].kind == ex.IPV6
        }

    # --- one token ---------------------------------------------------------------------------

    def _domain_hits(self, name: str, value: str, kind: str, hits: list[_Hit]) -> None:
        """Hits of domain ``name`` and of each of its parent domains (``value`` of ``kind``
        is what is reported: the domain, or the URL or e-mail address it came from)."""
        domains = self.indicators.domains
        suffix = name
        while True:
            found = domains.get(suffix)
            if found:
                how = EXACT if suffix == name else SUBDOMAIN
                hits.extend((value, kind, entry, how) for entry in found)
            dot = suffix.find(".")
            if dot < 0:
                return
            suffix = suffix[dot + 1 :]

    def _ipv4_hits(
        self, address: str, value: str, kind: str, hits: list[_Hit], cidr_prefix: int | None
    ) -> None:
        """Hits of IPv4 ``address``: exact, and inside indicator blocks (with ``cidr_prefix``,
        the extracted value is a block of that length: only blocks as long or shorter)."""
        indicators = self.indicators
        if cidr_prefix is None:
            found = indicators.exact.get(address)
            if found:
                hits.extend((value, kind, entry, EXACT) for entry in found)
        if self._v4_shift is not None:
            number = ex.ipv4_int(address)
            if number is not None and number >> self._v4_shift in self._v4_coarse:
                for entry in indicators.cidrs.lookup(4, number, cidr_prefix):
                    hits.append((value, kind, entry, EXACT if entry.value == value else CIDR_MATCH))

    def _ip_hits(self, text: str, url: str | None, hits: list[_Hit]) -> bool:
        """Hits of an IP address or block written ``text`` (a token, or the host of ``url``);
        False when ``text`` is no address."""
        address, _, prefix = text.partition("/")
        if prefix and not prefix.isdigit():
            return False
        if ":" not in address:
            if ex.ipv4_int(address) is None:
                return False
            if prefix:
                network = _network(text)
                if network is None:
                    return False
                self._ipv4_hits(address, network, ex.CIDR, hits, int(prefix))
            elif url is not None:
                self._ipv4_hits(address, url, ex.URL, hits, None)
            else:
                self._ipv4_hits(address, address, ex.IPV4, hits, None)
            return True
        number = ex.ipv6_int(address)
        if number is None:
            return False
        if number >> 32 == 0xFFFF and not prefix:  # IPv4-mapped: the IPv4 address it maps
            mapped = str(ipaddress.IPv4Address(number & 0xFFFFFFFF))
            value = url or f"::ffff:{mapped}"
            self._ipv4_hits(mapped, value, ex.URL if url else ex.IPV6, hits, None)
            return True
        cidrs = self.indicators.cidrs
        if prefix:
            network = _network(f"{ipaddress.IPv6Address(number)}/{prefix}")
            if network is None:
                return False
            for entry in cidrs.lookup(6, number, int(prefix)) if cidrs.has(6) else ():
                how = EXACT if entry.value == network else CIDR_MATCH
                hits.append((network, ex.CIDR, entry, how))
            return True
        same = self._v6_exact.get(number, [])
        inside = cidrs.lookup(6, number) if cidrs.has(6) else []
        if same or inside:  # the address is written out only for what matched
            value = url if url is not None else str(ipaddress.IPv6Address(number))
            kind = ex.URL if url is not None else ex.IPV6
            hits.extend((value, kind, entry, EXACT) for entry in same)
            hits.extend((value, kind, entry, CIDR_MATCH) for entry in inside)
        return True

    def token_hits(self, group: str, text: str) -> tuple[bool, list[_Hit]]:
        """Whether ``text`` (a candidate of :data:`extract.TOKENS`' group ``group``) is a
        valid value, and its hits. The hunt's loop handles the common cases itself, faster."""
        hits: list[_Hit] = []
        exact = self.indicators.exact
        if group == "domain":
            name = ex.domain(text)
            if name is None:
                return False, hits
            self._domain_hits(name, name, ex.DOMAIN, hits)
        elif group in ("ipv4", "ipv6"):
            return self._ip_hits(text, None, hits), hits
        elif group == "hash":
            value = text.lower()
            for entry in exact.get(value, ()):
                hits.append((value, ex.HASH_KINDS[len(value)], entry, EXACT))
        elif group == "url":
            parts = ex.split_url(ex.trim_url(text))
            if parts is None:
                return False, hits
            url, host = parts
            for entry in exact.get(url, ()):
                hits.append((url, ex.URL, entry, EXACT))
            if ":" in host or host[-1].isdigit():
                self._ip_hits(host, url, hits)
            elif ex.domain(host):
                self._domain_hits(host, url, ex.URL, hits)
        elif group == "email":
            local, _, host = text.rpartition("@")
            name = ex.domain(host)
            if name is None:
                return False, hits
            value = f"{local.lower()}@{name}"
            for entry in exact.get(value, ()):
                hits.append((value, ex.EMAIL, entry, EXACT))
            self._domain_hits(name, value, ex.EMAIL, hits)
        else:
            return False, hits
        return True, hits

    def _benign_list(self, value: str, kind: str) -> str | None:
        if self.warninglists is None:
            return None
        key = (value, kind)
        if key not in self._benign:
            if len(self._benign) > 100_000:
                self._benign.clear()
            self._benign[key] = self.warninglists.match(value, kind)
        return self._benign[key]

    # --- a stream ----------------------------------------------------------------------------

    def hunt(
        self,
        source: BinaryIO | str | Path | bytes,
        *,
        stats: HuntStats | None = None,
        progress: Progress | None = None,
        every: int = 100_000,
    ) -> Iterator[Match]:
        """The matches in ``source`` (a path, bytes or a binary file; gzip or not), in line
        order, each (line, value, indicator) once. ``stats`` (given or new) is updated after
        each block; ``progress`` is called with it each time another ``every`` lines are done
        (at the end of a block) and at the end."""
        stats = stats if stats is not None else HuntStats()
        stream = ex.open_stream(source)
        next_report = every
        newlines = 0  # in the blocks done
        try:
            for block in ex.blocks(stream):
                stats.characters += len(block)
                if "\\/" in block:  # JSON's escaped slashes
                    block = block.replace("\\/", "/")
                block = " " + block  # a start for a token at the block's start
                counted_to, line = 0, newlines + 1
                seen: set[tuple[int, str, str, str]] = set()
                for position, hits in self._block_hits(block, stats):
                    line += block.count("\n", counted_to, position)
                    counted_to = position
                    for value, kind, entry, how in hits:
                        key = (line, value, entry.value, entry.stix_id)
                        if key in seen:
                            continue
                        seen.add(key)
                        if self._benign_list(value, kind) is not None:
                            stats.suppressed += 1
                            continue
                        stats.matches += 1
                        yield Match(line, value, kind, entry.value, entry.kind, how, entry.stix_id)
                newlines += block.count("\n")
                # A block that does not end a line is the file's last line without a newline,
                # or an over-long line cut in two (the next block recounts it).
                stats.lines = newlines + (0 if block.endswith("\n") else 1)
                if progress is not None and stats.lines >= next_report:
                    progress(stats)
                    next_report = (stats.lines // every + 1) * every
        finally:
            stream.close()
        if progress is not None:
            progress(stats)

    def _host_hits(self, name: str) -> tuple[tuple[Entry, str], ...] | None:
        """``(entry, match kind)`` of the domain indicators that domain ``name`` (lower-case)
        matches, itself or as a subdomain; None when ``name`` is no valid domain. Cached:
        the same hosts come back again and again in a log."""
        cached = self._hosts.get(name)
        if cached is not None or name in self._hosts:
            return cached
        result: tuple[tuple[Entry, str], ...] | None = None
        if ex.domain(name) is not None:
            found: list[_Hit] = []
            self._domain_hits(name, name, ex.DOMAIN, found)
            result = tuple((entry, how) for _, _, entry, how in found)
        if len(self._hosts) >= 100_000:  # bounded memory
            self._hosts.clear()
        self._hosts[name] = result
        return result

    def _block_hits(self, block: str, stats: HuntStats) -> Iterator[tuple[int, list[_Hit]]]:
        """``(end, hits)`` of each candidate token of ``block`` that matched. The hot
        loop: IPv4 addresses, domains, URLs with plain hosts, e-mail addresses and hashes (most
        tokens of a log) are handled inline, with local names; the rest goes through
        :meth:`token_hits`."""
        exact_get = self.indicators.exact.get
        tlds, hash_kinds = ex.TLDS, ex.HASH_KINDS
        pton, af_inet, from_bytes = socket.inet_pton, socket.AF_INET, int.from_bytes
        v4_shift, v4_coarse = self._v4_shift, self._v4_coarse
        hosts_get, host_hits, url_hosts = self._hosts.get, self._host_hits, self._url_hosts
        token_hits = self.token_hits
        values = 0
        for found in ex.TOKENS.finditer(block):
            group = found.lastgroup
            assert group is not None
            text = found.group(group)
            hits: list[_Hit] | None = None
            if group == "ipv4" and "/" not in text:
                try:
                    number = from_bytes(pton(af_inet, text), "big")
                except OSError:
                    continue
                values += 1
                entries = exact_get(text)
                if entries:
                    hits = [(text, ex.IPV4, entry, EXACT) for entry in entries]
                if v4_shift is not None and number >> v4_shift in v4_coarse:
                    hits = hits or []
                    for entry in self.indicators.cidrs.lookup(4, number):
                        hits.append((text, ex.IPV4, entry, CIDR_MATCH))
            elif group == "domain":
                name = text.lower()
                if name[-1] == ".":
                    name = name[:-1]
                if name[name.rfind(".") + 1 :] not in tlds:
                    continue
                matched = hosts_get(name, _UNSEEN)
                if matched is _UNSEEN:
                    matched = host_hits(name)
                if matched is None:
                    continue
                values += 1
                if matched:
                    hits = [(name, ex.DOMAIN, entry, how) for entry, how in matched]
            elif group == "hash":
                values += 1
                value = text.lower()
                entries = exact_get(value)
                if entries:
                    kind = hash_kinds[len(value)]
                    hits = [(value, kind, entry, EXACT) for entry in entries]
            elif group == "url" and found.group("host") and text[-1] not in ex.URL_TRAILING:
                name = found.group("host").lower()
                if name[-1].isdigit():  # an IPv4 address
                    valid, hits = token_hits(group, text)
                    values += valid
                    if hits:
                        stats.values += values
                        values = 0
                        yield found.end(), hits
                    continue
                values += 1
                if name in url_hosts:  # the URL itself may be an indicator
                    hits = token_hits(group, text)[1]
                else:
                    matched = hosts_get(name, _UNSEEN)
                    if matched is _UNSEEN:
                        matched = host_hits(name)
                    if matched:
                        url = ex.normalise_url(text) or text
                        hits = [(url, ex.URL, entry, how) for entry, how in matched]
            elif group == "email":
                local, _, name = text.lower().rpartition("@")
                matched = hosts_get(name, _UNSEEN)
                if matched is _UNSEEN:
                    matched = host_hits(name)
                if matched is None:
                    continue
                values += 1
                value = f"{local}@{name}"
                entries = exact_get(value)
                if entries:
                    hits = [(value, ex.EMAIL, entry, EXACT) for entry in entries]
                if matched:
                    hits = hits or []
                    hits += [(value, ex.EMAIL, entry, how) for entry, how in matched]
            else:
                valid, hits = token_hits(group, text)
                if not valid:
                    continue
                values += 1
            if hits:
                stats.values += values
                values = 0
                yield found.end(), hits
        stats.values += values


def _network(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return None
