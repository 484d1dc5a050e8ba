"""The demo's TAXII API root: the two demo CSIRT analysts (colCERT, Colombia; CERT-MX, Mexico)
read and write the same CSIRTAmericas collection over HTTP Basic with their demo password."""

from __future__ import annotations

import json

import pytest

from cicte.core import demo
from cicte.intel.models import Collection, Ingest, StixObject
from cicte.taxii import demo as taxii_demo
from cicte.taxii.tests.client import as_basic, objects_url

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-taxii-password-2026"
ANALYSTS = ("colcert.analyst", "certmx.analyst")


def test_demo_csirts_share_a_collection_over_basic_auth(django_capture_on_commit_callbacks):
    demo.seed(password=PASSWORD)
    collection = Collection.objects.get(network__slug="csirtamericas", alias=taxii_demo.ALIAS)
    posted = taxii_demo._objects()
    every_id = {o["id"] for objs in posted.values() for o in objs}
    for username in ANALYSTS:
        client = as_basic(username, PASSWORD)
        discovery = client.get("/taxii2/")
        assert discovery.status_code == 200, discovery.content
        assert "http://testserver/taxii2/csirtamericas/" in discovery.json()["api_roots"]
        listed = client.get("/taxii2/csirtamericas/collections/").json()["collections"]
        mine = next(c for c in listed if c["id"] == str(collection.pk))
        assert (mine["can_read"], mine["can_write"]) == (True, True)
        body = json.loads(client.get(objects_url(collection), {"limit": 100}).content)
        assert {o["id"] for o in body["objects"]} == every_id
    # Both may write.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_basic("certmx.analyst", PASSWORD).post(
            objects_url(collection), {"objects": []}
        )
    assert response.status_code == 202
    # The objects come from the two organisations.
    owners = set(
        StixObject.objects.filter(collection=collection).values_list(
            "owner_organization__slug", flat=True
        )
    )
    assert owners == {"colcert-co", "cert-mx"}


def test_a_second_run_writes_nothing():
    demo.seed(password=PASSWORD)
    counts = (Collection.objects.count(), StixObject.objects.count(), Ingest.objects.count())
    report = demo.seed(password=PASSWORD)
    assert (report.created, report.updated) == ([], [])
    assert (
        Collection.objects.count(),
        StixObject.objects.count(),
        Ingest.objects.count(),
    ) == counts
