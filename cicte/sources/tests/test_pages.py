"""The sources pages: for the Secretariat only (403 for others, the login page for anonymous
visitors); the secret never shown back; a poll's page lists only what its reader may read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.sources import services
from cicte.sources.choices import AuthScheme, PollStatus, SourceKind
from cicte.sources.models import RemoteSource, SourcePoll
from cicte.sources.tests.conftest import ScriptedTaxii, make_source, signed_in

pytestmark = pytest.mark.django_db

TAXII_URL = "https://taxii.example.org/api/collections/4c2f9d1e-7a35-4c55-9a5e-0d2f8b1a6e11/"


def pages(source: RemoteSource, poll: SourcePoll) -> list[str]:
    return [
        "/intel/sources/",
        "/intel/sources/new/",
        f"/intel/sources/{source.pk}/",
        f"/intel/sources/{source.pk}/edit/",
        f"/intel/sources/{source.pk}/delete/",
        f"/intel/sources/polls/{poll.pk}/",
    ]


def a_poll(source: RemoteSource) -> SourcePoll:
    return SourcePoll.objects.create(
        source=source,
        source_name=source.name,
        source_url=source.url,
        kind=source.kind,
        status=PollStatus.ERROR,
        error="Cannot connect to taxii.example.org: Connection refused.",
    )


def test_others_are_refused(admin: Any, target: Any) -> None:
    source = make_source(admin, target, TAXII_URL)
    poll = a_poll(source)
    analyst = f.analyst(f.csirt("CO"))
    coordinator_client = signed_in(analyst)
    for url in pages(source, poll):
        assert coordinator_client.get(url).status_code == 403, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
    for url in (f"/intel/sources/{source.pk}/poll/", f"/intel/sources/{source.pk}/delete/"):
        assert coordinator_client.post(url).status_code == 403
    assert RemoteSource.objects.filter(pk=source.pk).exists()
    assert not AuditEvent.objects.filter(action="sources.poll_request").exists()


def test_the_secretariat_creates_changes_and_deletes_a_source(admin: Any, target: Any) -> None:
    client = signed_in(admin)
    page = client.get("/intel/sources/new/")
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()
    response = client.post(
        "/intel/sources/new/",
        {
            "name": "CERT.example TAXII",
            "kind": SourceKind.TAXII,
            "url": TAXII_URL,
            "auth_scheme": AuthScheme.BASIC,
            "username": "cicte",
            "secret": "hunter2-but-longer",
            "collection": target.pk,
            "interval_minutes": 30,
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    source = RemoteSource.objects.get(name="CERT.example TAXII")
    assert (source.owner, source.secret, source.interval_minutes) == (
        admin,
        "hunter2-but-longer",
        30,
    )
    # The secret is never put back into a page.
    for url in (response["Location"], f"/intel/sources/{source.pk}/edit/", "/intel/sources/"):
        body = client.get(url).content.decode()
        assert "hunter2-but-longer" not in body, url
    assert "a secret is stored (encrypted)" in client.get(response["Location"]).content.decode()

    # Changing it without a secret keeps the stored one.
    response = client.post(
        f"/intel/sources/{source.pk}/edit/",
        {
            "name": "CERT.example TAXII",
            "kind": SourceKind.TAXII,
            "url": TAXII_URL,
            "auth_scheme": AuthScheme.BASIC,
            "username": "cicte",
            "secret": "",
            "collection": target.pk,
            "interval_minutes": 120,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    source.refresh_from_db()
    assert (source.secret, source.interval_minutes, source.is_enabled) == (
        "hunter2-but-longer",
        120,
        False,
    )

    assert client.get(f"/intel/sources/{source.pk}/delete/").status_code == 200
    assert client.post(f"/intel/sources/{source.pk}/delete/").status_code == 302
    assert not RemoteSource.objects.filter(pk=source.pk).exists()


def test_a_form_says_what_to_fix(admin: Any, target: Any) -> None:
    closed = f.collection(title="Coordinators only", write_roles=["national_coordinator"])
    client = signed_in(admin)
    response = client.post(
        "/intel/sources/new/",
        {
            "name": "Feed",
            "kind": SourceKind.TAXII,
            "url": "https://feeds.example.org/misp/",
            "auth_scheme": AuthScheme.BEARER,
            "collection": target.pk,
            "interval_minutes": 60,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "ending in /collections/&lt;collection id&gt;/" in body
    assert "This authentication needs a token or key." in body
    # Only the collections the owner may write are offered, and only they are taken.
    assert "Coordinators only" not in body and "Mirror" in body
    response = client.post(
        "/intel/sources/new/",
        {
            "name": "Feed",
            "kind": SourceKind.MISP_FEED,
            "url": "https://feeds.example.org/misp/",
            "auth_scheme": AuthScheme.NONE,
            "collection": closed.pk,
            "interval_minutes": 2,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice." in body
    assert "Ensure this value is greater than or equal to 5." in body
    assert not RemoteSource.objects.exists()


def test_the_list_shows_state_errors_and_latest_polls(
    admin: Any, target: Any, django_assert_num_queries: Any
) -> None:
    for number in range(4):
        source = make_source(admin, target, TAXII_URL, name=f"Source {number}")
        for _ in range(4):
            a_poll(source)
        RemoteSource.objects.filter(pk=source.pk).update(
            last_error="Cannot connect to taxii.example.org: Connection refused."
        )
    client = signed_in(admin)
    # The session, the person and their grants (6), then the count, the sources with their
    # collections and owners, and their latest polls: as many for 4 sources as for 400.
    with django_assert_num_queries(9):
        response = client.get("/intel/sources/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Connection refused.") >= 4
    assert "4 sources failed at their last poll:" in body
    # The three latest polls of each source.
    assert body.count("/intel/sources/polls/") == 4 * 3
    # htmx (the pagination's links) gets the results alone.
    part = client.get("/intel/sources/?page=1", headers={"HX-Request": "true"})
    assert part.content.decode().startswith('<div id="results">')
    assert "<html" not in part.content.decode()


def test_poll_now_and_the_poll_page(
    admin: Any,
    target: Any,
    scripted_taxii: ScriptedTaxii,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scripted_taxii.envelope = {
        "objects": [f.indicator("192.0.2.1"), f.indicator("192.0.2.2", label=TLP.RED)]
    }
    source = make_source(admin, target, scripted_taxii.url, name="Scripted")
    client = signed_in(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/intel/sources/{source.pk}/poll/")
    assert response.status_code == 302
    poll = SourcePoll.objects.get(source=source)
    assert (poll.status, poll.stored) == (PollStatus.SUCCESS, 2)
    detail = client.get(f"/intel/sources/{source.pk}/").content.decode()
    assert f"/intel/sources/polls/{poll.pk}/" in detail

    # The poll's page lists the versions its reader may read: the owner sees both...
    body = client.get(f"/intel/sources/polls/{poll.pk}/").content.decode()
    ids = list(StixObject.objects.filter(collection=target).values_list("stix_id", flat=True))
    assert all(stix_id in body for stix_id in ids)
    # ...another Secretariat administrator does not see the owner's TLP:RED version.
    other = signed_in(_other_admin())
    body = other.get(f"/intel/sources/polls/{poll.pk}/").content.decode()
    red = StixObject.objects.get(collection=target, tlp=TLP.RED).stix_id
    assert red not in body
    assert "1 stored version is not shown: you may not read it." in body


def _other_admin() -> Any:
    from cicte.accounts.tests import factories as af

    user = af.secretariat_admin()
    af.grant(user, "member", network_slug="csirtamericas")
    return user


def test_a_poll_page_of_a_deleted_source(admin: Any, target: Any) -> None:
    source = make_source(admin, target, TAXII_URL, name="Gone")
    poll = a_poll(source)
    services.delete_source(actor=admin, source=source)
    body = signed_in(admin).get(f"/intel/sources/polls/{poll.pk}/").content.decode()
    assert "Gone" in body and "deleted source" in body
