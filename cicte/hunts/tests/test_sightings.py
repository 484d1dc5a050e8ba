"""A job's matches reported as STIX 2.1 sightings: named (created_by_ref and where_sighted_refs:
the organisation's identity, the same id as its advisories') or anonymous (neither, and the
organisation nowhere in what is stored or in the audit changes), one per matched indicator, with
the indicator's TLP, in the indicator's collection where the reporter may write; skipped and
said why otherwise; once per job; audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.advisories.stix import identity_id
from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.core.models import AuditEvent
from cicte.hunts import services, sightings
from cicte.hunts.choices import SightingOutcome
from cicte.hunts.models import HuntJob
from cicte.hunts.tests.helpers import hunt, indicator, observable, share, upload
from cicte.intel import services as intel_services
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

GREEN_ID = "indicator--3a000000-0000-4000-8000-000000000001"
AMBER_ID = "indicator--3a000000-0000-4000-8000-000000000002"
LOCKED_ID = "indicator--3a000000-0000-4000-8000-000000000003"
TEXT = (
    "query evil-domain.example.com\n"
    "query www.evil-domain.example.com\n"
    "DST=3fff:a1:ce55::23\n"
    "GET https://locked.example.net/\n"
    "query sco.example.org\n"
)


@pytest.fixture
def setup(world) -> dict[str, Any]:
    w = world
    share(
        w.other,
        w.network,
        indicator("[domain-name:value = 'evil-domain.example.com']", stix_id=GREEN_ID),
    )
    share(
        w.other,
        w.group,
        indicator("[ipv6-addr:value = '3fff:a1:ce55::23']", stix_id=AMBER_ID, label=TLP.AMBER),
    )
    # A collection the analyst may read but not write.
    locked = f.collection(title="Read only", write_roles=["org_admin"])
    mexico_admin = f.analyst(w.mexico)
    af.grant(mexico_admin, "org_admin", organization=w.mexico)
    share(
        mexico_admin,
        locked,
        indicator("[url:value = 'https://locked.example.net/']", stix_id=LOCKED_ID),
    )
    sco = share(w.other, w.network, observable("domain-name", "sco.example.org"))[0]
    job = hunt(w.analyst, TEXT, "gateway.log")
    assert job.matches == 5, job.error
    return {"job": job, "locked": locked, "sco": sco}


def stored(stix_id: str) -> dict[str, Any]:
    return json.loads(StixObject.objects.get(stix_id=stix_id).raw)


def sighting_of(indicator_id: str) -> StixObject:
    return StixObject.objects.get(
        type="sighting", raw__contains=f'"sighting_of_ref":"{indicator_id}"'
    )


def test_named_sightings(world, setup, login):
    job = setup["job"]
    client = login(world.analyst)
    response = client.post(f"/hunts/{job.pk}/sightings/", {})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.sightings_stored, job.sightings_skipped, job.sightings_anonymous) == (2, 2, False)
    assert job.sightings_reported_at is not None
    organization = identity_id(world.colombia.slug)  # the identity of its advisories too
    green = sighting_of(GREEN_ID)
    data = json.loads(green.raw)
    assert data == {
        "type": "sighting",
        "spec_version": "2.1",
        "id": sightings.sighting_id(str(job.pk), GREEN_ID),
        "created": data["created"],
        "modified": data["created"],
        "sighting_of_ref": GREEN_ID,
        "count": 2,  # the domain and its subdomain
        "first_seen": sightings.timestamp(job.started_at),
        "last_seen": sightings.timestamp(job.finished_at),
        "object_marking_refs": [TLP2_MARKING_IDS[TLP.GREEN]],
        "created_by_ref": organization,
        "where_sighted_refs": [organization],
    }
    assert green.collection_id == world.network.pk and green.tlp == TLP.GREEN
    amber = sighting_of(AMBER_ID)
    assert amber.collection_id == world.group.pk and amber.tlp == TLP.AMBER
    assert json.loads(amber.raw)["count"] == 1
    # The organisation's identity is stored beside them, so that the references resolve.
    identities = StixObject.objects.filter(stix_id=organization)
    assert {i.collection_id for i in identities} == {world.network.pk, world.group.pk}
    assert json.loads(identities[0].raw)["name"] == world.colombia.name
    # Mexico's analyst, author of the indicators, reads them.
    seen = StixObject.objects.readable_by(world.other).filter(type="sighting")
    assert set(seen.values_list("pk", flat=True)) == {green.pk, amber.pk}
    outcomes = {row["stix_id"]: row["outcome"] for row in job.sightings_report}
    assert outcomes == {
        GREEN_ID: SightingOutcome.STORED,
        AMBER_ID: SightingOutcome.STORED,
        LOCKED_ID: SightingOutcome.NOT_WRITABLE,
        setup["sco"]["id"]: SightingOutcome.OBSERVABLE,
    }
    page = client.get(f"/hunts/{job.pk}/").content.decode()
    assert "Sightings stored: 2. Skipped: 2 (see below why)." in page
    assert "Skipped: you may not write to its collection" in page
    assert "Skipped: an observable, not an indicator" in page
    assert "Report matches as sightings" not in page  # once
    event = AuditEvent.objects.get(action="hunts.sightings_report")
    assert event.actor_id == world.analyst.pk and event.object_id == str(job.pk)
    assert event.changes == {"stored": 2, "skipped": 2, "anonymous": False}


def test_anonymous_sightings_name_nobody(world, setup):
    job = setup["job"]
    _token, secret = af.api_token(world.analyst, "intel:write")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.post(
        f"/api/hunts/{job.pk}/sightings/", {"anonymous": True}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stored"], body["skipped"]) == (2, 2)
    assert {row["outcome"] for row in body["rows"]} == {"stored", "not_writable", "observable"}
    for indicator_id in (GREEN_ID, AMBER_ID):
        data = json.loads(sighting_of(indicator_id).raw)
        assert "created_by_ref" not in data and "where_sighted_refs" not in data
        assert data["sighting_of_ref"] == indicator_id
    # Nothing stored names the organisation: no identity, no name, no slug.
    assert not StixObject.objects.filter(stix_id=identity_id(world.colombia.slug)).exists()
    for obj in StixObject.objects.filter(type__in=["sighting", "identity"]):
        assert world.colombia.name not in obj.raw and world.colombia.slug not in obj.raw
    # Nor the audit trail's changes of the report and of the store.
    for event in AuditEvent.objects.filter(
        action__in=["hunts.sightings_report", "intel.objects_store"]
    ):
        text = json.dumps(event.changes)
        assert world.colombia.name not in text and world.colombia.slug not in text
        assert identity_id(world.colombia.slug) not in text
    job.refresh_from_db()
    assert job.sightings_anonymous is True
    detail = client.get(f"/api/hunts/{job.pk}/").json()
    assert detail["sightings"]["anonymous"] is True and detail["sightings"]["stored"] == 2


def test_once_per_job_and_only_when_complete(world, setup):
    job = setup["job"]
    services.report_sightings(actor=world.analyst, job=job, anonymous=False)
    count = StixObject.objects.filter(type="sighting").count()
    with pytest.raises(ValidationError, match="already reported"):
        services.report_sightings(actor=world.analyst, job=job, anonymous=True)
    _token, secret = af.api_token(world.analyst, "intel:write")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.post(f"/api/hunts/{job.pk}/sightings/", {}, content_type="application/json")
    assert response.status_code == 400
    assert StixObject.objects.filter(type="sighting").count() == count
    pending = services.create_job(actor=world.analyst, upload=upload("x.example.com\n"), name="p")
    with pytest.raises(ValidationError, match="complete"):
        services.report_sightings(actor=world.analyst, job=pending, anonymous=False)
    reader = Client(HTTP_AUTHORIZATION=f"Token {af.api_token(world.analyst, 'intel:read')[1]}")
    assert (
        reader.post(
            f"/api/hunts/{job.pk}/sightings/", {}, content_type="application/json"
        ).status_code
        == 403
    )


def test_a_red_sighting_reaches_the_author_of_the_red_indicator(world):
    red_id = "indicator--3a000000-0000-4000-8000-0000000000ff"
    share(
        world.other,
        world.network,
        indicator("[domain-name:value = 'red.example.com']", stix_id=red_id, label=TLP.RED),
    )
    version = StixObject.objects.get(stix_id=red_id)
    intel_services.name_recipients(
        actor=world.other, version=version, usernames=[world.analyst.username]
    )
    job = hunt(world.analyst, "query red.example.com\n")
    assert job.matches == 1
    report = services.report_sightings(actor=world.analyst, job=job, anonymous=True)
    assert report.stored == 1
    red = sighting_of(red_id)
    assert red.tlp == TLP.RED
    assert json.loads(red.raw)["object_marking_refs"] == [TLP2_MARKING_IDS[TLP.RED]]
    assert StixObject.objects.readable_by(world.other).filter(pk=red.pk).exists()
    assert StixObject.objects.readable_by(world.analyst).filter(pk=red.pk).exists()
    assert not StixObject.objects.readable_by(world.colleague).filter(pk=red.pk).exists()


def test_a_clear_indicator_gets_a_green_sighting_from_who_may_not_publish_clear(world):
    publisher = f.analyst(world.mexico)
    af.grant(publisher, "org_admin", organization=world.mexico)
    clear_id = "indicator--3a000000-0000-4000-8000-0000000000cc"
    share(
        publisher,
        world.network,
        indicator("[domain-name:value = 'clear.example.com']", stix_id=clear_id, label=TLP.CLEAR),
    )
    job = hunt(world.analyst, "query clear.example.com\n")
    services.report_sightings(actor=world.analyst, job=job, anonymous=False)
    sighting = sighting_of(clear_id)
    assert sighting.tlp == TLP.GREEN
    assert StixObject.objects.get(stix_id=identity_id(world.colombia.slug)).tlp == TLP.GREEN


def test_no_indicator_matched_offers_nothing_to_report(world, login):
    share(world.other, world.network, observable("domain-name", "sco.example.org"))
    job = hunt(world.analyst, "query sco.example.org\n")
    page = login(world.analyst).get(f"/hunts/{job.pk}/").content.decode()
    assert "No indicator matched: there is nothing to report." in page
    assert "Report matches as sightings" not in page
    report = services.report_sightings(actor=world.analyst, job=job, anonymous=False)
    assert (report.stored, report.skipped) == (0, 1)
    assert not StixObject.objects.filter(type="sighting").exists()
    empty = hunt(world.analyst, "nothing\n")
    with pytest.raises(ValidationError, match="no matches"):
        services.report_sightings(actor=world.analyst, job=empty, anonymous=False)


def test_a_person_without_organisation_may_not_report(world):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = hunt(world.analyst, "evil-domain.example.com\n")
    HuntJob.objects.filter(pk=job.pk).update(organization=None)
    world.analyst.organization = None
    with pytest.raises(ValidationError, match="organisation"):
        services.report_sightings(actor=world.analyst, job=job, anonymous=True)


def test_an_indicator_deleted_since_the_hunt_is_skipped(world):
    share(
        world.analyst,
        world.network,
        indicator("[domain-name:value = 'gone.example.com']", stix_id=GREEN_ID),
    )
    job = hunt(world.analyst, "query gone.example.com\n")
    intel_services.delete_versions(actor=world.analyst, collection=world.network, stix_id=GREEN_ID)
    row = job.match_rows.get()
    assert row.stix_object_id is None  # the match stays readable without it
    assert (row.indicator, row.collection_title, row.tlp) == (
        "gone.example.com",
        "CSIRTAmericas indicators",
        "green",
    )
    report = services.report_sightings(actor=world.analyst, job=job, anonymous=False)
    assert (report.stored, report.skipped) == (0, 1)
    assert report.rows[0]["outcome"] == SightingOutcome.GONE
