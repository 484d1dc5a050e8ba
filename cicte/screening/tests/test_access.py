"""A job, its hits and the decisions on them are their organisation's alone: the authorisation
matrix of every page and endpoint ({the job's organisation, another organisation, Secretariat
administrator, anonymous} x {list, page, progress, hits, CSV, hit page, decision}): 404 for
everyone outside the organisation (never 403), 401 or the sign-in page for anonymous visitors,
and nothing leaked or changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.tests.upload_jobs import person
from cicte.screening.choices import JobStatus
from cicte.screening.models import HitDecision, ScreeningHit, ScreeningJob
from cicte.screening.tests.helpers import screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world) -> ScreeningJob:
    job = screen(world.analyst, name="clientes-secretos.csv", lists=["ofac"])
    assert job.status == JobStatus.COMPLETE and job.hits == 3
    return job


def page_requests(job: ScreeningJob, hit: ScreeningHit) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/sanctions/screening/jobs/{job.pk}/"
    return [
        ("get", base, {}),
        ("get", f"{base}?state=cleared", {}),
        ("get", f"{base}progress/", {}),
        ("get", f"{base}hits.csv", {}),
        ("get", f"/sanctions/screening/hits/{hit.pk}/", {}),
        (
            "post",
            f"/sanctions/screening/hits/{hit.pk}/",
            {"verdict": "false_positive", "reason": "not ours"},
        ),
    ]


def api_requests(job: ScreeningJob, hit: ScreeningHit) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/sanctions/screening/jobs/{job.pk}/"
    return [
        ("get", base, {}),
        ("get", f"{base}hits/", {}),
        ("get", f"{base}hits.csv", {}),
        ("get", f"/api/sanctions/screening/hits/{hit.pk}/", {}),
        (
            "post",
            f"/api/sanctions/screening/hits/{hit.pk}/decision/",
            {
                "data": {"verdict": "false_positive", "reason": "not ours"},
                "content_type": "application/json",
            },
        ),
    ]


def test_the_jobs_organisation_sees_and_decides(world, job, login):
    hit = job.hit_rows.first()
    client = login(world.colleague)
    for method, url, data in page_requests(job, hit):
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
    _token, secret = af.api_token(world.colleague, "sanctions:write")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    for method, url, extra in api_requests(job, hit):
        response = getattr(api, method)(url, **extra)
        assert response.status_code in (200, 201), (url, response.status_code)
    assert HitDecision.objects.filter(decided_by=world.colleague).count() == 2
    jobs = client.get("/sanctions/screening/jobs/")
    assert [j.pk for j in jobs.context["rows"]] == [job.pk]
    assert api.get("/api/sanctions/screening/jobs/").json()["count"] == 1


@pytest.mark.parametrize("who", ["other", "secretariat"])
def test_everyone_else_gets_404_and_changes_nothing(world, job, login, who):
    hit = job.hit_rows.first()
    user = person(world, who)
    client = login(user)
    for method, url, data in page_requests(job, hit):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, url, response.status_code)
    _token, secret = af.api_token(user, "sanctions:write")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    for method, url, extra in api_requests(job, hit):
        response = getattr(api, method)(url, **extra)
        assert response.status_code == 404, (who, url, response.status_code)
        assert "clientes" not in response.content.decode()
    page = client.get("/sanctions/screening/jobs/")
    assert page.status_code == 200 and list(page.context["rows"]) == []
    assert "clientes-secretos" not in page.content.decode()
    assert api.get("/api/sanctions/screening/jobs/").json()["count"] == 0
    assert not HitDecision.objects.exists()
    assert ScreeningJob.objects.get(pk=job.pk).hit_rows.filter(decision__isnull=False).count() == 0


def test_anonymous_visitors_sign_in_first_and_the_api_says_401(world, job):
    hit = job.hit_rows.first()
    client = Client()
    for method, url, data in page_requests(job, hit):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for method, url, extra in api_requests(job, hit):
        assert getattr(client, method)(url, **extra).status_code == 401, url
    assert client.get("/sanctions/screening/").status_code == 302
    assert not HitDecision.objects.exists()


def test_token_scopes(world, job):
    hit = job.hit_rows.first()
    _token, secret = af.api_token(world.analyst, "sanctions:read")
    reader = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert reader.get(f"/api/sanctions/screening/jobs/{job.pk}/hits/").status_code == 200
    response = reader.post(
        f"/api/sanctions/screening/hits/{hit.pk}/decision/",
        {"verdict": "false_positive", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = reader.post(
        "/api/sanctions/screening/jobs/", data=b"id,name\n1,A\n", content_type="text/csv"
    )
    assert response.status_code == 403
    _token, secret = af.api_token(world.analyst, "intel:write")
    other_module = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert other_module.get(f"/api/sanctions/screening/jobs/{job.pk}/").status_code == 403


def test_people_without_an_organisation_screen_names_but_run_no_jobs(world, login):
    loner = af.UserFactory(organization=None)
    client = login(loner)
    assert client.get("/sanctions/screening/").status_code == 200
    assert client.get("/sanctions/screening/jobs/new/").status_code == 403


def test_the_hits_list_reads_a_fixed_number_of_queries(world, job, django_assert_num_queries):
    from cicte.screening import services
    from cicte.screening.choices import Verdict

    for hit in job.hit_rows.all():
        services.decide(actor=world.analyst, hit=hit, verdict=Verdict.FALSE_POSITIVE, reason="x")
    _token, secret = af.api_token(world.analyst, "sanctions:read")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    api.get(f"/api/sanctions/screening/jobs/{job.pk}/hits/")  # warm the token's statements
    # The token with its user, the job, the count, the page (decisions and deciders joined):
    # the same however many hits and decisions.
    with django_assert_num_queries(4):
        response = api.get(f"/api/sanctions/screening/jobs/{job.pk}/hits/")
    assert response.status_code == 200 and response.json()["count"] == 3
