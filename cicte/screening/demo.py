"""The demo's batch screening (called by ``cicte.core.demo.seed``, after the sanctions lists and
the domestic designations): the demo bank's compliance officer (``bank.compliance`` of
``banco-demo-co``) screens a month's new customers (``demo_data/customers-2026-11.csv``, see its
README) against every list of the platform, through the same service and runner as the worker
(run here on the spot, so that the demo is complete without a worker), and decides on some hits:
one true positive, two namesakes cleared as false positives. A second run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files import File

from cicte.accounts.models import User
from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.screening import runner, services
from cicte.screening.choices import JobSource, JobStatus, Verdict
from cicte.screening.models import ScreeningJob, screening_storage

CUSTOMERS = Path(__file__).resolve().parent / "demo_data" / "customers-2026-11.csv"
OFFICER = "bank.compliance"
# (record id, list, the list's identifier, verdict, reason)
DECISIONS = (
    (
        "CLI-204417",
        "ofac",
        "4107",
        Verdict.TRUE_POSITIVE,
        "Same full name, the same date of birth (31 January 1939) and the cédula on file "
        "matches the one OFAC lists. Account frozen; report filed with the UIAF.",
    ),
    (
        "CLI-204521",
        "ofac",
        "4108",
        Verdict.FALSE_POSITIVE,
        "Namesake: the customer was born on 12 May 1988, the listed person in 1943; the "
        "customer's cédula and passport differ from the listed ones.",
    ),
    (
        "CLI-204633",
        "ofac",
        "4106",
        Verdict.FALSE_POSITIVE,
        "Namesake: the customer was born in 1991 (the listed person in 1951) and is a "
        "university student known to the branch since 2019.",
    ),
)


def seed(*, admin: Any, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    officer = User.objects.select_related("organization").get(username=OFFICER)
    if ScreeningJob.objects.visible_to(officer).filter(name=CUSTOMERS.name).exists():
        log("a batch screening of the demo bank's customers, with decided hits")
        return
    with CUSTOMERS.open("rb") as handle:
        job = services.create_job(
            actor=officer,
            upload=File(handle, name=CUSTOMERS.name),
            name=CUSTOMERS.name,
            lists=None,
            threshold=DEFAULT_THRESHOLD,
            source=JobSource.UPLOAD,
        )
    # On the spot; the task enqueued after the commit finds the job taken and does nothing.
    runner.run_job(job.pk)
    job.refresh_from_db()
    if job.status != JobStatus.COMPLETE:
        raise RuntimeError(f"The demo screening did not complete: {job.error or job.report}")
    for record_id, key, source_id, verdict, reason in DECISIONS:
        hit = job.hit_rows.filter(record_id=record_id, list_key=key, source_id=source_id).first()
        if hit is not None:
            services.decide(actor=officer, hit=hit, verdict=verdict, reason=reason)
    # The file is in the repository: the job keeps no copy of it (deleted now, as well as after
    # the commit, when the seed runs inside a transaction).
    name = job.upload.name
    services.remove_upload(actor=officer, job=job)
    screening_storage().delete(name)
    note(f"a batch screening of {OFFICER}", True)
    log(
        f"a batch screening of the demo bank's customers: {job.rows} rows, {job.hits} hits, "
        f"{len(DECISIONS)} decided"
    )
