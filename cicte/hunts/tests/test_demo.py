"""The demo's retro-hunt: colCERT's analyst ran a job on the collector log kept in
demo_data/, with matches of every kind (exact, CIDR, subdomain; IPv6; GREEN, AMBER and RED
indicators) and suppressed known-benign values; the demo keeps no copy of the log."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.core.tests.test_seed_demo import _demo_password_file, seed_json  # noqa: F401
from cicte.hunts import demo
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob

pytestmark = pytest.mark.django_db


def test_the_demo_runs_a_retro_hunt_with_matches(settings: Any) -> None:
    seed_json()
    job = HuntJob.objects.get(created_by__username=demo.HUNTER, name=demo.LOG.name)
    assert job.status == HuntStatus.COMPLETE, job.error
    assert job.lines == 200
    rows = set(job.match_rows.values_list("value", "kind", "match_kind", "tlp"))
    assert ("3fff:a1:ce55::23", "ipv6", "exact", "amber") in rows
    assert ("3fff:0:bad:17::4", "ipv6", "cidr", "amber") in rows
    assert ("factura-sat.example.com", "domain", "exact", "green") in rows
    assert (
        "http://cdn.factura-sat.example.com/f/factura-2026-11.zip",
        "url",
        "subdomain",
        "green",
    ) in rows
    assert ("c4f1e0a9d2b37e5a18c6f09b3d2e7a4c5b1f8e06", "sha1", "exact", "red") in rows
    # 198.51.100.23 and 203.0.113.45 (documentation ranges) and 8.8.8.8 (a public resolver).
    assert job.suppressed == 6
    assert not job.match_rows.filter(value__in=["198.51.100.23", "8.8.8.8"]).exists()
    assert not job.has_upload and job.upload_removed_at is not None
    # The demo's other analyst sees none of it.
    assert not HuntJob.objects.visible_to(
        job.created_by.__class__.objects.get(username="certmx.analyst")
    ).exists()
