"""The Secretariat manages collections: create, change rights and sharing groups; audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.intel import services
from cicte.intel.models import Collection
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = af.secretariat_admin()
    client = Client()
    client.force_login(admin)
    session = client.session
    # Secretariat administrators must use a second factor: mark the session as verified.
    device = af.add_totp(admin)
    session["otp_device_id"] = device.persistent_id
    session.save()
    return admin, client


def test_the_secretariat_creates_and_changes_a_collection(admin_client):
    _admin, client = admin_client
    mexico = f.csirt("MX")
    mx = f.analyst(mexico)
    assert client.get("/intel/collections/manage/").status_code == 200
    response = client.post(
        "/intel/collections/new/",
        {
            "title": "Ransomware indicators",
            "alias": "ransomware",
            "description": "",
            "network": af.network("csirtamericas").pk,
            "default_tlp": "green",
            "is_active": "on",
            "read_roles": ["member", "org_admin"],
            "write_roles": ["org_admin"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    collection = Collection.objects.get(title="Ransomware indicators")
    assert services.may_read(mx, collection) and not services.may_write(mx, collection)
    response = client.post(
        f"/intel/collections/{collection.pk}/edit/",
        {
            "title": "Ransomware indicators",
            "alias": "ransomware",
            "description": "Shared by national CSIRTs",
            "default_tlp": "amber",
            "is_active": "on",
            "read_roles": ["member"],
            "write_roles": ["member"],
        },
    )
    assert response.status_code == 302
    collection.refresh_from_db()
    assert collection.default_tlp == "amber" and collection.network.slug == "csirtamericas"
    assert services.may_write(mx, collection)
    update = AuditEvent.objects.get(action="intel.collection_update")
    assert update.changes["write_roles"] == ["member"]


def test_a_sharing_group_or_a_network_not_both_nor_neither(admin_client):
    _admin, client = admin_client
    co, mx = f.csirt("CO"), f.csirt("MX")
    base = {
        "title": "Bilateral",
        "default_tlp": "amber",
        "is_active": "on",
        "read_roles": ["member"],
    }
    neither = client.post("/intel/collections/new/", base)
    assert neither.status_code == 200 and "sharing group" in neither.content.decode()
    both = client.post(
        "/intel/collections/new/",
        {**base, "network": af.network("csirtamericas").pk, "organizations": [co.pk, mx.pk]},
    )
    assert both.status_code == 200
    group = client.post("/intel/collections/new/", {**base, "organizations": [co.pk, mx.pk]})
    assert group.status_code == 302
    collection = Collection.objects.get(title="Bilateral")
    assert collection.network is None
    assert set(collection.organizations.all()) == {co, mx}


def test_only_the_secretariat_manages_collections():
    analyst = f.analyst()
    client = Client()
    client.force_login(analyst)
    assert client.get("/intel/collections/manage/").status_code == 403
    assert client.get("/intel/collections/new/").status_code == 403
    collection = f.collection()
    with pytest.raises(PermissionDenied):
        services.update_collection(actor=analyst, collection=collection, title="Mine")
