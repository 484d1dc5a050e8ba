"""The hottest TAXII reads run statements compiled once per reader (cicte.core.statements):
rights, roles, tokens and labels that change between two requests of one process take effect at
the very next request."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cicte.accounts import services as account_services
from cicte.accounts.models import OrganizationMembership
from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.intel import services
from cicte.intel.tests import factories as f
from cicte.taxii.tests.client import Taxii, as_token, objects_url

pytestmark = pytest.mark.django_db


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [obj["id"] for obj in json.loads(response.content).get("objects", [])]


def test_leaving_the_network_closes_the_collection_at_the_next_request(world):
    target = world["collection"]
    green = f.indicator("192.0.2.10", label=TLP.GREEN)
    f.post(world["co"], target, [green])
    mexico = as_token(world["mx"], "intel:read")
    url = objects_url(target)
    assert _ids(mexico.get(url)) == [green["id"]]
    assert mexico.get(url.replace("objects/", "manifest/")).status_code == 200
    membership = OrganizationMembership.objects.get(organization=world["mx"].organization)
    account_services.remove_organization_from_network(
        actor=af.secretariat_admin(), membership=membership
    )
    assert mexico.get(url).status_code == 404
    assert mexico.get(url.replace("objects/", "manifest/")).status_code == 404
    # Colombia, same statements, still reads it.
    assert _ids(as_token(world["co2"], "intel:read").get(url)) == [green["id"]]


def test_read_roles_changed_between_requests(world):
    target = world["collection"]
    f.post(world["co"], target, [f.indicator("192.0.2.11", label=TLP.GREEN)])
    mexico = as_token(world["mx"], "intel:read")
    assert len(_ids(mexico.get(objects_url(target)))) == 1
    services.update_collection(
        actor=af.secretariat_admin(),
        collection=target,
        read_roles=["national_coordinator"],
    )
    assert mexico.get(objects_url(target)).status_code == 404


def test_a_revoked_token_is_refused_at_the_next_request(world):
    target = world["collection"]
    f.post(world["co"], target, [f.indicator("192.0.2.12", label=TLP.GREEN)])
    token, secret = af.api_token(world["mx"], "intel:read")
    client = Taxii(Client(), f"Token {secret}")
    assert len(_ids(client.get(objects_url(target)))) == 1
    account_services.revoke_api_token(actor=world["mx"], token=token)
    assert client.get(objects_url(target)).status_code == 401


def test_an_amber_object_is_seen_by_its_organisation_only_whatever_was_compiled_first(world):
    """Two readers of one collection, with the same filters: each gets the statement of their
    own visibility (the rule's part of the key), in either order."""
    target = world["collection"]
    amber = f.indicator("198.51.100.20", label=TLP.AMBER)
    green = f.indicator("198.51.100.21", label=TLP.GREEN)
    f.post(world["co"], target, [amber, green])
    for order in (("mx", "co2"), ("co2", "mx")):
        for name in order:
            ids = _ids(as_token(world[name], "intel:read").get(objects_url(target)))
            expected = [amber["id"], green["id"]] if name == "co2" else [green["id"]]
            assert ids == expected, name
