"""The pages: the authorization matrix (proposer, approver, an official of the same state
without the roles, an official of another state, the Secretariat, a bank, anonymous), and the
workflow through the forms and buttons."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cicte.accounts.tests import factories
from cicte.designations import services
from cicte.designations.choices import ActionStatus, DesignationStatus
from cicte.designations.models import Action, Designation
from cicte.designations.tests.conftest import ORGANISATION, PERSON, listed, sign_in
from cicte.sanctions.models import ListVersion

pytestmark = pytest.mark.django_db

OFFICIALS = ["proposer", "approver"]
OTHERS = ["colleague", "foreign", "secretariat", "bank"]
SECRET = "Confidential"


@pytest.fixture
def world(proposer: Any, approver: Any) -> dict[str, Any]:
    """A listed person, and a proposed organisation awaiting approval."""
    person = listed(proposer, approver)
    pending = services.propose_designation(
        actor=proposer, member_state=factories.state("CO"), data=ORGANISATION
    )
    return {"listed": person, "pending": pending}


def urls(world: dict[str, Any]) -> dict[str, str]:
    person, pending = world["listed"], world["pending"]
    return {
        "list": reverse("designations:list"),
        "listed": reverse("designations:detail", args=[person.reference]),
        "proposed": reverse("designations:detail", args=[pending.designation.reference]),
        "pending": reverse("designations:pending"),
        "new": reverse("designations:create"),
        "export": reverse("designations:export", args=[person.reference, "json"]),
        "amend": reverse("designations:propose", args=[person.reference, "amend"]),
    }


def test_anonymous_visitors_go_to_the_login_page(client: Client, world: dict[str, Any]) -> None:
    for url in urls(world).values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    action = world["pending"]
    response = client.post(reverse("designations:decide", args=[action.pk, "approve"]))
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING


@pytest.mark.parametrize("who", OFFICIALS)
def test_officials_see_everything_of_their_state(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    browser = sign_in(request.getfixturevalue(who))
    u = urls(world)
    page = browser.get(u["list"])
    assert page.status_code == 200
    assert world["pending"].designation.reference in page.content.decode()
    assert "Fundación Horizonte Nuevo" in page.content.decode()
    for key in ("listed", "proposed"):
        page = browser.get(u[key])
        assert page.status_code == 200, key
        assert SECRET in page.content.decode()
    page = browser.get(u["pending"])
    assert page.status_code == 200
    assert world["pending"].designation.reference in page.content.decode()
    assert browser.get(u["export"]).status_code == 200
    assert browser.get(u["new"]).status_code == (200 if who == "proposer" else 403)
    assert browser.get(u["amend"]).status_code == (200 if who == "proposer" else 403)


@pytest.mark.parametrize("who", OTHERS)
def test_everybody_else_sees_public_fields_of_listed_designations_only(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    browser = sign_in(request.getfixturevalue(who))
    u = urls(world)
    person = world["listed"]
    page = browser.get(u["list"])
    assert page.status_code == 200
    body = page.content.decode()
    assert person.reference in body
    assert world["pending"].designation.reference not in body
    assert "Fundación Horizonte Nuevo" not in body
    assert SECRET not in body
    # The designation's address leads to its public entry on the domestic list.
    page = browser.get(u["listed"])
    assert page.status_code == 302
    entry = reverse("sanctions:entity_detail", args=["co", person.ftm_id])
    assert page["Location"] == entry
    page = browser.get(entry)
    assert page.status_code == 200
    assert PERSON["public_summary"] in page.content.decode()
    assert SECRET not in page.content.decode()
    for key in ("proposed", "export", "amend"):
        assert browser.get(u[key]).status_code == 404, key
    # Argentina's official has a queue of their own state's proposals; the others have none.
    page = browser.get(u["pending"])
    assert page.status_code == (200 if who == "foreign" else 404)
    assert world["pending"].designation.reference not in page.content.decode()
    assert browser.get(u["new"]).status_code == (200 if who == "foreign" else 403)


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_decides(
    who: str, request: pytest.FixtureRequest, world: dict[str, Any]
) -> None:
    browser = sign_in(request.getfixturevalue(who))
    action = world["pending"]
    for decision in ("approve", "reject", "withdraw"):
        response = browser.post(
            reverse("designations:decide", args=[action.pk, decision]), {"note": "x"}
        )
        assert response.status_code == 404
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING


def test_propose_through_the_form_and_approve_with_the_button(proposer: Any, approver: Any) -> None:
    browser = sign_in(proposer)
    form = {
        "kind": "person",
        "first_name": "Ana María",
        "second_name": "Londoño",
        "third_name": "Vélez",
        "aliases": "La Señora | good\nآنا لوندونيو | original_script",  # noqa: RUF001 - a name in Arabic script
        "dates_of_birth": "1980-01-02\n1981",
        "nationalities": "CO, EC",
        "documents": "passport | PA998877 | CO\nnational_id | 52.111.222 | CO | expired",
        "addresses": "Calle 1 # 2-3 | Pasto | Nariño | 520001 | CO",
        "domestic_law": "Ley 1121 de 2006",
        "article": "art. 20",
        "statement_of_case": "Confidential evidence.",
        "public_summary": "Financed attacks.",
    }
    response = browser.post(reverse("designations:create"), form)
    assert response.status_code == 302
    designation = Designation.objects.get()
    assert response["Location"] == reverse("designations:detail", args=[designation.reference])
    assert designation.name == "Ana María Londoño Vélez"
    assert designation.details["dates_of_birth"] == ["1980-01-02", "1981"]
    assert designation.details["nationalities"] == ["co", "ec"]
    assert designation.details["documents"][1]["note"] == "expired"
    assert designation.details["addresses"][0]["postal_code"] == "520001"
    assert designation.details["aliases"][1]["quality"] == "original_script"
    action = designation.actions.get()

    # The proposer's page offers no approval; posting it anyway is refused by the service.
    page = browser.get(reverse("designations:detail", args=[designation.reference]))
    assert "Approve and publish" not in page.content.decode()
    assert "Withdraw my proposal" in page.content.decode()
    response = browser.post(reverse("designations:decide", args=[action.pk, "approve"]))
    assert response.status_code == 403
    assert "Four eyes" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING

    second = sign_in(approver)
    page = second.get(reverse("designations:detail", args=[designation.reference]))
    assert "Approve and publish" in page.content.decode()
    response = second.post(
        reverse("designations:decide", args=[action.pk, "approve"]), {"note": "OK"}
    )
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.LISTED
    version = ListVersion.objects.get(sanctions_list__key="co")
    page = second.get(reverse("designations:detail", args=[designation.reference]))
    body = page.content.decode()
    assert reverse("sanctions:version_detail", args=["co", version.number]) in body
    assert proposer.full_name in body and approver.full_name in body


def test_the_form_reports_bad_input(proposer: Any) -> None:
    browser = sign_in(proposer)
    response = browser.post(
        reverse("designations:create"),
        {
            "kind": "person",
            "name": "X",
            "dates_of_birth": "14/03/1975",
            "documents": "passport | 1 | CO | note | extra",
            "domestic_law": "Ley",
            "statement_of_case": "s",
            "public_summary": "p",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "more than 4 parts" in body
    assert not Designation.objects.exists()
    response = browser.post(
        reverse("designations:create"),
        {
            "kind": "person",
            "name": "X",
            "nationalities": "Atlantis",
            "domestic_law": "Ley",
            "statement_of_case": "s",
            "public_summary": "p",
        },
    )
    assert response.status_code == 400
    assert "is not a country" in response.content.decode()


def test_delist_unfreeze_and_reject_through_the_pages(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    browser, second = sign_in(proposer), sign_in(approver)
    url = reverse("designations:propose", args=[designation.reference, "delist"])
    assert browser.post(url, {"reason": ""}).status_code == 400
    assert browser.post(url, {"reason": "Acquitted."}).status_code == 302
    action = designation.actions.get(kind="delist")
    response = second.post(reverse("designations:decide", args=[action.pk, "reject"]))
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    response = second.post(
        reverse("designations:decide", args=[action.pk, "reject"]), {"note": "Appeal pending."}
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.REJECTED

    url = reverse("designations:propose", args=[designation.reference, "unfreeze"])
    response = browser.post(url, {"scope": "basic_expenses", "reason": "r"})
    assert response.status_code == 400
    assert "ISO 4217" in response.content.decode()
    response = browser.post(
        url,
        {
            "scope": "basic_expenses",
            "reason": "r",
            "amount": "900000",
            "currency": "COP",
            "terms": "Monthly food.",
        },
    )
    assert response.status_code == 302
    action = designation.actions.get(kind="unfreeze")
    response = browser.post(reverse("designations:decide", args=[action.pk, "withdraw"]))
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.WITHDRAWN


def test_amend_form_starts_from_the_designation(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    browser = sign_in(proposer)
    page = browser.get(reverse("designations:propose", args=[designation.reference, "amend"]))
    body = page.content.decode()
    assert "passport | AX123456 | co" in body
    assert "El Contador | good" in body
    assert "CO, VE" in body


def test_the_lists_filter_by_status(proposer: Any, approver: Any, world: dict[str, Any]) -> None:
    browser = sign_in(approver)
    page = browser.get(reverse("designations:list"), {"status": "proposed"})
    body = page.content.decode()
    assert world["pending"].designation.reference in body
    assert world["listed"].reference not in body


def test_the_page_costs_the_same_for_more_rows(proposer: Any, approver: Any) -> None:
    browser = sign_in(approver)
    listed(proposer, approver)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(reverse("designations:list")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        listed(proposer, approver, ORGANISATION)
    assert count() == few
