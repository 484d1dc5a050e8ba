"""TLP:RED reaches its author and the people they name, nobody else in their organisations."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel import services
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def red():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    people = {
        "author": f.analyst(colombia),
        "colleague": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
    }
    collection = f.collection()
    obj = f.indicator("203.0.113.66", label=TLP.RED)
    f.post(people["author"], collection, [obj])
    later = dict(obj, modified="2026-11-23T00:00:00.000Z")
    f.post(people["author"], collection, [later])
    versions = list(StixObject.objects.filter(stix_id=obj["id"]).order_by("date_added"))
    return people, collection, obj, versions


def seen(user, stix_id) -> int:
    return StixObject.objects.readable_by(user).filter(stix_id=stix_id).count()


def test_named_people_see_every_red_version_and_nobody_else_does(red):
    people, _collection, obj, versions = red
    assert seen(people["author"], obj["id"]) == 2
    assert seen(people["colleague"], obj["id"]) == 0
    assert seen(people["mx"], obj["id"]) == 0
    named = services.name_recipients(
        actor=people["author"], version=versions[0], usernames=[people["mx"].username]
    )
    assert named == [people["mx"]]
    assert seen(people["mx"], obj["id"]) == 2
    # Still not the author's own colleagues, nor the named person's.
    assert seen(people["colleague"], obj["id"]) == 0
    event = AuditEvent.objects.get(action="intel.recipients_name")
    assert event.changes == {"fields": ["audience_users"]}
    assert services.recipients(versions[1]) == [people["mx"]]


def test_only_the_author_names_and_only_readers_of_the_collection(red):
    people, _collection, _obj, versions = red
    with pytest.raises(PermissionDenied):
        services.name_recipients(
            actor=people["colleague"], version=versions[0], usernames=[people["mx"].username]
        )
    with pytest.raises(ValidationError) as refused:
        services.name_recipients(
            actor=people["author"],
            version=versions[0],
            usernames=[people["outsider"].username, "nobody-such"],
        )
    assert people["outsider"].username in str(refused.value)
    assert "nobody-such" in str(refused.value)
    assert not versions[0].audience_users.exists()


def test_the_author_names_recipients_on_the_object_page(red):
    people, collection, obj, versions = red
    author = Client()
    author.force_login(people["author"])
    page = author.get(f"/intel/objects/{obj['id']}/?collection={collection.pk}")
    assert page.status_code == 200
    assert "Who this TLP:RED object reaches" in page.content.decode()
    response = author.post(
        f"/intel/versions/{versions[1].pk}/recipients/", {"usernames": people["mx"].username}
    )
    assert response.status_code == 302
    assert seen(people["mx"], obj["id"]) == 2
    # A named recipient sees the object but not the form; a colleague gets 404 for the form.
    recipient = Client()
    recipient.force_login(people["mx"])
    page = recipient.get(f"/intel/objects/{obj['id']}/?collection={collection.pk}")
    assert page.status_code == 200
    assert "Who this TLP:RED object reaches" not in page.content.decode()
    colleague = Client()
    colleague.force_login(people["colleague"])
    refused = colleague.post(
        f"/intel/versions/{versions[1].pk}/recipients/", {"usernames": people["colleague"].username}
    )
    assert refused.status_code == 404
