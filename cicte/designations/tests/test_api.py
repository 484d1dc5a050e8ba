"""The REST API: the same matrix and services as the pages, token scopes, JSON errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories
from cicte.designations import services
from cicte.designations.choices import ActionStatus, DesignationStatus
from cicte.designations.models import Action, Designation
from cicte.designations.tests.conftest import ORGANISATION, PERSON, api, listed
from cicte.sanctions.models import ListVersion

pytestmark = pytest.mark.django_db

BASE = "/api/sanctions/designations/"
CONFIDENTIAL = {"statement_of_case", "delisting_reason", "exemptions", "actions"}


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def world(proposer: Any, approver: Any) -> dict[str, Any]:
    person = listed(proposer, approver)
    pending = services.propose_designation(
        actor=proposer, member_state=factories.state("CO"), data=ORGANISATION
    )
    return {"listed": person, "pending": pending}


def test_anonymous_callers_get_401(client: Client, world: dict[str, Any]) -> None:
    person = world["listed"]
    for url in (BASE, f"{BASE}{person.reference}/", f"{BASE}actions/"):
        assert client.get(url).status_code == 401
    assert post(client, BASE, PERSON).status_code == 401
    action = world["pending"]
    assert post(client, f"{BASE}actions/{action.pk}/approve/", {}).status_code == 401


@pytest.mark.parametrize("who", ["proposer", "approver"])
def test_officials_read_everything(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    caller = api(request.getfixturevalue(who), "sanctions:read")
    body = caller.get(BASE).json()
    assert body["count"] == 2
    rows = {row["reference"]: row for row in body["results"]}
    pending = rows[world["pending"].designation.reference]
    assert pending["status"] == "proposed"
    assert pending["statement_of_case"].startswith("Confidential")
    assert pending["actions"][0]["status"] == "pending"
    detail = caller.get(f"{BASE}{world['listed'].reference}/").json()
    assert detail["actions"][0]["list_version"] == 1
    actions = caller.get(f"{BASE}actions/", {"status": "pending"}).json()
    assert [a["id"] for a in actions["results"]] == [world["pending"].pk]


@pytest.mark.parametrize("who", ["colleague", "foreign", "secretariat", "bank"])
def test_everybody_else_reads_public_fields_of_listed_ones(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    caller = api(request.getfixturevalue(who), "sanctions:read")
    body = caller.get(BASE).json()
    assert [row["reference"] for row in body["results"]] == [world["listed"].reference]
    row = body["results"][0]
    assert not CONFIDENTIAL & set(row)
    assert row["public_summary"] == PERSON["public_summary"]
    assert row["details"]["documents"][0]["number"] == "AX123456"
    assert "Confidential" not in json.dumps(body)
    detail = caller.get(f"{BASE}{world['listed'].reference}/")
    assert detail.status_code == 200
    assert not CONFIDENTIAL & set(detail.json())
    hidden = caller.get(f"{BASE}{world['pending'].designation.reference}/")
    assert hidden.status_code == 404
    assert hidden.json()["error"]
    assert caller.get(f"{BASE}actions/").json()["count"] == 0
    assert caller.get(f"{BASE}actions/{world['pending'].pk}/").status_code == 404
    assert caller.get(f"{BASE}{world['listed'].reference}/export.json/").status_code == 403


@pytest.mark.parametrize("who", ["colleague", "foreign", "secretariat", "bank"])
def test_nobody_else_writes(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    caller = api(request.getfixturevalue(who))
    action = world["pending"]
    for decision in ("approve", "reject", "withdraw"):
        response = post(caller, f"{BASE}actions/{action.pk}/{decision}/", {"note": "x"})
        assert response.status_code == 404
    response = post(
        caller,
        f"{BASE}{world['listed'].reference}/actions/",
        {"kind": "delist", "payload": {"reason": "x"}},
    )
    assert response.status_code == 403
    response = post(caller, BASE, {**PERSON, "member_state": "CO"})
    assert response.status_code == 403
    assert "designation" in response.json()["error"]
    assert Action.objects.filter(status=ActionStatus.PENDING).count() == 1
    assert Designation.objects.count() == 2


def test_the_workflow_through_the_api(proposer: Any, approver: Any) -> None:
    first, second = api(proposer), api(approver)
    response = post(first, BASE, PERSON)
    assert response.status_code == 201, response.content
    body = response.json()
    reference = body["reference"]
    assert body["status"] == "proposed"
    action_id = body["actions"][0]["id"]

    response = post(first, f"{BASE}actions/{action_id}/approve/", {})
    assert response.status_code == 403
    assert "designation approver" in response.json()["error"]

    response = post(second, f"{BASE}actions/{action_id}/approve/", {"note": "OK"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["list_version"] == 1
    assert response.json()["decided_by"] == approver.username

    response = post(
        first, f"{BASE}{reference}/actions/", {"kind": "delist", "payload": {"reason": ""}}
    )
    assert response.status_code == 400
    assert response.json()["detail"]["reason"]
    response = post(
        first, f"{BASE}{reference}/actions/", {"kind": "delist", "payload": {"reason": "Done."}}
    )
    assert response.status_code == 201
    delist_id = response.json()["id"]
    response = post(second, f"{BASE}actions/{delist_id}/reject/", {})
    assert response.status_code == 400
    assert response.json()["detail"]["note"]
    response = post(second, f"{BASE}actions/{delist_id}/approve/", {})
    assert response.json()["list_version"] == 2
    assert Designation.objects.get().status == DesignationStatus.DELISTED
    assert ListVersion.objects.get(number=2).removed_count == 1


def test_bad_input_is_a_400_with_field_messages(proposer: Any) -> None:
    caller = api(proposer)
    response = post(caller, BASE, {**PERSON, "dates_of_birth": ["soon"], "nationalities": ["?"]})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "YYYY-MM-DD" in detail["dates_of_birth"][0]
    assert "not a country" in detail["nationalities"][0]
    response = post(caller, BASE, ["not", "an", "object"])
    assert response.status_code == 400
    response = post(caller, BASE, {**PERSON, "member_state": "AR"})
    assert response.status_code == 403
    assert not Designation.objects.exists()


def test_writes_need_the_write_scope(proposer: Any) -> None:
    reader = api(proposer, "sanctions:read")
    assert reader.get(BASE).status_code == 200
    assert post(reader, BASE, PERSON).status_code == 403
    other_module = api(proposer, "advisories:write")
    assert other_module.get(BASE).status_code == 403
    assert not Designation.objects.exists()


def test_the_list_filters(proposer: Any, approver: Any, world: dict[str, Any]) -> None:
    caller = api(approver, "sanctions:read")
    body = caller.get(BASE, {"status": "listed"}).json()
    assert [r["reference"] for r in body["results"]] == [world["listed"].reference]
    body = caller.get(BASE, {"q": "horizonte"}).json()
    assert [r["reference"] for r in body["results"]] == [world["pending"].designation.reference]


def test_four_eyes_for_one_who_holds_both_roles(both: Any) -> None:
    caller = api(both)
    body = post(caller, BASE, ORGANISATION).json()
    action_id = body["actions"][0]["id"]
    for decision in ("approve", "reject"):
        response = post(caller, f"{BASE}actions/{action_id}/{decision}/", {"note": "mine"})
        assert response.status_code == 403
        assert "Four eyes" in response.json()["error"]
    assert Action.objects.get(pk=action_id).status == ActionStatus.PENDING
    response = post(caller, f"{BASE}actions/{action_id}/withdraw/", {})
    assert response.json()["status"] == "withdrawn"


def test_the_list_costs_the_same_for_more_rows(proposer: Any, approver: Any) -> None:
    caller = api(approver, "sanctions:read")
    listed(proposer, approver)

    def count() -> int:
        caller.get(BASE)  # warm the token's and the user's caches alike
        with CaptureQueriesContext(connection) as queries:
            assert caller.get(BASE).status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        listed(proposer, approver, ORGANISATION)
    assert count() == few
