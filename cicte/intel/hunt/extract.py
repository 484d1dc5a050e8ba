"""Streaming extraction of observables from text: one compiled regular expression finds the
candidate tokens, cheap checks in Python validate them.

Token semantics are exact: a candidate is a whole token, bounded on both sides by characters
that cannot continue it, so ``1.2.3.45`` never yields ``1.2.3.4``, ``evil.com.example`` never
yields ``evil.com`` and ``notevil.com`` is one token (whose only suffix is ``com``). A trailing
full stop ends a token (``see evil.com.``), a dot followed by a letter or digit does not.

Input is read in blocks of whole lines (about 1 MiB), never whole: gzip is recognised by its
magic bytes and decompressed as a stream; a line longer than :data:`MAX_LINE` is cut at its
last space or comma (so memory stays bounded per line), keeping its line number.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import ipaddress
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import publicsuffixlist

BLOCK = 1 << 20  # bytes read at a time
MAX_LINE = 1 << 20  # a longer line is cut (at a space or comma when it has one)

# Kinds of extracted values.
IPV4, IPV6, CIDR, DOMAIN, URL, EMAIL, MD5, SHA1, SHA256 = (
    "ipv4",
    "ipv6",
    "cidr",
    "domain",
    "url",
    "email",
    "md5",
    "sha1",
    "sha256",
)
HASH_KINDS = {32: MD5, 40: SHA1, 64: SHA256}

_WORD = r"0-9A-Za-z_\-"
# A cheap gate before the alternatives: the word goes on with ".", ":" or "@", or it is 32 hex
# digits. Most words of a log line (GET, 200, DENY...) stop here. Possessive quantifiers (*+)
# keep the engine from backtracking through words that cannot match.
_GATE = r"(?=[0-9A-Za-z_%+\-]*+[.:@]|[0-9A-Fa-f]{32})"
# Right: no word character and no ".x" next (a longer dotted token).
_RIGHT = rf"(?![{_WORD}]|\.[{_WORD}])"
_LABEL = r"[0-9A-Za-z_\-]{1,63}+"  # hyphens at a label's edge are refused in Python
_DOMAIN = rf"(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}+|xn--[0-9A-Za-z\-]{{1,59}}+)"
_OCTETS = r"\d{1,3}+\.\d{1,3}+\.\d{1,3}+\.\d{1,3}+"
_H = r"[0-9A-Fa-f]"

# Each match starts with the character before its token: not a word character and not a dot
# (so "1.2.3.4.5" yields no "2.3.4.5"), then a dot when the token follows one ("*.evil.com").
# Starting on a character class lets the engine skip the inside of words in its fast search
# loop; a text is scanned with one space put before it. The token itself is the named group
# that matched (``match.lastgroup``).
TOKENS = re.compile(
    r"[^0-9A-Za-z_\-.]\.?"
    + _GATE
    + "(?:"
    # URL: a scheme we know, then anything up to a space or a quote (trimmed in Python); its
    # host is captured as well when it is a plain name followed by a path, a query or the end.
    + r"(?P<url>(?i:https?|hxxps?|ftps?|wss?)://"
    + r"(?:(?P<host>[0-9A-Za-z_\-]++(?:\.[0-9A-Za-z_\-]++)*+)(?=[/?#\s\"'<>`\\]|$))?"
    + r"[^\s\"'<>`\\]*+)"
    + rf"|(?P<email>[0-9A-Za-z_%+\-][0-9A-Za-z._%+\-]{{0,63}}+@{_DOMAIN}){_RIGHT}"
    # IPv6 candidate (validated in Python): hex groups and colons, an optional dotted tail,
    # zone and prefix length.
    + rf"|(?P<ipv6>(?:{_H}{{0,4}}+:){{2,7}}(?:{_OCTETS}|{_H}{{1,4}}+)?(?:%[0-9A-Za-z_.]++)?"
    + r"(?:/\d{1,3}+)?)(?![0-9A-Za-z_\-:.])"
    + rf"|(?P<ipv4>{_OCTETS}(?:/\d{{1,2}}+)?){_RIGHT}"
    + rf"|(?P<hash>{_H}{{32}}(?:{_H}{{8}}(?:{_H}{{24}})?)?)(?![{_WORD}])"
    + rf"|(?P<domain>{_DOMAIN})\.?{_RIGHT}"
    + ")"
)
URL_TRAILING = ".,;:!?)]}'\"|*"


def _tlds() -> frozenset[str]:
    """The top-level labels of the Public Suffix List that publicsuffixlist bundles (ICANN and
    private sections; IDN TLDs in both Unicode and punycode)."""
    found: set[str] = set()
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as handle:
        for line in handle:
            rule = line.strip()
            if not rule or rule.startswith("//"):
                continue
            tld = rule.rsplit(".", 1)[-1].lstrip("!*").lower()
            if not tld:
                continue
            found.add(tld)
            if not tld.isascii():
                with contextlib.suppress(UnicodeError):  # a label the IDNA 2003 codec refuses
                    found.add(tld.encode("idna").decode("ascii"))
    return frozenset(found)


TLDS = _tlds()


def ipv4_int(text: str) -> int | None:
    """The address of a dotted quad as an integer, or None. ``inet_pton`` is strict (four
    decimal octets, no leading zeros: ``010.0.0.1`` is ambiguous, as ipaddress says) and runs
    in C, some ten times faster than ipaddress."""
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, ValueError):
        return None


def domain(text: str) -> str | None:
    """``text`` as a lower-case domain name without a trailing dot, or None when it is not one
    (a label too long, a last label that is no known TLD, over 253 characters)."""
    name = text.rstrip(".").lower()
    if not name or len(name) > 253 or ".." in name:
        return None
    labels = name.split(".")
    if len(labels) < 2 or labels[-1] not in TLDS:
        return None
    for label in labels:
        if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return None
    return name


def ipv6_int(text: str) -> int | None:
    """The address of an IPv6 address in any textual form (compressed, full, with an IPv4
    tail, with a zone) as an integer, or None. A cheap count of colons first turns away times
    (12:00:00) and MAC addresses; ``inet_pton`` (in C) does the rest."""
    colons = text.count(":")
    if "::" not in text and colons != 7 and not (colons == 6 and "." in text):
        return None
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0]), "big")
    except (OSError, ValueError):
        return None


def ipv6(text: str) -> ipaddress.IPv6Address | None:
    """An IPv6 address in any textual form, or None."""
    number = ipv6_int(text)
    return None if number is None else ipaddress.IPv6Address(number)


def split_url(text: str) -> tuple[str, str] | None:
    """``(normalised URL, host)`` of a URL: scheme and host in lower case (``hxxp`` refanged),
    an empty path written ``/``, the fragment dropped, the rest as it is; the host without
    brackets, user information or port. None when there is no scheme or host. Plain string
    operations: this runs for every URL of a log."""
    scheme, separator, rest = text.strip().partition("://")
    if not separator or not scheme:
        return None
    scheme = scheme.lower().replace("hxxp", "http")
    rest = rest.partition("#")[0]
    end = len(rest)
    for character in "/?":
        index = rest.find(character, 0, end)
        if index >= 0:
            end = index
    authority, tail = rest[:end], rest[end:]
    if not tail.startswith("/"):
        tail = "/" + tail
    userinfo, at, hostport = authority.rpartition("@")
    hostport = hostport.lower()
    if hostport.startswith("["):
        host = hostport[1 : hostport.find("]")]
    else:
        host = hostport.partition(":")[0]
    if not host:
        return None
    return f"{scheme}://{userinfo}{at}{hostport}{tail}", host


def url_host(url: str) -> str | None:
    """The host of a URL, lower-case, without brackets or port."""
    parts = split_url(url)
    return parts[1] if parts else None


def normalise_url(url: str) -> str | None:
    """A URL as :func:`split_url` normalises it."""
    parts = split_url(url)
    return parts[0] if parts else None


def open_stream(source: BinaryIO | str | Path | bytes) -> BinaryIO:
    """A binary stream over ``source`` (a path, bytes or a binary file), decompressing gzip
    (recognised by its magic bytes, whatever the file's name) as it is read."""
    raw: BinaryIO
    if isinstance(source, bytes):
        raw = io.BytesIO(source)
    elif isinstance(source, str | Path):
        raw = open(source, "rb")  # noqa: SIM115 - closed with the returned stream
    else:
        raw = source
    # peek() looks at the first bytes without consuming them (any raw stream gets a buffer).
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return cast(BinaryIO, gzip.GzipFile(fileobj=buffered, mode="rb"))
    return cast(BinaryIO, buffered)


def blocks(stream: BinaryIO, *, size: int = BLOCK, max_line: int = MAX_LINE) -> Iterator[str]:
    """Blocks of whole lines, decoded (UTF-8, undecodable bytes replaced). A line longer than
    ``max_line`` is cut at its last space, tab or comma before that length (hard-cut when it has
    none) and goes on in the next block, without a new line number."""
    carry = b""
    while True:
        data = stream.read(size)
        if not data:
            break
        chunk = carry + data if carry else data
        cut = chunk.rfind(b"\n")
        if cut < 0:
            if len(chunk) < max_line:
                carry = chunk
                continue
            cut = max(chunk.rfind(b" "), chunk.rfind(b"\t"), chunk.rfind(b","))
            if cut < 0:
                cut = len(chunk) - 1
        carry = chunk[cut + 1 :]
        yield chunk[: cut + 1].decode("utf-8", "replace")
    if carry:
        yield carry.decode("utf-8", "replace")


def trim_url(url: str) -> str:
    """A URL without the punctuation that usually follows one in text."""
    return url.rstrip(URL_TRAILING)


def extract(text: str) -> list[tuple[str, str]]:
    """``(regex group, token)`` of each candidate in ``text``, unvalidated (for tests and
    for looking at a line): groups url, email, ipv6, ipv4 (with an optional /prefix), hash,
    domain."""
    found = []
    for match in TOKENS.finditer(" " + text):
        group = match.lastgroup
        assert group is not None
        found.append((group, match.group(group)))
    return found
