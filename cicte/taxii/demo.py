"""The demo's TAXII API root for CSIRTAmericas (called by ``cicte.core.demo.seed``): a collection
that the national CSIRTs' analysts of the demo, colCERT (Colombia) and CERT-MX (Mexico), may both
read and write, with a few TLP:GREEN objects each posted, written through the intel services.
Their demo password works over HTTP Basic at /taxii2/ (they have no second factor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cicte.accounts.models import Network, User
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.intel import services
from cicte.intel.models import Collection, StixObject

NETWORK = "csirtamericas"
ALIAS = "indicators"
READ_ROLES = ("member", "org_admin", "national_coordinator", "observer")
WRITE_ROLES = ("member", "org_admin")
GREEN = [TLP2_MARKING_IDS[TLP.GREEN]]
MALWARE = "malware--6f3b8c1e-2a4d-4e8b-9c1a-3d2f1e0b7a61"


def _sdo(kind: str, uuid: str, created: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid}",
        "created": created,
        "modified": created,
        **fields,
        "object_marking_refs": GREEN,
    }


def _objects() -> dict[str, list[dict[str, Any]]]:
    """What each demo analyst posts (fictitious; documentation address ranges and domains)."""
    colcert = _sdo(
        "identity",
        "1c7f3a52-8f0e-4b7d-a1d6-4e2b9c0f5a11",
        "2026-10-01T14:00:00.000Z",
        name="colCERT (demo)",
        identity_class="organization",
        sectors=["government"],
    )
    certmx = _sdo(
        "identity",
        "9a4e2d17-3b6c-4f58-8e21-7c5d0b3a9f22",
        "2026-10-01T15:00:00.000Z",
        name="CERT-MX (demo)",
        identity_class="organization",
        sectors=["government"],
    )
    malware = _sdo(
        "malware",
        MALWARE.split("--")[1],
        "2026-10-02T09:30:00.000Z",
        name="AndesRAT (demo)",
        is_family=True,
        malware_types=["remote-access-trojan"],
        created_by_ref=colcert["id"],
    )
    c2 = _sdo(
        "indicator",
        "4d2b8e61-0c3f-4a97-b5e2-8f1a6c3d9e33",
        "2026-10-02T10:00:00.000Z",
        name="AndesRAT command and control server",
        pattern="[ipv4-addr:value = '198.51.100.23']",
        pattern_type="stix",
        valid_from="2026-10-02T10:00:00Z",
        indicator_types=["malicious-activity"],
        created_by_ref=colcert["id"],
    )
    phishing = _sdo(
        "indicator",
        "7e5c1a94-6d2b-4c08-93f7-2b8e4a1d6c44",
        "2026-10-03T16:45:00.000Z",
        name="AndesRAT phishing domain",
        pattern="[domain-name:value = 'factura-sat.example.com']",
        pattern_type="stix",
        valid_from="2026-10-03T16:45:00Z",
        indicator_types=["malicious-activity"],
        created_by_ref=certmx["id"],
    )

    def indicates(uuid: str, source: dict[str, Any], by: dict[str, Any]) -> dict[str, Any]:
        return _sdo(
            "relationship",
            uuid,
            source["created"],
            relationship_type="indicates",
            source_ref=source["id"],
            target_ref=MALWARE,
            created_by_ref=by["id"],
        )

    return {
        "colcert.analyst": [
            colcert,
            malware,
            c2,
            indicates("2f8a6d13-5b4e-4c71-a0d9-6e3c8b2f1a55", c2, colcert),
        ],
        "certmx.analyst": [
            certmx,
            phishing,
            indicates("8b1d4f26-9e7a-4d35-b6c2-1a5f3e8d0c66", phishing, certmx),
        ],
    }


def seed(
    *, admin: User, note: Callable[[str, bool], None], log: Callable[[str], None]
) -> Collection:
    """Write the demo's CSIRTAmericas collection and objects, or find them again: a second run
    writes nothing."""
    network = Network.objects.get(slug=NETWORK)
    collection = Collection.objects.filter(network=network, alias=ALIAS).first()
    if collection is None:
        collection = services.create_collection(
            actor=admin,
            title="CSIRTAmericas indicators (demo)",
            alias=ALIAS,
            network=network,
            read_roles=READ_ROLES,
            write_roles=WRITE_ROLES,
            default_tlp=TLP.AMBER,
            description="Indicators that the national CSIRTs of the Americas share (demo data).",
        )
        note(f"TAXII collection {NETWORK}/{ALIAS}", True)
    for username, objects in _objects().items():
        actor = User.objects.select_related("organization").get(username=username)
        stored = set(
            StixObject.objects.filter(
                collection=collection, stix_id__in=[o["id"] for o in objects]
            ).values_list("stix_id", flat=True)
        )
        missing = [o for o in objects if o["id"] not in stored]
        if missing:
            ingest = services.submit(actor=actor, collection=collection, objects=missing)
            # Stored now, so that the demo is complete without a worker; the job enqueued
            # after the commit finds the ingest complete and does nothing.
            services.process(ingest.pk)
            note(f"TAXII objects of {username}", True)
    _import_misp_event(admin, network, note)
    log("TAXII collections of CSIRTAmericas at /taxii2/csirtamericas/, one with a MISP event")
    return collection


def _import_misp_event(admin: User, network: Network, note: Callable[[str, bool], None]) -> None:
    """CERT-MX's analyst imports a MISP event (cicte/intel/demo_data/misp-event.json) into a
    collection of its own, once."""
    collection = Collection.objects.filter(network=network, alias="misp").first()
    if collection is None:
        collection = services.create_collection(
            actor=admin,
            title="CSIRTAmericas MISP imports (demo)",
            alias="misp",
            network=network,
            read_roles=READ_ROLES,
            write_roles=WRITE_ROLES,
            default_tlp=TLP.AMBER,
            description="Events imported from the CSIRTs' MISP instances (demo data).",
        )
        note(f"TAXII collection {NETWORK}/misp", True)
    import json
    from pathlib import Path

    from cicte.core.models import AuditEvent
    from cicte.intel import misp, misp_engine

    path = Path(__file__).resolve().parents[1] / "intel" / "demo_data" / "misp-event.json"
    if AuditEvent.objects.filter(action="intel.misp_import", object_id=str(collection.pk)).exists():
        return
    actor = User.objects.select_related("organization").get(username="certmx.analyst")
    events = misp_engine.events_of(json.loads(path.read_text(encoding="utf-8")))
    misp.import_events(
        actor=actor, collection=collection, events=events, source="demo: misp-event.json"
    )
    note("an imported MISP event", True)
