"""Uploads are deleted with their job, on request, or HUNT_KEEP_UPLOAD_DAYS after the job
finished (its results stay); jobs whose worker stopped fail, jobs left pending are enqueued
again; files that no job names are removed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.hunts import services, tasks
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob, HuntMatch, hunt_storage
from cicte.hunts.tests.helpers import hunt, indicator, share, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world) -> HuntJob:
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    return hunt(world.analyst, "evil-domain.example.com\n", "gw.log")


def path_of(job: HuntJob) -> Path:
    return Path(hunt_storage().path(job.upload.name))


def test_the_upload_is_private_and_deleted_with_the_job(
    world, job, login, settings, django_capture_on_commit_callbacks
):
    path = path_of(job)
    assert path.is_file()
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    client = login(world.analyst)
    assert "Delete the hunt" in client.get(f"/hunts/{job.pk}/delete/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hunts/{job.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/hunts/"
    assert not HuntJob.objects.filter(pk=job.pk).exists()
    assert not HuntMatch.objects.filter(job_id=job.pk).exists()
    assert not path.exists()
    event = AuditEvent.objects.get(action="hunts.job_delete")
    assert event.object_id == str(job.pk) and "gw.log" not in event.object_repr


def test_the_api_deletes_a_job(world, job, django_capture_on_commit_callbacks):
    path = path_of(job)
    client = Client(HTTP_AUTHORIZATION=f"Token {af.api_token(world.analyst, 'intel:write')[1]}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/hunts/{job.pk}/")
    assert response.status_code == 204
    assert not HuntJob.objects.filter(pk=job.pk).exists() and not path.exists()


def test_delete_the_upload_and_keep_the_results(
    world, job, login, django_capture_on_commit_callbacks
):
    path = path_of(job)
    client = login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hunts/{job.pk}/file/delete/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert not job.has_upload and job.upload_removed_at is not None and not path.exists()
    assert job.match_rows.count() == 1
    assert client.get(f"/hunts/{job.pk}/file/").status_code == 404
    assert "The upload was deleted on" in client.get(f"/hunts/{job.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="hunts.upload_delete", object_id=str(job.pk)).exists()
    api = Client(HTTP_AUTHORIZATION=f"Token {af.api_token(world.analyst, 'intel:write')[1]}")
    assert api.get(f"/api/hunts/{job.pk}/file/").status_code == 404
    assert api.get(f"/api/hunts/{job.pk}/").json()["upload_kept"] is False


def test_the_api_deletes_the_upload_but_not_while_the_job_runs(
    world, django_capture_on_commit_callbacks
):
    api = Client(HTTP_AUTHORIZATION=f"Token {af.api_token(world.analyst, 'intel:write')[1]}")
    pending = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a")
    response = api.delete(f"/api/hunts/{pending.pk}/file/")
    assert response.status_code == 400
    assert HuntJob.objects.get(pk=pending.pk).has_upload
    finished = hunt(world.analyst, "a.example.com\n")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/hunts/{finished.pk}/file/").status_code == 204
    assert not HuntJob.objects.get(pk=finished.pk).has_upload


def test_uploads_expire_after_the_days_kept(world, settings, django_capture_on_commit_callbacks):
    settings.HUNT_KEEP_UPLOAD_DAYS = 7
    now = timezone.now()
    old = hunt(world.analyst, "a.example.com\n", "old.log")
    recent = hunt(world.analyst, "a.example.com\n", "recent.log")
    waiting = services.create_job(actor=world.analyst, upload=upload("a\n"), name="waiting.log")
    HuntJob.objects.filter(pk=old.pk).update(finished_at=now - dt.timedelta(days=8))
    HuntJob.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(days=30))
    old_path, recent_path, waiting_path = path_of(old), path_of(recent), path_of(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_uploads(now=now) == 1
    old.refresh_from_db()
    assert not old.has_upload and old.upload_removed_at == now and not old_path.exists()
    assert old.status == HuntStatus.COMPLETE and old.lines == 1  # the results stay
    assert recent_path.exists() and waiting_path.exists()
    event = AuditEvent.objects.get(action="hunts.uploads_expire")
    assert (event.actor_id, event.actor_label, event.changes) == (
        None,
        "system",
        {"jobs": 1, "days": 7},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_uploads(now=now) == 0


def test_stale_jobs_fail_and_forgotten_ones_run_again(world):
    now = timezone.now()
    stale = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="stale")
    HuntJob.objects.filter(pk=stale.pk).update(
        status=HuntStatus.RUNNING,
        started_at=now - dt.timedelta(hours=3),
        progress_at=now - dt.timedelta(hours=2),
    )
    busy = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="busy")
    HuntJob.objects.filter(pk=busy.pk).update(
        status=HuntStatus.RUNNING, progress_at=now - dt.timedelta(minutes=5)
    )
    forgotten = services.create_job(
        actor=world.analyst, upload=upload("a.example.com\n"), name="lost"
    )
    HuntJob.objects.filter(pk=forgotten.pk).update(created_at=now - dt.timedelta(hours=2))
    assert services.recover_jobs(now=now) == (1, 1)
    stale.refresh_from_db()
    assert stale.status == HuntStatus.FAILED and "worker stopped" in stale.error
    assert HuntJob.objects.get(pk=busy.pk).status == HuntStatus.RUNNING
    # huey runs at once in the tests: the forgotten job ran.
    assert HuntJob.objects.get(pk=forgotten.pk).status == HuntStatus.COMPLETE


def test_files_no_job_names_are_removed_after_a_day(world):
    job = hunt(world.analyst, "a.example.com\n")
    storage = hunt_storage()
    old_orphan = storage.save("hunts/2026/01/orphan", upload("x"))
    new_orphan = storage.save("hunts/2026/01/fresh-orphan", upload("x"))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    for name in (old_orphan, job.upload.name):
        os.utime(storage.path(name), (two_days_ago, two_days_ago))
    assert services.remove_orphan_files() == 1
    assert not storage.exists(old_orphan)
    assert storage.exists(new_orphan) and storage.exists(job.upload.name)


def test_the_hourly_task_does_all_of_it(world, settings, django_capture_on_commit_callbacks):
    settings.HUNT_KEEP_UPLOAD_DAYS = 0
    job = hunt(world.analyst, "a.example.com\n")
    HuntJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.tidy_hunts.call_local()
    assert result == {"expired": 1, "failed": 0, "requeued": 0, "orphans": 0}
    assert not HuntJob.objects.get(pk=job.pk).has_upload
