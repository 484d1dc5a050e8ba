"""Single-name screening: the page and ``POST /api/sanctions/screen/`` run one path and give the
same hits with their explanations; each screening is audited without the name; with a customer
record id, hits the organisation cleared earlier are left out (and listed apart)."""

from __future__ import annotations

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.screening.choices import Verdict
from cicte.screening.tests.helpers import screen

pytestmark = pytest.mark.django_db

API = "/api/sanctions/screen/"
PAGE = "/sanctions/screening/"
QUERY = {
    "name": "Gilberto José Rodríguez Orejuela",
    "birth_date": "1939-01-31",
    "nationality": "CO",
}


def _api(user):
    _token, secret = af.api_token(user, "sanctions:read")
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def test_page_and_api_give_the_same_hits(world, login):
    api = _api(world.analyst).post(
        API, {**QUERY, "lists": ["ofac", "un"]}, content_type="application/json"
    )
    assert api.status_code == 200, api.content
    hits = api.json()["hits"]
    assert [(h["list"], h["list_entity_id"]) for h in hits] == [("ofac", "4107")]
    assert hits[0]["score"] == 1.0

    client = login(world.analyst)
    page = client.post(
        PAGE, {**QUERY, "lists": ["ofac", "un"], "threshold": str(DEFAULT_THRESHOLD)}
    )
    assert page.status_code == 200
    result = page.context["result"]
    assert result.hits == hits
    html = page.content.decode()
    assert "1 hit" in html
    assert 'href="/sanctions/ofac/entities/ofac-4107/"' in html
    # The explanation: the name's parts, each feature's contribution, the score and threshold.
    assert "Gilberto Jose RODRIGUEZ OREJUELA" in html
    assert "birth_date" in html and "+0.080" in html
    assert f"threshold {DEFAULT_THRESHOLD}" in html
    events = AuditEvent.objects.filter(action="sanctions.screen").order_by("pk")
    assert events.count() == 2
    for event in events:
        assert event.changes["lists"] == ["ofac", "un"] and event.changes["hits"] == 1
        assert "orejuela" not in str(event.changes).lower()


def test_the_page_says_what_to_fix(world, login):
    client = login(world.analyst)
    response = client.post(
        PAGE, {"name": "Ana", "birth_date": "1970-13-01", "lists": ["un"], "threshold": "0.75"}
    )
    assert response.status_code == 200 and response.context["result"] is None
    assert "birth date must be YYYY, YYYY-MM or YYYY-MM-DD" in response.content.decode()
    response = client.post(PAGE, {"name": "Ana", "lists": ["zz"], "threshold": "2"})
    form = response.context["form"]
    assert set(form.errors) == {"lists", "threshold"}
    assert not AuditEvent.objects.filter(action="sanctions.screen").exists()


def test_a_record_id_leaves_out_hits_cleared_earlier(world, login):
    job = screen(world.analyst, lists=["ofac"])
    hit = job.hit_rows.get(record_id="C-3")
    from cicte.screening import services

    services.decide(
        actor=world.analyst, hit=hit, verdict=Verdict.FALSE_POSITIVE, reason="Born 1988"
    )
    query = {
        "name": "RODRIGUEZ OREJUELA, Miguel Ángel",
        "birth_date": "1988-05-12",
        "nationality": "CO",
        "kind": "person",
        "lists": ["ofac"],
    }
    # Without the record id, or from another organisation: raised.
    assert (
        len(_api(world.analyst).post(API, query, content_type="application/json").json()["hits"])
        == 1
    )
    other = _api(world.other).post(
        API, {**query, "record_id": "C-3"}, content_type="application/json"
    )
    assert len(other.json()["hits"]) == 1 and other.json()["cleared"] == []
    # With it, by the bank: cleared, on the API and on the page.
    body = (
        _api(world.colleague)
        .post(API, {**query, "record_id": "C-3"}, content_type="application/json")
        .json()
    )
    assert body["hits"] == [] and [h["list_entity_id"] for h in body["cleared"]] == ["4108"]
    page = login(world.analyst).post(PAGE, {**query, "record_id": "C-3", "threshold": "0.75"})
    assert page.context["result"].hits == [] and len(page.context["result"].cleared) == 1
    assert "1 hit cleared earlier for this customer record" in page.content.decode()
    event = AuditEvent.objects.filter(action="sanctions.screen").latest("pk")
    assert event.changes["hits"] == 0 and event.changes["cleared"] == 1
    # A changed record (another birth date) is raised again.
    again = (
        _api(world.analyst)
        .post(
            API,
            {**query, "birth_date": "1988-05-13", "record_id": "C-3"},
            content_type="application/json",
        )
        .json()
    )
    assert len(again["hits"]) == 1 and again["cleared"] == []
