"""``POST /api/sanctions/screen/``: one name against the lists, explained hits; sign-in or a token
with sanctions:read; bad input answers 400 saying what to fix; every screening is audited without
the name."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.sanctions import screening
from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.sanctions.sources import un
from cicte.sanctions.tests.helpers import import_un, small_un_xml

pytestmark = pytest.mark.django_db
URL = "/api/sanctions/screen/"


@pytest.fixture
def listed():
    import_un(small_un_xml())
    screening._CACHE.clear()
    parsed = un.parse(io.BytesIO(small_un_xml()))
    person = next(
        e
        for e in parsed.entities
        if e.schema.name == "Person" and len(e.get("name")[0].split()) >= 2
    )
    return parsed, person


def _token_client(user, *scopes):
    _token, secret = af.api_token(user, *scopes)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def test_a_listed_name_is_found_and_explained(listed):
    parsed, person = listed
    name = person.get("name")[0]
    reader = af.UserFactory()
    response = _token_client(reader, "sanctions:read").post(
        URL, {"name": name.lower(), "lists": ["un"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lists"] == ["un"] and body["threshold"] == DEFAULT_THRESHOLD
    best = body["hits"][0]
    assert best["list"] == "un"
    assert best["list_entity_id"] == parsed.source_id_of(person)
    assert best["entity_id"] == person.id
    assert best["score"] >= 0.75
    assert best["explanation"]["tokens"] and "threshold" in best["summary"]
    # The audit trail says who screened, on which lists, how many hits: never the name.
    event = AuditEvent.objects.filter(action="sanctions.screen").latest("pk")
    assert event.actor_id == reader.pk
    assert event.changes["lists"] == ["un"] and event.changes["hits"] == len(body["hits"])
    assert name.lower() not in str(event.changes).lower()


def test_an_innocent_name_has_no_hit(listed):
    client = Client()
    client.force_login(af.UserFactory())
    response = client.post(
        URL,
        {"name": "Maria Fernanda Gonzalez Rodriguez", "birth_date": "1987-03-14"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["hits"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Ana", "birth_date": "1970-13-01"}, "query"),
        ({"name": "Ana", "nationality": "Atlantis"}, "query"),
        ({"name": "Ana", "kind": "vessel"}, "kind"),
        ({"name": "Ana", "lists": ["zz"]}, "lists"),
        ({"name": "Ana", "threshold": 2}, "threshold"),
    ],
)
def test_bad_input_says_what_to_fix(listed, payload, field):
    response = _token_client(af.UserFactory(), "sanctions:read").post(
        URL, payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["detail"]


def test_credentials_and_scopes(listed):
    assert Client().post(URL, {"name": "Ana"}, content_type="application/json").status_code == 401
    other = _token_client(af.UserFactory(), "intel:read")
    assert other.post(URL, {"name": "Ana"}, content_type="application/json").status_code == 403
