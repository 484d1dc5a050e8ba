"""A job is its author's alone: the authorisation matrix of every page and endpoint of a job
({author, colleague of the same organisation, another organisation, Secretariat administrator,
anonymous} x {list, page, progress, matches, CSV, file, delete, upload deletion, sightings}):
404 for everyone else (never 403), 401 or the sign-in page for anonymous visitors, and nothing
leaked or changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.core.tests.upload_jobs import person
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob
from cicte.hunts.tests.helpers import hunt, indicator, share

pytestmark = pytest.mark.django_db

OTHERS = ("colleague", "other", "secretariat")


@pytest.fixture
def job(world) -> HuntJob:
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = hunt(world.analyst, "query evil-domain.example.com\n", "secret-incident.log")
    assert job.status == HuntStatus.COMPLETE and job.matches == 1
    return job


def api(user: Any) -> Client:
    _token, secret = af.api_token(user, "intel:write")
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def page_requests(job: HuntJob) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/hunts/{job.pk}/"
    return [
        ("get", base, {}),
        ("get", f"{base}progress/", {}),
        ("get", f"{base}matches.csv", {}),
        ("get", f"{base}file/", {}),
        ("get", f"{base}delete/", {}),
        ("post", f"{base}delete/", {}),
        ("post", f"{base}file/delete/", {}),
        ("post", f"{base}sightings/", {"anonymous": "on"}),
    ]


def api_requests(job: HuntJob) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/hunts/{job.pk}/"
    return [
        ("get", base, {}),
        ("get", f"{base}matches/", {}),
        ("get", f"{base}matches.csv", {}),
        ("get", f"{base}file/", {}),
        ("delete", f"{base}file/", {}),
        ("delete", base, {}),
        (
            "post",
            f"{base}sightings/",
            {"data": {"anonymous": True}, "content_type": "application/json"},
        ),
    ]


def unchanged(job: HuntJob, events_before: int) -> None:
    fresh = HuntJob.objects.get(pk=job.pk)
    assert fresh.has_upload and fresh.sightings_reported_at is None
    assert fresh.match_rows.count() == 1
    assert AuditEvent.objects.filter(action__startswith="hunts.").count() == events_before


@pytest.mark.parametrize("who", OTHERS)
def test_others_get_404_on_the_pages(world, job, login, who):
    client = login(person(world, who))
    before = AuditEvent.objects.filter(action__startswith="hunts.").count()
    for method, url, data in page_requests(job):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert b"secret-incident" not in response.content
    listing = client.get("/hunts/")
    assert listing.status_code == 200
    assert b"secret-incident" not in listing.content
    unchanged(job, before)


@pytest.mark.parametrize("who", OTHERS)
def test_others_get_404_in_the_api(world, job, who):
    client = api(person(world, who))
    before = AuditEvent.objects.filter(action__startswith="hunts.").count()
    for method, url, kwargs in api_requests(job):
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 404, (method, url)
        assert response.json() == {"error": "Not found.", "detail": None}
    assert client.get("/api/hunts/").json()["results"] == []
    unchanged(job, before)


def test_anonymous_visitors(job):
    client = Client()
    for method, url, data in page_requests(job):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")
    for method, url, kwargs in api_requests(job):
        assert getattr(client, method)(url, **kwargs).status_code == 401, url
    assert HuntJob.objects.get(pk=job.pk).has_upload


def test_the_author_reaches_all_of_it(world, job, login):
    client = login(world.analyst)
    for url in (f"/hunts/{job.pk}/", f"/hunts/{job.pk}/progress/", f"/hunts/{job.pk}/matches.csv"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/hunts/{job.pk}/file/").status_code == 200
    reader = api(world.analyst)
    listed = reader.get("/api/hunts/").json()["results"]
    assert [item["id"] for item in listed] == [str(job.pk)]
    for url in (f"/api/hunts/{job.pk}/", f"/api/hunts/{job.pk}/matches/"):
        assert reader.get(url).status_code == 200


def test_an_inactive_author_is_signed_out_of_it(world, job):
    _token, secret = af.api_token(world.analyst, "intel:read")
    world.analyst.is_active = False
    world.analyst.save(update_fields=["is_active"])
    assert HuntJob.objects.visible_to(world.analyst).count() == 0
    response = Client(HTTP_AUTHORIZATION=f"Token {secret}").get(f"/api/hunts/{job.pk}/")
    assert response.status_code == 401


def test_the_list_is_the_persons_own_newest_first(world, login, django_assert_max_num_queries):
    first = hunt(world.analyst, "a\n", "first.log")
    second = hunt(world.analyst, "b\n", "second.log")
    hunt(world.colleague, "c\n", "colleagues.log")
    client = login(world.analyst)
    with django_assert_max_num_queries(12):
        response = client.get("/hunts/")
    content = response.content.decode()
    assert content.index("second.log") < content.index("first.log")
    assert "colleagues.log" not in content
    client = api(world.analyst)
    client.get("/api/hunts/")  # the token's first use is audited once
    with django_assert_max_num_queries(4):  # the token (and its use), count, page
        listed = client.get("/api/hunts/").json()["results"]
    assert [item["id"] for item in listed] == [str(second.pk), str(first.pk)]
    filtered = api(world.analyst).get("/api/hunts/", {"status": "failed"}).json()["results"]
    assert filtered == []


def test_visible_to_is_the_author_alone(world, job):
    from django.contrib.auth.models import AnonymousUser

    assert list(HuntJob.objects.visible_to(world.analyst)) == [job]
    for nobody in (None, AnonymousUser(), world.colleague, world.other, af.secretariat_admin()):
        assert not HuntJob.objects.visible_to(nobody).exists()
