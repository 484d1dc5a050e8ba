"""The demo's batch screening: the demo bank's customer file screened through the service and
the runner, with one true positive and two false positives decided; a second run writes
nothing. (Against the small lists of the tests, which hold the listed people the demo decides
on; the whole demo runs against the real UN and OFAC copies.)"""

from __future__ import annotations

import pytest

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.screening import demo
from cicte.screening.choices import JobStatus, Verdict
from cicte.screening.models import HitDecision, ScreeningHit, ScreeningJob
from cicte.screening.tests.helpers import OFAC, UN, import_list

pytestmark = pytest.mark.django_db


def test_the_demo_screens_the_banks_customers_and_decides_once():
    import_list("ofac", OFAC)
    import_list("un", UN)
    bank = af.OrganizationFactory(slug="banco-demo-co", name="Banco Demostración")
    officer = af.UserFactory(username="bank.compliance", organization=bank)
    notes: list[str] = []
    demo.seed(admin=None, note=lambda what, created: notes.append(what), log=lambda _m: None)
    job = ScreeningJob.objects.get()
    assert job.status == JobStatus.COMPLETE and job.organization == bank
    assert job.rows == 196 and job.created_by == officer
    assert not job.has_upload  # the file is in the repository
    hits = {(h.record_id, h.source_id) for h in job.hit_rows.all()}
    assert {("CLI-204417", "4107"), ("CLI-204521", "4108"), ("CLI-204633", "4106")} <= hits
    assert ("CLI-205189", "CDi.006") in hits  # a UN name
    verdicts = sorted(HitDecision.objects.values_list("record_id", "verdict"))
    assert verdicts == [
        ("CLI-204417", Verdict.TRUE_POSITIVE),
        ("CLI-204521", Verdict.FALSE_POSITIVE),
        ("CLI-204633", Verdict.FALSE_POSITIVE),
    ]
    assert notes == ["a batch screening of bank.compliance"]
    counts = (
        ScreeningJob.objects.count(),
        ScreeningHit.objects.count(),
        AuditEvent.objects.count(),
    )
    demo.seed(admin=None, note=lambda what, created: notes.append(what), log=lambda _m: None)
    assert (
        ScreeningJob.objects.count(),
        ScreeningHit.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert len(notes) == 1
