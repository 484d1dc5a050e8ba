"""The demo's retro-hunt (called by ``cicte.core.demo.seed``): CERT-MX shares a few TLP:AMBER
indicators with colCERT in a sharing group (an IPv6 address, an IPv6 block, a public resolver
that the warninglists suppress), colCERT's analyst keeps a TLP:RED one of their own there, and
the analyst runs a retro-hunt on a day of their collector's logs
(``demo_data/soc-collector-2026-11-23.log``, see its README), on the spot rather than on the
worker, so that the demo shows a complete job with matches. A second run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files import File

from cicte.accounts.models import Organization, User
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.hunts import runner, services
from cicte.hunts.choices import HuntSource
from cicte.hunts.models import HuntJob, hunt_storage
from cicte.intel import services as intel_services
from cicte.intel.models import Collection, StixObject

LOG = Path(__file__).resolve().parent / "demo_data" / "soc-collector-2026-11-23.log"
HUNTER = "colcert.analyst"
ALIAS = "colcert-certmx"
GROUP = ("colcert-co", "cert-mx")
READ_ROLES = ("member", "org_admin", "national_coordinator", "observer")
WRITE_ROLES = ("member", "org_admin")
CERTMX_IDENTITY = "identity--9a4e2d17-3b6c-4f58-8e21-7c5d0b3a9f22"  # cicte/taxii/demo.py
COLCERT_IDENTITY = "identity--1c7f3a52-8f0e-4b7d-a1d6-4e2b9c0f5a11"


def _indicator(
    uuid: str, created: str, name: str, pattern: str, label: str, by: str, **fields: Any
) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid}",
        "created": created,
        "modified": created,
        "name": name,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": created.replace(".000Z", "Z"),
        "indicator_types": ["malicious-activity"],
        "created_by_ref": by,
        "object_marking_refs": [TLP2_MARKING_IDS[TLP(label)]],
        **fields,
    }


def _objects() -> dict[str, list[dict[str, Any]]]:
    """What each analyst shares in the sharing group (fictitious; documentation ranges)."""
    return {
        "certmx.analyst": [
            _indicator(
                "3b9e6c21-4f7a-4d58-9e0b-2c6a8f1d4e71",
                "2026-11-18T13:20:00.000Z",
                "AndesRAT command and control server (IPv6)",
                "[ipv6-addr:value = '3fff:a1:ce55::23']",
                TLP.AMBER,
                CERTMX_IDENTITY,
            ),
            _indicator(
                "8d4f2a63-1c7e-4b90-a5d2-6e3b9c0f7a82",
                "2026-11-18T13:25:00.000Z",
                "AndesRAT staging network (IPv6)",
                "[ipv6-addr:value ISSUBSET '3fff:0:bad::/48']",
                TLP.AMBER,
                CERTMX_IDENTITY,
            ),
            _indicator(
                "c6a1e8f4-7b2d-4e35-8f9a-0d4c2b6e1a93",
                "2026-11-19T09:05:00.000Z",
                "Resolver hard-coded in the AndesRAT dropper",
                "[ipv4-addr:value = '8.8.8.8']",
                TLP.AMBER,
                CERTMX_IDENTITY,
                description="A public DNS resolver: its matches are suppressed by the "
                "warninglists.",
            ),
        ],
        "colcert.analyst": [
            _indicator(
                "f2d7b4a9-5e1c-4a68-b3f0-7c9e2d5a1b04",
                "2026-11-22T17:40:00.000Z",
                "AndesRAT dropper under investigation",
                "[file:hashes.'SHA-1' = 'c4f1e0a9d2b37e5a18c6f09b3d2e7a4c5b1f8e06']",
                TLP.RED,
                COLCERT_IDENTITY,
            ),
        ],
    }


def _sharing_group(admin: User, note: Callable[[str, bool], None]) -> Collection:
    collection = Collection.objects.filter(network__isnull=True, alias=ALIAS).first()
    if collection is None:
        collection = intel_services.create_collection(
            actor=admin,
            title="colCERT and CERT-MX (demo sharing group)",
            alias=ALIAS,
            organizations=Organization.objects.filter(slug__in=GROUP),
            read_roles=READ_ROLES,
            write_roles=WRITE_ROLES,
            default_tlp=TLP.AMBER,
            description="Indicators that colCERT and CERT-MX share with each other only "
            "(demo data).",
        )
        note(f"sharing group {ALIAS}", True)
    return collection


def seed(*, admin: User, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    collection = _sharing_group(admin, note)
    for username, objects in _objects().items():
        actor = User.objects.select_related("organization").get(username=username)
        stored = set(
            StixObject.objects.filter(
                collection=collection, stix_id__in=[o["id"] for o in objects]
            ).values_list("stix_id", flat=True)
        )
        missing = [o for o in objects if o["id"] not in stored]
        if missing:
            intel_services.store_objects(actor=actor, collection=collection, objects=missing)
            note(f"retro-hunt indicators of {username}", True)
    hunter = User.objects.select_related("organization").get(username=HUNTER)
    if not HuntJob.objects.visible_to(hunter).filter(name=LOG.name).exists():
        with LOG.open("rb") as handle:
            job = services.create_job(
                actor=hunter,
                upload=File(handle, name=LOG.name),
                name=LOG.name,
                source=HuntSource.UPLOAD,
            )
        # On the spot, so that the demo is complete without a worker; the task enqueued after
        # the commit finds the job complete and does nothing.
        runner.run_job(job.pk)
        # The log is in the repository: the job keeps no copy of it.
        job.refresh_from_db()
        name = job.upload.name
        services.remove_upload(actor=hunter, job=job)
        hunt_storage().delete(name)
        note(f"a retro-hunt job of {HUNTER}", True)
    log("a retro-hunt job with matches (colCERT's collector logs) and a sharing group")
