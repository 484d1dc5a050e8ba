"""TLP:CLEAR intelligence is public on the web pages and in a feed; nothing else is."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    organization = f.csirt("CO")
    author = f.analyst(organization)
    af.grant(author, "org_admin")  # may publish TLP:CLEAR
    collection = f.collection()
    objects = {
        label: f.indicator(f"192.0.2.{n}", label=label, name=f"Public {label}")
        for n, label in enumerate([TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.RED], start=10)
    }
    ingest = f.post(author, collection, list(objects.values()))
    assert ingest.success_count == 4
    return objects


def test_anonymous_visitors_see_clear_and_only_clear(shared):
    anonymous = Client()
    page = anonymous.get("/intel/public/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Public clear" in text
    for label in (TLP.GREEN, TLP.AMBER, TLP.RED):
        assert f"Public {label}" not in text
    detail = anonymous.get(f"/intel/public/objects/{shared[TLP.CLEAR]['id']}/")
    assert detail.status_code == 200 and "192.0.2.10" in detail.content.decode()
    for label in (TLP.GREEN, TLP.AMBER, TLP.RED):
        assert anonymous.get(f"/intel/public/objects/{shared[label]['id']}/").status_code == 404
    # The private pages still send anonymous visitors to the login page.
    assert anonymous.get("/intel/").status_code == 302


def test_the_public_feed_is_a_bundle_of_clear_objects_as_posted(shared):
    response = Client().get("/intel/public/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/stix+json")
    bundle = json.loads(response.content)
    assert bundle["type"] == "bundle" and bundle["id"].startswith("bundle--")
    assert bundle["objects"] == [shared[TLP.CLEAR]]


def test_type_filter_and_an_inactive_collection(shared):
    anonymous = Client()
    assert "Public clear" not in anonymous.get("/intel/public/?type=malware").content.decode()
    from cicte.intel.models import Collection

    Collection.objects.update(is_active=False)
    assert "Public clear" not in anonymous.get("/intel/public/").content.decode()
    assert json.loads(anonymous.get("/intel/public/feed.json").content)["objects"] == []
