"""The demo's advisories: one per TLP label, four-eyes approved, and a subscription with a
webhook."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.models import Advisory, Subscription
from cicte.core.tests.test_seed_demo import _demo_password_file, seed_json  # noqa: F401
from cicte.intel.models import StixObject

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_one_advisory_per_label_and_a_subscription(settings: Any) -> None:
    seed_json()
    advisories = list(Advisory.objects.select_related("created_by", "reviewed_by"))
    assert sorted(a.tlp for a in advisories) == sorted(["clear", "green", "amber", "red"])
    for advisory in advisories:
        assert advisory.status == AdvisoryStatus.PUBLISHED and advisory.reference
        assert advisory.created_by.username == "colcert.analyst"
        assert advisory.reviewed_by.username == "colcert.admin"
        assert StixObject.objects.filter(stix_id=advisory.stix_id).exists()
    subscription = Subscription.objects.get(user__username="certmx.analyst")
    assert subscription.webhook is not None
    # The demo also imports a MISP event (tlp:green) into a collection of CSIRTAmericas.
    imported = StixObject.objects.filter(collection__alias="misp")
    assert imported.filter(type="indicator").exists()
    assert set(imported.values_list("tlp", flat=True)) == {"green"}
