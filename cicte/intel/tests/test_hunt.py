"""The retro-hunt engine (cicte.intel.hunt): extraction with exact token semantics, matching
(exact, CIDR, subdomain), indicators from STIX, MISP warninglists, streaming input (gzip, CSV,
JSON lines, over-long lines), counters and progress. No database: the engine knows nothing of
Django."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicte.intel.hunt import (
    Hunter,
    HuntStats,
    IndicatorSet,
    Match,
    Warninglist,
    WarninglistError,
    Warninglists,
    indicators_from_stix,
)
from cicte.intel.hunt import extract as ex
from cicte.intel.hunt.indicators import pattern_values

DATA = Path(__file__).parent / "data"

INDICATORS = [
    ("185.220.101.7", "ipv4", "indicator--ip"),
    ("2001:DB8:0:0:0:0:0:BEEF", "ipv6", "indicator--ip6"),  # normalised to 2001:db8::beef
    ("203.0.113.0/24", "cidr", "indicator--net"),
    ("192.0.2.10/32", "cidr", "indicator--host"),
    ("2a0b:4000::/32", "cidr", "indicator--net6"),
    ("Evil.COM", "domain", "indicator--dom"),
    ("http://bad.example.net/Payload.php", "url", "indicator--url"),
    ("phish@lure.org", "email", "indicator--mail"),
    ("D41D8CD98F00B204E9800998ECF8427F", "md5", "indicator--md5"),
    ("da39a3ee5e6b4b0d3255bfef95601890afd80700", "sha1", "indicator--sha1"),
    ("a" * 64, "sha256", "indicator--sha256"),
]


def hunter(warninglists: Warninglists | None = None) -> Hunter:
    return Hunter(IndicatorSet.build(INDICATORS), warninglists)


def found(text: str | bytes, warninglists: Warninglists | None = None) -> list[tuple[Any, ...]]:
    data = text.encode() if isinstance(text, str) else text
    return [
        (m.line, m.value, m.indicator, m.match, m.stix_id) for m in hunter(warninglists).hunt(data)
    ]


def values(text: str) -> set[str]:
    return {value for _line, value, *_ in found(text)}


# --- exact token semantics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1.185.220.101.7",  # a longer dotted token
        "185.220.101.70",
        "185.220.101.7.1",
        "185.220.101.7-rc1",
        "v185.220.101.7",
        "evil.com.example",
        "notevil.com",
        "evil.community",
        "my-evil.com",
        "evil.com-cdn.net",
        "evil_com",
        "xd41d8cd98f00b204e9800998ecf8427f",  # hash inside a longer word
        "d41d8cd98f00b204e9800998ecf8427f0",  # 33 hex digits: no hash
        "d41d8cd98f00b204e9800998ecf8427",  # 31
        "a" * 63,
        "a" * 65,
        "da39a3ee5e6b4b0d3255bfef95601890afd8070",  # 39
        "http://bad.example.net/Payload.php5",
        "xphish@lure.org.uk",
    ],
)
def test_look_alikes_do_not_match(text: str) -> None:
    assert found(f"seen {text} here") == []


@pytest.mark.parametrize(
    "text, value, indicator, how",
    [
        ("src=185.220.101.7:443", "185.220.101.7", "185.220.101.7", "exact"),
        ("[185.220.101.7]", "185.220.101.7", "185.220.101.7", "exact"),
        ("host evil.com.", "evil.com", "evil.com", "exact"),
        ("EVIL.COM", "evil.com", "evil.com", "exact"),
        ("cdn.www.Evil.com", "cdn.www.evil.com", "evil.com", "subdomain"),
        ("*.evil.com", "evil.com", "evil.com", "exact"),
        ("_dmarc.evil.com", "_dmarc.evil.com", "evil.com", "subdomain"),
        ("evil.com/path", "evil.com", "evil.com", "exact"),
        ("D41D8CD98F00B204E9800998ECF8427F", "d41d8cd98f00b204e9800998ecf8427f", None, "exact"),
        ("sha1=da39a3ee5e6b4b0d3255bfef95601890afd80700;", None, None, "exact"),
        ("'" + "A" * 64 + "'", "a" * 64, "a" * 64, "exact"),
    ],
)
def test_tokens_match_when_bounded(
    text: str, value: str | None, indicator: str | None, how: str
) -> None:
    matches = found(f"x {text} y")
    assert len(matches) == 1
    _line, got_value, got_indicator, got_how, _id = matches[0]
    assert got_how == how
    if value is not None:
        assert got_value == value
    if indicator is not None:
        assert got_indicator == indicator


def test_ipv6_textual_forms_are_normalised() -> None:
    forms = [
        "2001:db8::beef",
        "2001:DB8::BEEF",
        "2001:0db8:0000:0000:0000:0000:0000:beef",
        "2001:db8:0:0:0:0:0:beef",
        "[2001:db8::beef]:443",
        "2001:db8::beef%eth0",
        "http://[2001:db8::beef]/x",
    ]
    for form in forms:
        matches = found(f"dst {form} ok")
        assert [(m[2], m[3], m[4]) for m in matches] == [
            ("2001:db8::beef", "exact", "indicator--ip6")
        ], form
    assert found("dst 2001:db8::bee ok") == []
    assert found("at 12:00:00 mac 00:1a:2b:3c:4d:5e") == []


def test_ipv4_mapped_ipv6_matches_the_ipv4_indicator() -> None:
    assert found("from ::ffff:185.220.101.7 ok") == [
        (1, "::ffff:185.220.101.7", "185.220.101.7", "exact", "indicator--ip")
    ]
    assert found("from ::ffff:b9dc:6507 ok")[0][2] == "185.220.101.7"


def test_cidr_edges() -> None:
    # network and broadcast addresses are inside; the neighbours are not
    assert values("203.0.113.0 203.0.113.255") == {"203.0.113.0", "203.0.113.255"}
    assert found("203.0.112.255 203.0.114.0") == []
    # a /32 block holds exactly one address
    assert found("192.0.2.10")[0][2:] == ("192.0.2.10/32", "cidr", "indicator--host")
    assert found("192.0.2.11 192.0.2.9") == []
    # IPv6 blocks
    assert found("2a0b:4000:ffff::1")[0][2:] == ("2a0b:4000::/32", "cidr", "indicator--net6")
    assert found("2a0b:4001::1") == []
    # an extracted block inside (or equal to) an indicator block
    assert found("route 203.0.113.128/25") == [
        (1, "203.0.113.128/25", "203.0.113.0/24", "cidr", "indicator--net")
    ]
    assert found("route 203.0.113.0/24")[0][3] == "exact"
    assert found("route 203.0.112.0/23") == []  # wider than the indicator: not inside it


def test_broad_blocks_are_refused() -> None:
    indicators = IndicatorSet()
    assert not indicators.add("0.0.0.0/0", "cidr", "indicator--all")
    assert not indicators.add("::/0", "ipv6", "indicator--all6")
    assert not indicators.add("10.0.0.0/7", "ipv4", "indicator--wide")
    assert indicators.add("10.0.0.0/8", "ipv4", "indicator--ten")
    assert indicators.refused == 3
    assert not indicators.add("999.1.1.1", "ipv4", "indicator--bad")
    assert not indicators.add("abc", "md5", "indicator--bad")
    assert not indicators.add("a" * 40, "md5", "indicator--bad")
    assert not indicators.add("evil.notatld", "domain", "indicator--bad")


def test_urls_emails_and_their_hosts() -> None:
    assert found('GET "HTTP://BAD.example.net/Payload.php" 200') == [
        (
            1,
            "http://bad.example.net/Payload.php",
            "http://bad.example.net/Payload.php",
            "exact",
            "indicator--url",
        )
    ]
    # a URL on an indicator domain (and the path's case matters for the URL indicator)
    assert found("see https://cdn.evil.com/x?y=1).") == [
        (1, "https://cdn.evil.com/x?y=1", "evil.com", "subdomain", "indicator--dom")
    ]
    assert found("http://bad.example.net/payload.php") == []
    # a URL on an indicator address
    assert found("http://185.220.101.7:8080/a")[0][2:] == (
        "185.220.101.7",
        "exact",
        "indicator--ip",
    )
    # an e-mail address, exactly, and an address on an indicator domain
    assert found("from: Phish@Lure.org") == [
        (1, "phish@lure.org", "phish@lure.org", "exact", "indicator--mail")
    ]
    assert found("to ceo@mail.evil.com")[0][1:4] == ("ceo@mail.evil.com", "evil.com", "subdomain")


def test_csv_and_json_lines() -> None:
    csv_text = "time,src,dst,host\n2026-01-01T00:00:00Z,10.0.0.1,185.220.101.7,www.evil.com\n"
    assert found(csv_text) == [
        (2, "185.220.101.7", "185.220.101.7", "exact", "indicator--ip"),
        (2, "www.evil.com", "evil.com", "subdomain", "indicator--dom"),
    ]
    json_lines = "\n".join(
        json.dumps(record)
        for record in (
            {"url": "http://bad.example.net/Payload.php", "n": 1},
            {"ok": "nothing here"},
            {"md5": "d41d8cd98f00b204e9800998ecf8427f", "ip": "203.0.113.9"},
        )
    )
    assert json_lines.count("\\/") == 0  # json.dumps keeps slashes; MISP-style escapes below
    escaped = json_lines.replace("/", "\\/")
    for text in (json_lines, escaped):
        assert [(m[0], m[2]) for m in found(text)] == [
            (1, "http://bad.example.net/Payload.php"),
            (3, "d41d8cd98f00b204e9800998ecf8427f"),
            (3, "203.0.113.0/24"),
        ]


# --- streams -----------------------------------------------------------------------------------


def test_gzip_is_detected_by_its_magic_bytes(tmp_path: Path) -> None:
    text = "a\nb 185.220.101.7\nc www.evil.com\n" * 1000
    path = tmp_path / "logs.txt"  # no .gz in the name
    path.write_bytes(gzip.compress(text.encode()))
    stats = HuntStats()
    matches = list(hunter().hunt(path, stats=stats))
    assert stats.lines == 3000
    assert len(matches) == 2000
    assert (matches[-1].line, matches[-1].value) == (3000, "www.evil.com")
    # a file object too, and the plain text gives the same
    assert list(hunter().hunt(io.BytesIO(path.read_bytes()))) == matches
    assert list(hunter().hunt(text.encode())) == matches


def test_blocks_keep_line_numbers_across_block_boundaries() -> None:
    lines = [f"line {n} 185.220.101.7" if n % 997 == 0 else f"line {n}" for n in range(1, 20001)]
    data = ("\n".join(lines)).encode()  # no newline at the end
    matches = list(hunter().hunt(io.BytesIO(data)))
    assert [m.line for m in matches] == [n for n in range(1, 20001) if n % 997 == 0]
    blocks = list(ex.blocks(io.BytesIO(data), size=4096))
    assert len(blocks) > 20
    assert all(block.endswith("\n") for block in blocks[:-1])
    assert "".join(blocks) == data.decode()


def test_over_long_lines_are_cut_at_a_space() -> None:
    line = ("filler " * 50 + "185.220.101.7 ") * 10
    blocks = list(
        ex.blocks(io.BytesIO(line.encode() + b"\nnext www.evil.com\n"), size=64, max_line=512)
    )
    assert max(len(block) for block in blocks) <= 512 + 64
    stats = HuntStats()
    matches = list(
        Hunter(IndicatorSet.build(INDICATORS)).hunt(
            line.encode() + b"\nnext www.evil.com\n", stats=stats
        )
    )
    assert [m.line for m in matches] == [1, 2]  # one report per line and value
    assert stats.lines == 2


def test_counters_and_progress() -> None:
    text = "".join(f"{n} 185.220.101.7 www.evil.com 10.0.0.1\n" for n in range(250_000))
    seen: list[int] = []
    stats = HuntStats()
    matches = list(
        hunter().hunt(text.encode(), stats=stats, progress=lambda s: seen.append(s.lines))
    )
    assert stats.lines == 250_000
    assert stats.values == 750_000
    assert stats.matches == len(matches) == 500_000
    assert stats.suppressed == 0
    assert seen[-1] == 250_000
    assert len(seen) >= 3  # at every 100,000 lines (at block boundaries) and at the end
    assert seen == sorted(seen)


# --- warninglists ------------------------------------------------------------------------------


def test_shipped_warninglists_load_as_they_are() -> None:
    lists = Warninglists.shipped()
    names = {w.name for w in lists.lists}
    assert "List of RFC 1918 CIDR blocks" in names
    assert "List of known hashes for empty files" in names
    assert all(w.unusable == 0 for w in lists.lists)
    assert lists.match("10.1.2.3", "ipv4") == "List of RFC 1918 CIDR blocks"
    assert lists.match("8.8.8.8", "ipv4") == "List of known IPv4 public DNS resolvers"
    assert lists.match("d41d8cd98f00b204e9800998ecf8427e", "md5")
    assert lists.match("bit.ly", "domain") and lists.match("x.bit.ly", "domain")
    assert lists.match("https://bit.ly/abc", "url")
    assert lists.match("abuse@example.org", "email") == "Common contact e-mail addresses"
    assert lists.match("com", "domain") == "TLDs as known by IANA"
    assert lists.match("185.220.101.7", "ipv4") is None
    assert lists.match("10.1.2.3", "md5") is None  # the list's matching attributes


def test_warninglisted_values_are_suppressed_and_counted() -> None:
    indicators = IndicatorSet.build(
        [
            ("10.0.0.0/8", "cidr", "indicator--private"),
            ("8.8.8.8", "ipv4", "indicator--dns"),
            ("d41d8cd98f00b204e9800998ecf8427e", "md5", "indicator--empty"),
            ("bit.ly", "domain", "indicator--short"),
            ("185.220.101.7", "ipv4", "indicator--ip"),
        ]
    )
    text = b"10.9.8.7 8.8.8.8 d41d8cd98f00b204e9800998ecf8427e x.bit.ly 185.220.101.7\n"
    stats = HuntStats()
    matches = list(Hunter(indicators, Warninglists.shipped()).hunt(text, stats=stats))
    assert [m.stix_id for m in matches] == ["indicator--ip"]
    assert (stats.matches, stats.suppressed) == (1, 4)
    # without warninglists, all five
    assert len(list(Hunter(indicators).hunt(text))) == 5


def test_warninglist_types() -> None:
    substring = Warninglist.from_json(
        {"name": "s", "type": "substring", "list": ["google"], "matching_attributes": []}
    )
    assert substring.contains("mail.google.com", "domain")
    regex = Warninglist.from_json(
        {
            "name": "r",
            "type": "regex",
            "list": ["/^www\\./i", "/(?<bad/"],
            "matching_attributes": ["hostname"],
        }
    )
    assert regex.contains("WWW.example.org", "domain")
    assert not regex.contains("www.example.org", "md5")
    assert regex.unusable == 1
    with pytest.raises(WarninglistError):
        Warninglist.from_json({"name": "x", "type": "unknown", "list": []})
    with pytest.raises(WarninglistError):
        Warninglist.from_json({"name": "x", "type": "string"})


# --- indicators from STIX ----------------------------------------------------------------------


def test_pattern_shapes() -> None:
    assert pattern_values("[ipv4-addr:value = '185.220.101.7']") == [("185.220.101.7", "ipv4")]
    assert pattern_values("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") == [("10.0.0.0/8", "ipv4")]
    assert pattern_values("[file:hashes.'SHA-256' = '" + "a" * 64 + "']") == [("a" * 64, "sha256")]
    assert pattern_values("[file:hashes.MD5 = 'x' OR file:hashes.'SHA-1' = 'y']") == [
        ("x", "md5"),
        ("y", "sha1"),
    ]
    assert pattern_values("[domain-name:value = 'a.com'] OR [url:value = 'http://b.com/']") == [
        ("a.com", "domain"),
        ("http://b.com/", "url"),
    ]
    assert pattern_values("[email-addr:value = 'it''s']") is None  # not a STIX string
    for skipped in (
        "[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']",
        "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.com']",
        "[ipv4-addr:value = '1.2.3.4'] WITHIN 10 SECONDS",
        "[ipv4-addr:value != '1.2.3.4']",
        "[domain-name:value LIKE '%.evil.com']",
        "[domain-name:value ISSUBSET 'evil.com']",
        "[process:name = 'evil.exe']",
    ):
        assert pattern_values(skipped) is None, skipped
    # a keyword inside a string is no keyword
    assert pattern_values("[domain-name:value = 'AND.com']") == [("AND.com", "domain")]


def test_indicators_from_stix_objects() -> None:
    objects: list[dict[str, Any]] = [
        {"type": "indicator", "id": "indicator--1", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '185.220.101.7' OR domain-name:value = 'evil.com']"},
        {"type": "indicator", "id": "indicator--2", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']"},
        {"type": "indicator", "id": "indicator--3", "pattern_type": "sigma", "pattern": "x"},
        {"type": "indicator", "id": "indicator--4", "revoked": True,
         "pattern": "[ipv4-addr:value = '1.2.3.4']"},
        {"type": "ipv4-addr", "id": "ipv4-addr--5", "value": "203.0.113.0/24"},
        {"type": "domain-name", "id": "domain-name--6", "value": "bad.org"},
        {"type": "file", "id": "file--7", "hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427f",
                                                     "SSDEEP": "3::"}},
        {"type": "malware", "id": "malware--8", "name": "x", "is_family": False},
    ]  # fmt: skip
    result = indicators_from_stix(objects)
    assert [(e.value, e.kind, e.stix_id) for e in result.entries] == [
        ("185.220.101.7", "ipv4", "indicator--1"),
        ("evil.com", "domain", "indicator--1"),
        ("203.0.113.0/24", "ipv4", "ipv4-addr--5"),
        ("bad.org", "domain", "domain-name--6"),
        ("d41d8cd98f00b204e9800998ecf8427f", "md5", "file--7"),
    ]
    assert result.skipped == 3
    assert result.skipped_ids == ["indicator--2", "indicator--3", "indicator--4"]
    indicators = IndicatorSet.build(result.entries)
    assert indicators.size == 5
    assert [m.stix_id for m in Hunter(indicators).hunt(b"203.0.113.9 www.bad.org")] == [
        "ipv4-addr--5",
        "domain-name--6",
    ]


def test_oasis_examples() -> None:
    """The OASIS examples' indicators give values the hunt then finds."""
    objects: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        objects += data.get("objects", [data]) if isinstance(data, dict) else data
    result = indicators_from_stix(objects)
    assert result.entries
    indicators = IndicatorSet.build(result.entries)
    assert indicators.size == len(result.entries) - indicators.refused
    sample = "\n".join(entry.value for entry in result.entries if entry.kind != "cidr")
    matched = {m.stix_id for m in Hunter(indicators).hunt(sample.encode())}
    assert matched == {e.stix_id for e in result.entries if e.kind != "cidr"} - {
        e.stix_id for e in result.entries if IndicatorSet().add(e.value, e.kind, "") is False
    }


# --- properties ----------------------------------------------------------------------------------

_octet = st.integers(0, 255)


@settings(max_examples=200, deadline=None)
@given(a=_octet, b=_octet, c=_octet, d=_octet, extra=st.integers(0, 9))
def test_an_address_matches_only_itself(a: int, b: int, c: int, d: int, extra: int) -> None:
    address = f"{a}.{b}.{c}.{d}"
    indicators = IndicatorSet.build([(address, "ipv4", "indicator--x")])
    hit = Hunter(indicators)
    assert [m.value for m in hit.hunt(f"x={address};".encode())] == [address]
    assert list(hit.hunt(f"x={address}{extra} 1{address} {address}.{extra}".encode())) == []


@settings(max_examples=100, deadline=None)
@given(
    labels=st.lists(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), min_size=1, max_size=3),
    prefix=st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True),
)
def test_subdomains_match_and_look_alikes_do_not(labels: list[str], prefix: str) -> None:
    domain = ".".join([*labels, "com"])
    indicators = IndicatorSet.build([(domain, "domain", "indicator--d")])
    hit = Hunter(indicators)
    assert [m.match for m in hit.hunt(f"{domain} {prefix}.{domain}".encode())] == [
        "exact",
        "subdomain",
    ]
    assert list(hit.hunt(f"{prefix}{domain} {prefix}-{domain} {domain}.{prefix}x".encode())) == []


def test_match_is_a_plain_record() -> None:
    match = next(hunter().hunt(b"185.220.101.7"))
    assert match == Match(
        1, "185.220.101.7", "ipv4", "185.220.101.7", "ipv4", "exact", "indicator--ip"
    )
