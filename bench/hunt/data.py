"""The retro-hunt benchmark's data set, seeded (the same files every run): STIX indicators of
mixed kinds and a log file of mixed formats in which about 0.5% of the lines carry an indicator
value (exactly, as an address inside a shared block, or as a subdomain), plus the exact values
as one file for ``grep -F -f``.

Indicator IPv4 addresses and blocks come from 45/8, 91/8 and 185/8, background addresses from
elsewhere, so background lines match nothing by chance; look-alikes (``185.1.2.34`` beside
indicator ``185.1.2.3``, ``notevil.com`` beside ``evil.com``) are planted in background lines,
where a substring search finds them and a token search must not.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES = _words(
    "ka ro mi na te lo su vi da pe zu ra no ki ma to ne li sa bo fu ga he ja ku ly mo ny "
    "pa qu ri se ta ul ve wo xi ya ze"
)
TLDS = _words("com net org io info biz xyz top ru cn br mx co ar cl pe online site")
BENIGN_DOMAINS = _words(
    "google.com microsoft.com windowsupdate.com office365.com amazonaws.com akamaihd.net "
    "cloudflare.com apple.com gov.br gob.mx oas.org facebook.com github.com"
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "curl/8.5.0",
    "Microsoft-CryptoAPI/10.0",
)
INDICATOR_V4 = (45, 91, 185)


@dataclass
class DataSet:
    indicators: int
    lines: int
    planted: int  # lines carrying an indicator value
    planted_by_kind: dict[str, int] = field(default_factory=dict)
    exact_values: int = 0
    log_bytes: int = 0
    log_gz_bytes: int = 0


def _word(rng: random.Random, low: int = 2, high: int = 4) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high)))


def _v4(rng: random.Random, first: int) -> str:
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _background_v4(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    first = rng.choice([f for f in range(1, 224) if f not in (10, 127, *INDICATOR_V4)])
    return _v4(rng, first)


def _hex(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def _v6(rng: random.Random, prefix: str) -> str:
    tail = ":".join(f"{rng.getrandbits(16):x}" for _ in range(5))
    return f"{prefix}:{rng.getrandbits(16):x}:{tail}"


def generate(
    directory: Path, *, indicators: int = 100_000, lines: int = 1_000_000, seed: int = 5
) -> DataSet:
    """Write indicators.json (STIX indicator objects), logs.txt, logs.txt.gz and
    exact-values.txt (the indicators' exact values, one a line) into ``directory``."""
    rng = random.Random(seed)
    share = {  # kind -> fraction of the indicators
        "ipv4": 0.30, "ipv6": 0.06, "cidr4": 0.02, "cidr6": 0.005, "domain": 0.30,
        "url": 0.12, "md5": 0.065, "sha1": 0.065, "sha256": 0.065,
    }  # fmt: skip
    values: dict[str, list[str]] = {kind: [] for kind in share}
    seen: set[str] = set()
    for kind, fraction in share.items():
        while len(values[kind]) < int(indicators * fraction):
            if kind == "ipv4":
                value = _v4(rng, rng.choice(INDICATOR_V4))
            elif kind == "ipv6":
                value = str(ipaddress.IPv6Address(_v6(rng, f"2a0b:{rng.getrandbits(16):x}")))
            elif kind == "cidr4":
                prefix = rng.randint(20, 28)
                base = _v4(rng, rng.choice(INDICATOR_V4))
                value = str(ipaddress.ip_network(f"{base}/{prefix}", strict=False))
            elif kind == "cidr6":
                prefix = rng.choice((48, 56, 64))
                base = _v6(rng, f"2a0c:{rng.getrandbits(16):x}")
                value = str(ipaddress.ip_network(f"{base}/{prefix}", strict=False))
            elif kind == "domain":
                value = f"{_word(rng)}-{_word(rng, 1, 2)}.{rng.choice(TLDS)}"
            elif kind == "url":
                host = f"{_word(rng)}{rng.randint(1, 99)}.{rng.choice(TLDS)}"
                value = f"http://{host}/{_word(rng)}/{_word(rng, 1, 3)}.php"
            else:
                value = _hex(rng, {"md5": 32, "sha1": 40, "sha256": 64}[kind])
            if value not in seen:
                seen.add(value)
                values[kind].append(value)
    total = 0
    with (directory / "indicators.json").open("w", encoding="utf-8") as out:
        objects = []
        for kind, items in values.items():
            for value in items:
                total += 1
                if kind in ("ipv4", "cidr4"):
                    op = "ISSUBSET" if kind == "cidr4" else "="
                    pattern = f"[ipv4-addr:value {op} '{value}']"
                elif kind in ("ipv6", "cidr6"):
                    op = "ISSUBSET" if kind == "cidr6" else "="
                    pattern = f"[ipv6-addr:value {op} '{value}']"
                elif kind == "domain":
                    pattern = f"[domain-name:value = '{value}']"
                elif kind == "url":
                    pattern = f"[url:value = '{value}']"
                else:
                    name = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}[kind]
                    pattern = f"[file:hashes.'{name}' = '{value}']"
                objects.append(
                    {
                        "type": "indicator",
                        "spec_version": "2.1",
                        "id": f"indicator--{rng.getrandbits(128):032x}",
                        "pattern": pattern,
                        "pattern_type": "stix",
                    }
                )
        json.dump(objects, out)
    exact = [v for kind in ("ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256")
             for v in values[kind]]  # fmt: skip
    (directory / "exact-values.txt").write_text("\n".join(exact) + "\n", encoding="utf-8")

    data = DataSet(indicators=total, lines=lines, planted=0)

    def planted(kind: str) -> str:
        data.planted += 1
        data.planted_by_kind[kind] = data.planted_by_kind.get(kind, 0) + 1
        if kind == "cidr4":
            network = ipaddress.ip_network(rng.choice(values["cidr4"]))
            return str(network[rng.randint(0, network.num_addresses - 1)])
        if kind == "cidr6":
            network = ipaddress.ip_network(rng.choice(values["cidr6"]))
            return str(network[rng.getrandbits(32)])
        if kind == "subdomain":
            return f"{_word(rng, 1, 2)}.{rng.choice(values['domain'])}"
        return rng.choice(values[kind])

    plant_kinds = ["ipv4", "ipv6", "cidr4", "cidr6", "domain", "subdomain", "url", "md5",
                   "sha1", "sha256"]  # fmt: skip
    weights = [20, 5, 8, 2, 10, 20, 10, 8, 7, 10]
    with (directory / "logs.txt").open("w", encoding="utf-8") as out:
        batch: list[str] = []
        for number in range(lines):
            plant = rng.random() < 0.005
            kind = rng.choices(plant_kinds, weights)[0] if plant else ""
            batch.append(_line(rng, number, kind, planted(kind) if plant else None, values))
            if len(batch) >= 10_000:
                out.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            out.write("\n".join(batch) + "\n")
    with (
        (directory / "logs.txt").open("rb") as source,
        gzip.open(directory / "logs.txt.gz", "wb", compresslevel=6) as target,
    ):
        shutil.copyfileobj(source, target, 1 << 20)
    data.exact_values = len(exact)
    data.log_bytes = (directory / "logs.txt").stat().st_size
    data.log_gz_bytes = (directory / "logs.txt.gz").stat().st_size
    return data


def _line(
    rng: random.Random, number: int, kind: str, value: str | None, values: dict[str, list[str]]
) -> str:
    """One log line; ``value`` (of ``kind``), when given, is put where its kind belongs."""
    second = number // 12
    stamp = f"2026-11-29T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
    client = _background_v4(rng)
    form = rng.random()
    if kind in ("md5", "sha1", "sha256") or (not kind and form < 0.15):
        hashes = {"md5": _hex(rng, 32), "sha1": _hex(rng, 40), "sha256": _hex(rng, 64)}
        if kind:
            hashes[kind] = value or ""
        return json.dumps(
            {
                "ts": stamp,
                "host": f"ws-{rng.randint(1, 5000):04d}",
                "event": "process_start",
                "path": f"C:\\Users\\{_word(rng)}\\AppData\\{_word(rng)}.exe",
                **hashes,
                "user": f"{_word(rng)}@corp.example.org",
            }
        )
    if kind in ("domain", "subdomain") or (not kind and form < 0.45):
        name = value if kind else f"{_word(rng, 1, 2)}.{rng.choice(BENIGN_DOMAINS)}"
        if not kind and rng.random() < 0.01:  # a look-alike of an indicator domain
            name = "not" + rng.choice(values["domain"])
        answer = _background_v4(rng)
        return f"{stamp} dns01 query[A] {name} from {client} reply {answer} ttl={rng.randint(30, 3600)}"
    if kind == "url" or (not kind and form < 0.75):
        if kind:
            url = value or ""
        else:
            url = (
                f"https://{_word(rng, 1, 2)}.{rng.choice(BENIGN_DOMAINS)}/{_word(rng)}"
                f"?id={rng.randint(1, 10**6)}"
            )
        agent = rng.choice(AGENTS)
        return (
            f'{stamp} proxy01 {client} "GET {url} HTTP/1.1" {rng.choice((200, 200, 304, 404))} '
            f'{rng.randint(200, 90000)} "{agent}"'
        )
    # Firewall, IPv4 or IPv6, as CSV.
    if kind in ("ipv6", "cidr6") or (not kind and form < 0.82):
        source = f"2001:db8:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
        destination = value if kind else f"2a02:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
    else:
        source = client
        destination = value if kind else _background_v4(rng)
        if not kind and rng.random() < 0.01:  # a look-alike: an indicator address, one digit more
            destination = rng.choice(values["ipv4"]) + str(rng.randint(0, 9))
    return (
        f"{stamp},fw01,{rng.choice(('ALLOW', 'DENY'))},{rng.choice(('TCP', 'UDP'))},{source},"
        f"{rng.randint(1024, 65535)},{destination},{rng.choice((53, 80, 443, 8080))}"
    )
