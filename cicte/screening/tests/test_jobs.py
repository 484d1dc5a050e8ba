"""Batch screening on the real worker path (huey runs at once in the tests): every row checked
first (a row-by-row report and no hits when any is invalid), then screened with progress, hits
stored with their explanation, the CSV download in the ``screen`` command's columns plus the
decision; decisions, their history, and hits cleared earlier not raised again unless the record
or the list entry changed."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.sanctions.batch import COLUMNS
from cicte.screening import runner, services
from cicte.screening.choices import JobStatus, Verdict
from cicte.screening.models import HitDecision, ScreeningJob
from cicte.screening.tests import helpers
from cicte.screening.tests.helpers import CUSTOMERS, OFAC, amended, import_list, screen

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_a_job_screens_every_row_with_progress(world, monkeypatch):
    writes: list[int] = []
    original = runner._write

    def spy(job, **fields):
        if "rows_screened" in fields:
            writes.append(fields["rows_screened"])
        original(job, **fields)

    monkeypatch.setattr(runner, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(runner, "_write", spy)
    job = screen(world.analyst)
    assert job.status == JobStatus.COMPLETE, (job.error, job.report)
    assert writes == [2, 4, 5, 5]  # a write per chunk, then the end
    assert (job.rows, job.rows_screened, job.cleared) == (5, 5, 0)
    assert job.lists == ["ofac", "un"] and job.list_versions == {"ofac": 1, "un": 1}
    assert job.organization == world.bank and job.progress_percent == 100
    found = {(h.line, h.record_id, h.list_key, h.source_id) for h in job.hit_rows.all()}
    assert found == {
        (2, "C-1", "ofac", "4107"),
        (4, "C-3", "ofac", "4108"),
        (5, "C-4", "ofac", "4302"),
    }
    assert job.hits == 3
    hit = job.hit_rows.get(record_id="C-1")
    assert hit.score == 1.0 and hit.caption == "Gilberto Jose RODRIGUEZ OREJUELA"
    assert hit.explanation["threshold"] == 0.75 and hit.explanation["features"]
    assert hit.summary.endswith("score 1.000 >= threshold 0.75")
    assert (hit.name, hit.birth_date, hit.nationality, hit.kind) == (
        "Gilberto José Rodríguez Orejuela",
        "1939-01-31",
        "co",
        "person",
    )
    assert hit.list_entity.source_id == "4107" and hit.entity_hash == hit.list_entity.content_hash
    event = AuditEvent.objects.get(action="screening.job_complete")
    assert event.changes == {"rows": 5, "hits": 3, "cleared": 0}
    assert "customers" not in event.object_repr


def test_any_invalid_row_rejects_the_job_with_a_row_by_row_report(world):
    rows = [
        *CUSTOMERS,
        ["C-6", "", "", "", ""],
        ["C-2", "Duplicated", "", "", ""],
        ["C-8", "Ana", "1970-13-01", "", ""],
        ["C-9", "Ana", "", "Atlantis", "vessel"],
        ["C-10", "Ana"],
    ]
    job = screen(world.analyst, rows)
    assert job.status == JobStatus.REJECTED
    assert job.report == [
        "line 7: name is empty",
        "line 8: id C-2 is already on line 3",
        "line 9: birth date must be YYYY, YYYY-MM or YYYY-MM-DD",
        "line 10: kind must be 'person' or 'organization'",
        "line 11: 2 fields where the header has 5",
    ]
    assert (job.invalid_rows, job.rows, job.hits) == (5, 5, 0)
    assert not job.hit_rows.exists()
    assert AuditEvent.objects.filter(action="screening.job_reject").count() == 1


def test_a_long_report_keeps_the_first_thousand_and_counts_the_rest(world, settings):
    rows = [["id", "name"]] + [[f"R{i}", ""] for i in range(1200)]
    job = screen(world.analyst, rows)
    assert job.status == JobStatus.REJECTED
    assert job.invalid_rows == 1200 and len(job.report) == 1000 and job.report_truncated
    assert job.report[0] == "line 2: name is empty" and job.report[-1] == "line 1001: name is empty"


def test_more_rows_than_the_limit_are_refused(world, settings):
    settings.SCREENING_MAX_ROWS = 3
    job = screen(world.analyst)
    assert job.status == JobStatus.REJECTED
    assert job.report == ["line 5: the file has more than 3 rows, the limit: split it"]


def test_bad_header_and_bad_encoding(world):
    assert screen(world.analyst, "nombre,id\nAna,1\n").report == ["line 1: the header lacks name"]
    latin = "id,name\r\n1,Jos\xe9\r\n".encode("latin-1")
    with pytest.raises(ValidationError, match="not UTF-8 text"):
        services.create_job(
            actor=world.analyst,
            upload=helpers.upload(latin.decode("latin-1").encode("utf-16")),
            name="u.csv",
            lists=None,
            threshold=0.75,
        )
    job = services.create_job(
        actor=world.analyst, upload=helpers.upload(latin), name="l.csv", lists=None, threshold=0.75
    )
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED and "'utf-8' codec can't decode" in job.report[0]


def test_the_download_has_the_commands_columns_and_the_decisions(world, login):
    job = screen(world.analyst, [*CUSTOMERS, ["C-7", "=HYPERLINK(1)", "", "", ""]])
    hit = job.hit_rows.get(record_id="C-3")
    services.decide(
        actor=world.analyst,
        hit=hit,
        verdict=Verdict.FALSE_POSITIVE,
        reason="=cmd|' /C calc'!A0 namesake",
    )
    rows = _csv(login(world.colleague).get(f"/sanctions/screening/jobs/{job.pk}/hits.csv"))
    assert rows[0] == [*COLUMNS, "decision", "decision_reason"]
    assert [r[:4] for r in rows[1:]] == [
        ["C-1", "1.000", "ofac", "4107"],
        ["C-3", "0.850", "ofac", "4108"],
        ["C-4", "1.000", "ofac", "4302"],
    ]
    assert rows[2][4] == "Miguel Angel RODRIGUEZ OREJUELA"
    assert rows[2][5] == hit.summary
    assert rows[2][6:] == ["false_positive", "'=cmd|' /C calc'!A0 namesake"]
    assert rows[1][6:] == ["", ""]
    assert AuditEvent.objects.filter(action="export", changes__what="screening.hit").exists() or (
        AuditEvent.objects.filter(changes__filters__job=str(job.pk)).exists()
    )
    # The API gives the same file; filters apply.
    _token, secret = af.api_token(world.analyst, "sanctions:read")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert _csv(api.get(f"/api/sanctions/screening/jobs/{job.pk}/hits.csv")) == rows
    undecided = _csv(api.get(f"/api/sanctions/screening/jobs/{job.pk}/hits.csv?state=undecided"))
    assert [r[0] for r in undecided[1:]] == ["C-1", "C-4"]


def test_a_false_positive_is_not_raised_again_unless_something_changed(world, login):
    first = screen(world.analyst, lists=["ofac"])
    hit = first.hit_rows.get(record_id="C-3")
    decision = services.decide(
        actor=world.analyst,
        hit=hit,
        verdict=Verdict.FALSE_POSITIVE,
        reason="Born 1988, listed 1943",
    )
    assert (decision.record_fingerprint, decision.entity_hash) == (
        hit.record_fingerprint,
        hit.entity_hash,
    )
    event = AuditEvent.objects.get(action="screening.decision")
    assert event.changes["verdict"] == "false_positive" and "1988" not in str(event.changes)
    # The same file again (name written differently: the same record): cleared, not raised.
    rows = [list(r) for r in CUSTOMERS]
    rows[3][1] = "rodriguez  OREJUELA, miguel ángel"
    second = screen(world.colleague, rows, lists=["ofac"])
    assert (second.hits, second.cleared) == (2, 1)
    cleared = second.hit_rows.get(record_id="C-3")
    assert cleared.cleared and cleared.decision == decision
    page = login(world.colleague).get(f"/sanctions/screening/jobs/{second.pk}/")
    assert [h.record_id for h in page.context["rows"]] == ["C-1", "C-4"]
    page = login(world.colleague).get(f"/sanctions/screening/jobs/{second.pk}/?state=cleared")
    assert [h.record_id for h in page.context["rows"]] == ["C-3"]
    assert "Cleared earlier" in page.content.decode()
    # Another organisation's decisions clear nothing for this one, and the other way round.
    assert screen(world.other, lists=["ofac"]).cleared == 0
    # The record changed (another birth date): raised again.
    changed = [list(r) for r in CUSTOMERS]
    changed[3][2] = "1988-05-13"
    assert (screen(world.analyst, changed, lists=["ofac"]).cleared) == 0
    # The list entry changed (a new version amends it): raised again.
    import_list("ofac", amended(OFAC, "4108", nationality=["co"]))
    third = screen(world.analyst, lists=["ofac"])
    assert (third.hits, third.cleared) == (3, 0) and third.list_versions == {"ofac": 2}


def test_a_true_positive_is_raised_again_and_decisions_are_revised_with_history(world, login):
    job = screen(world.analyst, lists=["ofac"])
    hit = job.hit_rows.get(record_id="C-1")
    first = services.decide(
        actor=world.analyst, hit=hit, verdict=Verdict.FALSE_POSITIVE, reason="oops"
    )
    second = services.decide(
        actor=world.colleague,
        hit=hit,
        verdict=Verdict.TRUE_POSITIVE,
        reason="Same DOB and passport",
    )
    first.refresh_from_db()
    assert not first.current and second.current and second.previous == first
    assert HitDecision.objects.filter(record_id="C-1").count() == 2
    assert screen(world.analyst, lists=["ofac"]).cleared == 0  # a true positive clears nothing
    page = login(world.analyst).get(f"/sanctions/screening/hits/{hit.pk}/")
    html = page.content.decode()
    assert "Same DOB and passport" in html and "oops" in html and "(revised)" in html


def test_a_decision_needs_a_reason_and_a_verdict(world, login):
    job = screen(world.analyst, lists=["ofac"])
    hit = job.hit_rows.get(record_id="C-1")
    client = login(world.analyst)
    response = client.post(
        f"/sanctions/screening/hits/{hit.pk}/", {"verdict": "false_positive", "reason": "  "}
    )
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(
        f"/sanctions/screening/hits/{hit.pk}/", {"verdict": "maybe", "reason": "x"}
    )
    assert "verdict" in response.context["form"].errors
    assert not HitDecision.objects.exists()
    response = client.post(
        f"/sanctions/screening/hits/{hit.pk}/",
        {"verdict": "true_positive", "reason": "Passport T321642 matches"},
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert (
        hit.decision.verdict == Verdict.TRUE_POSITIVE and hit.decision.decided_by == world.analyst
    )


def test_the_api_posts_a_job_reads_it_and_decides(world, django_capture_on_commit_callbacks):
    _token, secret = af.api_token(world.analyst, "sanctions:write")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/sanctions/screening/jobs/?lists=ofac&threshold=0.8&name=november.csv",
            data=helpers.csv_text(CUSTOMERS),
            content_type="text/csv",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"  # as it was when the API answered
    job = ScreeningJob.objects.get(pk=body["id"])
    assert response["Location"].endswith(f"/api/sanctions/screening/jobs/{job.pk}/")
    status = api.get(f"/api/sanctions/screening/jobs/{job.pk}/").json()
    assert status["status"] == "complete" and status["name"] == "november.csv"
    assert status["progress"] == {
        "rows": 5,
        "rows_screened": 5,
        "percent": 100,
        "hits": 3,
        "cleared": 0,
    }
    assert status["lists"] == ["ofac"] and status["threshold"] == 0.8
    hits = api.get(f"/api/sanctions/screening/jobs/{job.pk}/hits/?limit=2").json()
    assert hits["count"] == 3 and len(hits["results"]) == 2
    first = hits["results"][0]
    assert first["record_id"] == "C-1" and first["list_entity_id"] == "4107"
    assert first["explanation"]["matched_name"] == "Gilberto Jose RODRIGUEZ OREJUELA"
    decided = api.post(
        f"/api/sanctions/screening/hits/{first['id']}/decision/",
        {"verdict": "true_positive", "reason": "Same passport"},
        content_type="application/json",
    )
    assert decided.status_code == 201 and decided.json()["verdict"] == "true_positive"
    missing = api.post(
        f"/api/sanctions/screening/hits/{first['id']}/decision/",
        {"verdict": "false_positive"},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "reason" in missing.json()["detail"]
    # Multipart, with lists and threshold as fields.
    multipart = api.post(
        "/api/sanctions/screening/jobs/",
        {"file": helpers.upload(helpers.csv_text(CUSTOMERS)), "lists": "un", "threshold": "0.9"},
    )
    assert multipart.status_code == 202, multipart.content
    assert multipart.json()["lists"] == ["un"]


def test_the_api_refuses_too_large_wrong_type_and_too_many(world, settings):
    _token, secret = af.api_token(world.analyst, "sanctions:write")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    settings.SCREENING_MAX_UPLOAD_BYTES = 50
    response = api.post(
        "/api/sanctions/screening/jobs/", data=helpers.csv_text(CUSTOMERS), content_type="text/csv"
    )
    assert response.status_code == 413
    assert "larger than the limit of 50" in response.json()["error"]
    response = api.post(
        "/api/sanctions/screening/jobs/", {"file": helpers.upload(helpers.csv_text(CUSTOMERS))}
    )
    assert response.status_code == 413
    settings.SCREENING_MAX_UPLOAD_BYTES = 10_000
    response = api.post(
        "/api/sanctions/screening/jobs/", data=b"PK\x03\x04rest", content_type="text/csv"
    )
    assert response.status_code == 415 and "zip" in response.json()["error"]
    response = api.post(
        "/api/sanctions/screening/jobs/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 415
    response = api.post(
        "/api/sanctions/screening/jobs/?lists=zz", data=b"id,name\n1,A\n", content_type="text/csv"
    )
    assert response.status_code == 400 and "lists" in response.json()["detail"]
    settings.SCREENING_MAX_ACTIVE_JOBS = 1
    ScreeningJob.objects.create(organization=world.bank, created_by=world.analyst, threshold=0.75)
    response = api.post(
        "/api/sanctions/screening/jobs/", data=b"id,name\n1,A\n", content_type="text/csv"
    )
    assert response.status_code == 429
    assert ScreeningJob.objects.count() == 1


def test_the_page_uploads_and_refuses_too_large(
    world, login, settings, django_capture_on_commit_callbacks
):
    client = login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/sanctions/screening/jobs/new/",
            {
                "file": helpers.upload(helpers.csv_text(CUSTOMERS)),
                "lists": ["ofac"],
                "threshold": "0.75",
            },
        )
    job = ScreeningJob.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/sanctions/screening/jobs/{job.pk}/"
    )
    page = client.get(response["Location"])
    assert ScreeningJob.objects.get().status == JobStatus.COMPLETE
    assert "3 hits" in page.content.decode()
    settings.SCREENING_MAX_UPLOAD_BYTES = 20
    response = client.post(
        "/sanctions/screening/jobs/new/",
        {
            "file": helpers.upload(helpers.csv_text(CUSTOMERS)),
            "lists": ["ofac"],
            "threshold": "0.75",
        },
    )
    assert response.status_code == 413 and "larger than the limit" in response.content.decode()
    assert ScreeningJob.objects.count() == 1


def test_uploads_are_kept_for_the_days_set_then_deleted(
    world, settings, django_capture_on_commit_callbacks
):
    job = screen(world.analyst)
    path = job.upload.path
    settings.SCREENING_KEEP_UPLOAD_DAYS = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_uploads() == 1
    job.refresh_from_db()
    assert not job.has_upload and job.upload_removed_at is not None
    import os

    assert not os.path.exists(path)
    assert job.hit_rows.count() == 3


def test_the_page_polls_the_progress_while_the_job_runs(world, login):
    running = ScreeningJob.objects.create(
        organization=world.bank,
        created_by=world.analyst,
        threshold=0.75,
        status=JobStatus.RUNNING,
        rows=20_000,
        rows_screened=5_000,
        hits=7,
    )
    client = login(world.analyst)
    page = client.get(f"/sanctions/screening/jobs/{running.pk}/").content.decode()
    assert f'hx-get="/sanctions/screening/jobs/{running.pk}/progress/"' in page
    assert 'hx-trigger="every 2s"' in page
    progress = client.get(
        f"/sanctions/screening/jobs/{running.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    html = progress.content.decode()
    assert 'value="25"' in html and "5,000" in html and "HX-Refresh" not in progress
    ScreeningJob.objects.filter(pk=running.pk).update(status=JobStatus.COMPLETE)
    done = client.get(f"/sanctions/screening/jobs/{running.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_a_large_file_is_screened_by_the_pool_s_processes_with_the_same_hits(
    world, monkeypatch, settings
):
    """From SCREENING_PARALLEL_ROWS rows the job is shared out to SCREENING_PROCESSES pool
    processes: the same hits, progress and outcome as in the worker's own thread."""
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 2)
    settings.SCREENING_PROCESSES = 1
    alone = screen(world.analyst)
    submitted: list[int] = []
    original = runner.ScreeningPool.submit

    def spy(self, queries, **kwargs):
        submitted.append(len(queries))
        return original(self, queries, **kwargs)

    monkeypatch.setattr(runner.ScreeningPool, "submit", spy)
    settings.SCREENING_PROCESSES = 2
    settings.SCREENING_PARALLEL_ROWS = 6  # the file has 5 rows: still in this thread
    assert screen(world.analyst).status == JobStatus.COMPLETE and submitted == []
    settings.SCREENING_PARALLEL_ROWS = 5
    shared = screen(world.analyst)
    assert submitted == [2, 2, 1]
    assert shared.status == JobStatus.COMPLETE, (shared.error, shared.report)

    def hits(job: ScreeningJob) -> list[tuple]:
        return list(
            job.hit_rows.order_by("line", "-score", "source_id").values_list(
                "line", "record_id", "list_key", "source_id", "caption", "score", "explanation"
            )
        )

    assert hits(shared) == hits(alone) and len(hits(alone)) == 3
    assert (shared.rows_screened, shared.hits, shared.cleared) == (5, 3, 0)


def test_the_worker_starts_the_pool_s_fork_server_as_it_starts(monkeypatch, settings):
    from huey.contrib.djhuey import HUEY

    from cicte.screening import tasks

    assert HUEY._startup["start_screening_pool_server"] is tasks.start_screening_pool_server
    started: list[bool] = []
    monkeypatch.setattr(tasks.ScreeningPool, "start_server", lambda: started.append(True))
    settings.SCREENING_PROCESSES = 1
    tasks.start_screening_pool_server()
    assert started == []
    settings.SCREENING_PROCESSES = 2
    tasks.start_screening_pool_server()
    assert started == [True]
