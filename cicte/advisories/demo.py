"""The demo's advisories (called by ``cicte.core.demo.seed``): colCERT publishes one advisory
per TLP label in CSIRTAmericas, each drafted by its analyst and approved by its administrator
(four eyes), and CERT-MX's analyst subscribes with email and a webhook. A second run writes
nothing."""

from __future__ import annotations

from collections.abc import Callable

from cicte.accounts.models import Network, User
from cicte.advisories import services
from cicte.advisories.models import Advisory, EmailMode, Subscription
from cicte.core import webhooks
from cicte.core.choices import TLP
from cicte.intel import services as intel_services
from cicte.intel.models import Collection

NETWORK = "csirtamericas"
ALIAS = "advisories"
# (TLP, severity, title, summary, affected)
ADVISORIES = [
    (
        TLP.CLEAR,
        "high",
        "Phishing campaign impersonating tax authorities (demo)",
        "Emails that imitate tax authorities deliver AndesRAT. Block the domain "
        "factura-sat.example.com and warn staff.",
        [],
    ),
    (
        TLP.GREEN,
        "critical",
        "Acme Gateway: unauthenticated remote code execution (demo)",
        "A crafted request runs code on Acme Gateway before 4.2. Exploitation has been seen.",
        [{"cve": "CVE-2026-10001", "vendor": "Acme", "product": "Gateway", "versions": "< 4.2"}],
    ),
    (
        TLP.AMBER,
        "medium",
        "Scanning of government VPN portals (demo)",
        "Addresses in 203.0.113.0/24 scan VPN portals of ministries in the region.",
        [],
    ),
    (
        TLP.RED,
        "critical",
        "Compromise under investigation (demo)",
        "Details for the named responders only.",
        [],
    ),
]


def seed(*, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    network = Network.objects.get(slug=NETWORK)
    collection = Collection.objects.filter(network=network, alias=ALIAS).first()
    if collection is None:
        admin = User.objects.get(username="sec.admin")
        collection = intel_services.create_collection(
            actor=admin,
            title="CSIRTAmericas advisories (demo)",
            alias=ALIAS,
            network=network,
            read_roles=["member", "org_admin", "national_coordinator", "observer"],
            write_roles=["member", "org_admin"],
            default_tlp=TLP.GREEN,
            description="The STIX reports of the network's advisories (demo data).",
        )
        note(f"collection {NETWORK}/{ALIAS}", True)
    author = User.objects.select_related("organization").get(username="colcert.analyst")
    reviewer = User.objects.select_related("organization").get(username="colcert.admin")
    for label, severity, title, summary, affected in ADVISORIES:
        if Advisory.objects.filter(title=title).exists():
            continue
        advisory = services.create_draft(
            actor=author,
            network=network,
            collection=collection,
            title=title,
            summary=summary,
            recommendations="Apply the vendor's update; report sightings to your national CSIRT.",
            severity=severity,
            tlp=label,
            affected=affected,
        )
        if label == TLP.GREEN:
            services.translate(
                actor=author,
                advisory=advisory,
                language="es",
                title="Acme Gateway: ejecución remota de código sin autenticación (demo)",
                summary="Una solicitud manipulada ejecuta código en Acme Gateway anterior a 4.2.",
            )
        services.submit(
            actor=author, advisory=advisory, reviewer=reviewer if label == TLP.RED else None
        )
        services.approve(actor=reviewer, advisory=advisory)
        note(f"advisory {advisory.reference} ({label})", True)
    subscriber = User.objects.get(username="certmx.analyst")
    if not Subscription.objects.filter(user=subscriber).exists():
        endpoint, _secret = webhooks.create_endpoint(
            actor=subscriber,
            url="https://hooks.example.org/cicte-demo",
            events=["advisory.published", "advisory.updated", "advisory.withdrawn"],
            description="Case-management system (demo; the address does not answer)",
        )
        services.create_subscription(
            actor=subscriber,
            networks=[network],
            severities=["high", "critical"],
            products=[],
            email=EmailMode.IMMEDIATE,
            webhook=endpoint,
        )
        note("advisory subscription with a webhook", True)
    log("4 advisories (one per TLP label) and a subscription with a webhook")
