"""The four-eyes workflow through the services: each action's effect on the designation and on
the published domestic list (version and diff), the refusals, idempotent publication, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.designations import services
from cicte.designations.choices import ActionStatus, DesignationStatus, FreezeStatus
from cicte.designations.models import Action, Designation
from cicte.designations.tests.conftest import ORGANISATION, PERSON, listed
from cicte.sanctions.models import EntityChange, ListEntity, ListVersion, SanctionsList

pytestmark = pytest.mark.django_db


def co() -> Any:
    return factories.state("CO")


def versions() -> list[ListVersion]:
    return list(ListVersion.objects.filter(sanctions_list__key="co").order_by("number"))


def changes(version: ListVersion) -> dict[str, str]:
    return {c.entity.ftm_id: c.kind for c in EntityChange.objects.filter(version=version)}


def test_designate_then_approve_lists_and_publishes(proposer: Any, approver: Any) -> None:
    action = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    designation = action.designation
    assert designation.reference.startswith("CO-1373-")
    assert designation.reference.endswith("-0001")
    assert designation.status == DesignationStatus.PROPOSED
    assert designation.name == "Juan Carlos Pérez Gómez"
    assert action.status == ActionStatus.PENDING
    assert not SanctionsList.objects.filter(key="co").exists()  # nothing published yet

    done = services.approve(actor=approver, action=action, note="Evidence reviewed.")
    designation.refresh_from_db()
    assert done.status == ActionStatus.APPROVED
    assert done.decided_by == approver
    assert done.decision_note == "Evidence reviewed."
    assert designation.status == DesignationStatus.LISTED
    assert designation.freeze_status == FreezeStatus.FROZEN
    assert designation.listed_at is not None
    sanctions_list = SanctionsList.objects.get(key="co")
    assert sanctions_list.kind == "domestic"
    assert sanctions_list.member_state == co()
    [version] = versions()
    assert done.list_version == version
    assert version.published_at is not None
    assert done.published_at == version.published_at
    assert (version.added_count, version.amended_count, version.removed_count) == (1, 0, 0)
    assert changes(version) == {designation.ftm_id: "added"}
    entity = ListEntity.objects.get(ftm_id=designation.ftm_id)
    assert entity.source_id == designation.reference
    assert entity.schema == "Person"
    p = entity.properties
    assert p["name"] == ["Juan Carlos Pérez Gómez"]
    assert p["birthDate"] == ["1975-03-14"]
    assert sorted(p["nationality"]) == ["co", "ve"]
    assert p["passportNumber"] == ["AX123456"]
    assert p["idNumber"] == ["79.456.123"]
    assert sorted(p["alias"]) == sorted(["El Contador", "خوان كارلوس"])
    assert p["weakAlias"] == ["JC"]
    assert p["topics"] == ["sanction"]
    related = {r["schema"]: r for r in entity.related}
    assert set(related) == {"Sanction", "Passport", "Identification", "Address"}
    sanction = related["Sanction"]["properties"]
    assert sanction["program"] == ["UNSCR 1373"]
    assert sanction["authorityId"] == [designation.reference]
    assert sanction["reason"] == [PERSON["public_summary"]]
    assert sanction["status"] == ["Assets frozen"]
    assert sanction["listingDate"] == [designation.listed_at.date().isoformat()]
    # The statement of case is never published.
    assert "Confidential" not in str(entity.properties) + str(entity.related)


def test_organisation(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver, ORGANISATION)
    entity = ListEntity.objects.get(ftm_id=designation.ftm_id)
    assert entity.schema == "Organization"
    assert entity.properties["registrationNumber"] == ["S0012345"]
    assert entity.properties["taxNumber"] == ["900.123.456-7"]
    assert entity.properties["legalForm"] == ["Fundación"]
    assert entity.properties["jurisdiction"] == ["co"]


def test_amend_publishes_the_diff(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    data = {**PERSON, "dates_of_birth": ["1975-03-14", "1976"]}
    action = services.propose_action(
        actor=proposer, designation=designation, kind="amend", data=data
    )
    services.approve(actor=approver, action=action)
    _v1, v2 = versions()
    assert (v2.added_count, v2.amended_count, v2.removed_count) == (0, 1, 0)
    change = EntityChange.objects.get(version=v2)
    assert change.kind == "amended"
    assert change.diff == {"birthDate": [["1975-03-14"], ["1975-03-14", "1976"]]}
    designation.refresh_from_db()
    assert designation.details["dates_of_birth"] == ["1975-03-14", "1976"]


def test_amendment_that_changes_nothing_public_makes_no_version(
    proposer: Any, approver: Any
) -> None:
    designation = listed(proposer, approver)
    data = {**PERSON, "statement_of_case": "New confidential evidence."}
    action = services.propose_action(
        actor=proposer, designation=designation, kind="amend", data=data
    )
    done = services.approve(actor=approver, action=action)
    assert len(versions()) == 1
    assert done.status == ActionStatus.APPROVED
    assert done.list_version is None
    assert done.published_at is None
    designation.refresh_from_db()
    assert designation.statement_of_case == "New confidential evidence."
    # Republishing as it is: still nothing new.
    result = services.publish(actor=approver, member_state=co())
    assert result.version is None
    assert len(versions()) == 1


def test_delist_removes_from_the_list_then_full_unfreeze(proposer: Any, approver: Any) -> None:
    keep = listed(proposer, approver, ORGANISATION)
    designation = listed(proposer, approver)
    action = services.propose_action(
        actor=proposer, designation=designation, kind="delist", data={"reason": "Acquitted."}
    )
    services.approve(actor=approver, action=action)
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.DELISTED
    assert designation.delisting_reason == "Acquitted."
    assert designation.delisted_at is not None
    assert designation.freeze_status == FreezeStatus.FROZEN  # until the unfreezing
    last = versions()[-1]
    assert (last.added_count, last.amended_count, last.removed_count) == (0, 0, 1)
    assert changes(last) == {designation.ftm_id: "removed"}
    assert last.entity_count == 1
    current = ListEntity.objects.filter(sanctions_list__key="co").current()
    assert list(current.values_list("ftm_id", flat=True)) == [keep.ftm_id]

    count = len(versions())
    unfreeze = services.propose_action(
        actor=proposer,
        designation=designation,
        kind="unfreeze",
        data={"scope": "full", "reason": "Delisted."},
    )
    done = services.approve(actor=approver, action=unfreeze)
    designation.refresh_from_db()
    assert designation.freeze_status == FreezeStatus.UNFROZEN
    assert done.list_version is None  # not on the list any more: nothing to publish
    assert len(versions()) == count
    with pytest.raises(ValidationError, match="only once"):
        services.propose_action(
            actor=proposer,
            designation=designation,
            kind="unfreeze",
            data={"scope": "full", "reason": "Again."},
        )


def test_partial_unfreeze_amends_the_sanction(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    action = services.propose_action(
        actor=proposer,
        designation=designation,
        kind="unfreeze",
        data={
            "scope": "basic_expenses",
            "amount": "1,500.5",
            "currency": "usd",
            "terms": "Monthly rent and food.",
            "reason": "No other income.",
        },
    )
    assert action.payload["amount"] == "1500.50"
    assert action.payload["currency"] == "USD"
    services.approve(actor=approver, action=action)
    designation.refresh_from_db()
    assert designation.freeze_status == FreezeStatus.PARTIALLY_UNFROZEN
    assert designation.exemptions[0]["amount"] == "1500.50"
    last = versions()[-1]
    assert (last.added_count, last.amended_count, last.removed_count) == (0, 1, 0)
    diff = EntityChange.objects.get(version=last).diff
    assert diff["Sanction.status"] == [
        ["Assets frozen"],
        ["Assets frozen, partially unfrozen (humanitarian exemption)"],
    ]
    assert any("1500.50 USD" in p for p in diff["Sanction.provisions"][1])


def test_false_positive_changes_no_list(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    action = services.propose_action(
        actor=proposer,
        designation=designation,
        kind="unfreeze",
        data={
            "scope": "false_positive",
            "subject": "Juan Carlos Pérez Gómez born 1990, ID 1.010.999.888: a homonym.",
            "reason": "Different date of birth and ID.",
        },
    )
    done = services.approve(actor=approver, action=action)
    designation.refresh_from_db()
    assert done.list_version is None
    assert designation.freeze_status == FreezeStatus.FROZEN
    assert len(versions()) == 1


def test_the_proposer_never_approves_even_with_both_roles(both: Any) -> None:
    action = services.propose_designation(actor=both, member_state=co(), data=PERSON)
    for decide in (services.approve, services.reject):
        with pytest.raises(PermissionDenied, match="Four eyes"):
            decide(actor=both, action=action, note="mine")
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert not SanctionsList.objects.filter(key="co").exists()


def test_second_official_with_both_roles_approves(both: Any, proposer: Any) -> None:
    action = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    assert services.approve(actor=both, action=action).status == ActionStatus.APPROVED


@pytest.mark.parametrize("who", ["proposer", "colleague", "foreign", "secretariat", "bank"])
def test_approval_needs_the_approver_role_of_the_state(
    who: str, request: pytest.FixtureRequest, both: Any
) -> None:
    action = services.propose_designation(actor=both, member_state=co(), data=PERSON)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="designation approver"):
        services.approve(actor=user, action=action)
    with pytest.raises(PermissionDenied):
        services.reject(actor=user, action=action, note="no")
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    assert Designation.objects.get().status == DesignationStatus.PROPOSED


@pytest.mark.parametrize("who", ["approver", "colleague", "foreign", "secretariat", "bank"])
def test_proposal_needs_the_officer_role_of_the_state(
    who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="designation officer"):
        services.propose_designation(actor=user, member_state=co(), data=PERSON)
    assert not Designation.objects.exists()


def test_withdraw_only_by_the_proposer(proposer: Any, approver: Any, both: Any) -> None:
    action = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    for other in (approver, both):
        with pytest.raises(PermissionDenied, match="who proposed it"):
            services.withdraw(actor=other, action=action)
    done = services.withdraw(actor=proposer, action=action, note="Wrong person.")
    assert done.status == ActionStatus.WITHDRAWN
    assert Designation.objects.get().status == DesignationStatus.NOT_LISTED
    with pytest.raises(ValidationError, match="no longer awaiting"):
        services.approve(actor=approver, action=action)


def test_reject_needs_a_note(proposer: Any, approver: Any) -> None:
    action = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    with pytest.raises(ValidationError) as exc:
        services.reject(actor=approver, action=action, note="  ")
    assert "note" in exc.value.message_dict
    done = services.reject(actor=approver, action=action, note="Insufficient evidence.")
    assert done.status == ActionStatus.REJECTED
    assert done.decision_note == "Insufficient evidence."
    assert Designation.objects.get().status == DesignationStatus.NOT_LISTED
    assert not ListVersion.objects.exists()


def test_one_pending_change_at_a_time(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    services.propose_action(
        actor=proposer, designation=designation, kind="delist", data={"reason": "r"}
    )
    with pytest.raises(ValidationError, match="awaits approval"):
        services.propose_action(
            actor=proposer, designation=designation, kind="delist", data={"reason": "r"}
        )


def test_actions_that_do_not_apply_are_refused(proposer: Any, approver: Any) -> None:
    action = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    designation = action.designation
    services.withdraw(actor=proposer, action=action)
    with pytest.raises(ValidationError, match="listed designation"):
        services.propose_action(
            actor=proposer, designation=designation, kind="delist", data={"reason": "r"}
        )
    listed_one = listed(proposer, approver)
    with pytest.raises(ValidationError, match="follows a delisting"):
        services.propose_action(
            actor=proposer,
            designation=listed_one,
            kind="unfreeze",
            data={"scope": "full", "reason": "r"},
        )
    with pytest.raises(ValidationError, match="cannot become an organisation"):
        services.propose_action(
            actor=proposer, designation=listed_one, kind="amend", data=ORGANISATION
        )
    with pytest.raises(ValidationError):
        services.propose_action(
            actor=proposer, designation=listed_one, kind="designate", data=PERSON
        )


def test_references_count_within_the_state(proposer: Any, foreign: Any) -> None:
    first = services.propose_designation(actor=proposer, member_state=co(), data=PERSON)
    second = services.propose_designation(actor=proposer, member_state=co(), data=ORGANISATION)
    argentina = services.propose_designation(
        actor=foreign, member_state=factories.state("AR"), data=PERSON
    )
    assert first.designation.reference[-4:] == "0001"
    assert second.designation.reference[-4:] == "0002"
    assert argentina.designation.reference.startswith("AR-1373-")
    assert argentina.designation.reference[-4:] == "0001"
    assert argentina.designation.ftm_id == "ar-" + argentina.designation.reference.lower()


def test_every_step_is_audited_without_the_name(proposer: Any, approver: Any) -> None:
    designation = listed(proposer, approver)
    delist = services.propose_action(
        actor=proposer, designation=designation, kind="delist", data={"reason": "r"}
    )
    services.reject(actor=approver, action=delist, note="Not yet.")
    events = list(AuditEvent.objects.filter(action__startswith="designations.").order_by("id"))
    assert [(e.action, e.actor) for e in events] == [
        ("designations.action.propose", proposer),
        ("designations.action.approve", approver),
        ("designations.action.propose", proposer),
        ("designations.action.reject", approver),
    ]
    approve = events[1]
    assert approve.changes["list_version"] == 1
    assert approve.changes["added"] == 1
    assert approve.subject_member_state_id == designation.member_state_id
    for event in events:
        assert event.changes["reference"] == designation.reference
        assert "Pérez" not in event.object_repr + str(event.changes)
    assert AuditEvent.objects.filter(action="sanctions.list.import").count() == 1
    assert AuditEvent.objects.filter(action="sanctions.list.create").count() == 1
    assert Action.objects.count() == 2
