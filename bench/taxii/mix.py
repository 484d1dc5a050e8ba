"""A seeded, realistic mix of STIX 2.1 objects, as a national CSIRT's feed carries them:
indicators with STIX patterns of several shapes, the observables they name, relationships and
sightings between them, attack patterns, malware, reports that list what they cover, identities,
and custom objects and properties. No Django here: the ingest benchmark and the TAXII benchmark
both load it, and the validator's tests can use it as a corpus.

The make-up (:data:`MIX`) is stated in docs/benchmarks.md by the benchmark.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from typing import Any

from cicte.core import tlp

# Objects of each kind per 100 (the benchmark states this make-up).
MIX: dict[str, int] = {
    "indicator": 24,
    "relationship": 24,
    "ipv4-addr": 8,
    "domain-name": 6,
    "file": 4,
    "url": 2,
    "attack-pattern": 5,
    "malware": 5,
    "sighting": 3,
    "report": 3,
    "identity": 2,
    "vulnerability": 3,
    "threat-actor": 2,
    "campaign": 2,
    "x-cicte-case-note": 5,
    "observed-data": 2,
}
assert sum(MIX.values()) == 100

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")  # STIX 2.1's, for UUIDv5 ids
LABELS = [tlp.GREEN, tlp.GREEN, tlp.GREEN, tlp.AMBER, tlp.AMBER, tlp.AMBER_STRICT, tlp.CLEAR]
TLDS = ["com", "net", "org", "info", "co", "mx", "br", "ar", "cl", "pe"]
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
]
MALWARE_TYPES = ["backdoor", "trojan", "ransomware", "remote-access-trojan", "dropper", "worm"]
INDICATOR_TYPES = ["malicious-activity", "anomalous-activity", "compromised", "attribution"]
TACTICS = ["initial-access", "execution", "persistence", "command-and-control", "exfiltration"]
RELATIONSHIPS = ["indicates", "uses", "targets", "attributed-to", "related-to", "variant-of"]


class Generator:
    """``objects(n)`` yields n objects of the mix, the same ones for the same seed."""

    def __init__(self, seed: int = 2026) -> None:
        self.random = random.Random(seed)
        self.start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.identities = [self._new_id("identity") for _ in range(40)]
        self.recent: list[str] = []  # ids of SDOs and SCOs already made: what SROs point to
        self.sdos: list[str] = []  # of SDOs only: what sightings are of
        kinds = [kind for kind, count in MIX.items() for _ in range(count)]
        self.kinds = kinds

    # --- helpers ---------------------------------------------------------------------------

    def _uuid4(self) -> str:
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def _new_id(self, kind: str) -> str:
        return f"{kind}--{self._uuid4()}"

    def _time(self, precision: str = "milliseconds") -> tuple[str, str]:
        created = self.start + dt.timedelta(seconds=self.random.randrange(0, 300 * 86400))
        created = created.replace(microsecond=self.random.randrange(0, 1_000_000))
        modified = created + dt.timedelta(seconds=self.random.choice([0, 0, 60, 86400 * 3]))
        return (_stamp(created, precision), _stamp(modified, precision))

    def _word(self) -> str:
        return self.random.choice(WORDS)

    def _ip(self) -> str:
        r = self.random
        return f"{r.choice([198, 203, 185, 45, 91])}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def _domain(self) -> str:
        return f"{self._word()}-{self.random.randrange(100000)}.{self.random.choice(TLDS)}"

    def _sha256(self) -> str:
        return f"{self.random.getrandbits(256):064x}"

    def _common(self, kind: str) -> dict[str, Any]:
        created, modified = self._time(self.random.choice(["milliseconds", "seconds", "micro"]))
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": self._new_id(kind),
            "created": created,
            "modified": modified,
            "created_by_ref": self.random.choice(self.identities),
        }
        if self.random.random() < 0.9:
            obj["object_marking_refs"] = [tlp.TLP2_MARKING_IDS[self.random.choice(LABELS)]]
        if self.random.random() < 0.3:
            obj["confidence"] = self.random.randrange(0, 101)
        if self.random.random() < 0.15:
            obj["x_cicte_source"] = {"state": self.random.choice(["CO", "MX", "BR", "CL"])}
        return obj

    def _remember(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.recent.append(obj["id"])
        if len(self.recent) > 500:
            del self.recent[:100]
        if "created" in obj:
            self.sdos.append(obj["id"])
            if len(self.sdos) > 300:
                del self.sdos[:100]
        return obj

    def _ref(self) -> str:
        return self.random.choice(self.recent) if self.recent else self.identities[0]

    # --- kinds -----------------------------------------------------------------------------

    def _pattern(self) -> str:
        r = self.random.random()
        if r < 0.35:
            return f"[ipv4-addr:value = '{self._ip()}']"
        if r < 0.6:
            return f"[domain-name:value = '{self._domain()}']"
        if r < 0.75:
            return f"[file:hashes.'SHA-256' = '{self._sha256()}']"
        if r < 0.85:
            return f"[url:value = 'https://{self._domain()}/{self._word()}.php']"
        if r < 0.95:
            return (
                f"[file:hashes.'SHA-256' = '{self._sha256()}' OR file:name = "
                f"'{self._word()}.exe'] AND [network-traffic:dst_ref.type = 'ipv4-addr' AND "
                f"network-traffic:dst_ref.value = '{self._ip()}']"
            )
        return (
            f"[ipv4-addr:value ISSUBSET '{self._ip().rsplit('.', 1)[0]}.0/24'] "
            "REPEATS 5 TIMES WITHIN 300 SECONDS"
        )

    def indicator(self) -> dict[str, Any]:
        obj = self._common("indicator")
        obj.update(
            name=f"{self._word()} C2",
            indicator_types=[self.random.choice(INDICATOR_TYPES)],
            pattern=self._pattern(),
            pattern_type="stix",
            valid_from=obj["created"],
        )
        if self.random.random() < 0.4:
            obj["kill_chain_phases"] = [
                {"kill_chain_name": "mitre-attack", "phase_name": self.random.choice(TACTICS)}
            ]
        if self.random.random() < 0.3:
            obj["valid_until"] = _stamp(self.start + dt.timedelta(days=400), "seconds")
        return self._remember(obj)

    def relationship(self) -> dict[str, Any]:
        obj = self._common("relationship")
        obj.update(
            relationship_type=self.random.choice(RELATIONSHIPS),
            source_ref=self._ref(),
            target_ref=self._ref(),
        )
        return obj

    def sighting(self) -> dict[str, Any]:
        obj = self._common("sighting")
        obj.update(
            sighting_of_ref=self.random.choice(self.sdos) if self.sdos else self.identities[0],
            count=self.random.randrange(1, 50),
            first_seen=obj["created"],
            last_seen=obj["modified"],
            where_sighted_refs=[self.random.choice(self.identities)],
        )
        return obj

    def _sco(self, kind: str, value: dict[str, Any]) -> dict[str, Any]:
        key = value.get("value") or str(sorted(value.get("hashes", {}).items()))
        obj = {
            "type": kind,
            "spec_version": "2.1",
            "id": f"{kind}--{uuid.uuid5(SCO_NAMESPACE, key)}",
            **value,
        }
        if self.random.random() < 0.5:
            obj["object_marking_refs"] = [tlp.TLP2_MARKING_IDS[self.random.choice(LABELS)]]
        return self._remember(obj)

    def ipv4_addr(self) -> dict[str, Any]:
        return self._sco("ipv4-addr", {"value": self._ip()})

    def domain_name(self) -> dict[str, Any]:
        return self._sco("domain-name", {"value": self._domain()})

    def url(self) -> dict[str, Any]:
        return self._sco("url", {"value": f"https://{self._domain()}/{self._word()}"})

    def file(self) -> dict[str, Any]:
        hashes = {"SHA-256": self._sha256(), "MD5": f"{self.random.getrandbits(128):032x}"}
        value: dict[str, Any] = {"hashes": hashes, "name": f"{self._word()}.exe"}
        if self.random.random() < 0.5:
            value["size"] = self.random.randrange(1000, 10_000_000)
        return self._sco("file", value)

    def attack_pattern(self) -> dict[str, Any]:
        obj = self._common("attack-pattern")
        number = self.random.randrange(1000, 1700)
        obj.update(
            name=f"Technique {number}",
            external_references=[
                {
                    "source_name": "mitre-attack",
                    "external_id": f"T{number}",
                    "url": f"https://attack.mitre.org/techniques/T{number}/",
                }
            ],
            kill_chain_phases=[
                {"kill_chain_name": "mitre-attack", "phase_name": self.random.choice(TACTICS)}
            ],
        )
        return self._remember(obj)

    def malware(self) -> dict[str, Any]:
        obj = self._common("malware")
        obj.update(
            name=f"{self._word().title()}Rat",
            malware_types=[self.random.choice(MALWARE_TYPES)],
            is_family=self.random.random() < 0.7,
            description="Seen in phishing campaigns against ministries.",
        )
        return self._remember(obj)

    def report(self) -> dict[str, Any]:
        obj = self._common("report")
        refs = list({self._ref() for _ in range(self.random.randrange(5, 30))})
        obj.update(
            name=f"Weekly bulletin {self.random.randrange(1, 53)}",
            report_types=["threat-report"],
            published=obj["modified"],
            object_refs=refs,
            description="Activity observed by the national CSIRTs this week.",
        )
        return obj

    def identity(self) -> dict[str, Any]:
        obj = self._common("identity")
        obj.update(
            name=f"CSIRT {self._word().title()}",
            identity_class="organization",
            sectors=["government"],
        )
        obj.pop("created_by_ref")
        return self._remember(obj)

    def vulnerability(self) -> dict[str, Any]:
        obj = self._common("vulnerability")
        year, number = self.random.randrange(2018, 2027), self.random.randrange(1000, 60000)
        obj.update(
            name=f"CVE-{year}-{number}",
            external_references=[{"source_name": "cve", "external_id": f"CVE-{year}-{number}"}],
        )
        return self._remember(obj)

    def threat_actor(self) -> dict[str, Any]:
        obj = self._common("threat-actor")
        obj.update(
            name=f"{self._word().title()} Spider",
            threat_actor_types=["crime-syndicate"],
            aliases=[self._word()],
        )
        return self._remember(obj)

    def campaign(self) -> dict[str, Any]:
        obj = self._common("campaign")
        obj.update(name=f"Operation {self._word().title()}", first_seen=obj["created"])
        return self._remember(obj)

    def observed_data(self) -> dict[str, Any]:
        obj = self._common("observed-data")
        obj.update(
            first_observed=obj["created"],
            last_observed=obj["modified"],
            number_observed=self.random.randrange(1, 100),
            object_refs=[self.ipv4_addr()["id"]],
        )
        return obj

    def case_note(self) -> dict[str, Any]:
        obj = self._common("x-cicte-case-note")
        obj.update(
            x_case_number=f"CICTE-{self.random.randrange(10000)}",
            x_about_refs=[self._ref()],
            x_text="Shared at the regional exercise.",
        )
        return obj

    def one(self) -> dict[str, Any]:
        kind = self.random.choice(self.kinds)
        make = {"x-cicte-case-note": self.case_note}.get(kind) or getattr(
            self, kind.replace("-", "_")
        )
        return make()

    def objects(self, count: int) -> Iterator[dict[str, Any]]:
        for _ in range(count):
            yield self.one()


def _stamp(when: dt.datetime, precision: str) -> str:
    spec = {"seconds": "seconds", "milliseconds": "milliseconds", "micro": "microseconds"}
    return when.isoformat(timespec=spec[precision]).replace("+00:00", "Z")


def objects(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """``count`` objects of the mix (seeded)."""
    return list(Generator(seed).objects(count))
