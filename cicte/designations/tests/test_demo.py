"""The demo's designations: Colombia's list with a designation at each step; a second run
writes nothing."""

from __future__ import annotations

import pytest

from cicte.accounts.models import Organization
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent
from cicte.designations import demo
from cicte.designations.choices import ActionStatus, DesignationStatus, FreezeStatus
from cicte.designations.models import Action, Designation
from cicte.designations.tests.conftest import official
from cicte.sanctions.models import ListEntity, ListVersion

pytestmark = pytest.mark.django_db


def test_seed_twice() -> None:
    organization = factories.OrganizationFactory(
        member_state=factories.state("CO"), name="UIAF demo", slug="uiaf-co"
    )
    officer = official("CO", "designation_officer", org=organization)
    approver = official("CO", "designation_approver", org=organization)
    officer.username, approver.username = demo.OFFICER, demo.APPROVER
    officer.save(update_fields=["username"])
    approver.save(update_fields=["username"])
    notes: list[str] = []
    demo.seed(admin=None, note=lambda what, _created: notes.append(what), log=lambda _m: None)
    assert len(notes) == 6
    by_status = {
        status: Designation.objects.filter(status=status).count()
        for status in DesignationStatus.values
    }
    assert by_status == {"proposed": 1, "listed": 4, "delisted": 1, "not_listed": 0}
    assert Designation.objects.filter(kind="organization", status="listed").count() == 1
    assert Designation.objects.get(freeze_status=FreezeStatus.PARTIALLY_UNFROZEN)
    assert Action.objects.filter(kind="amend", status=ActionStatus.APPROVED).count() == 1
    assert Action.objects.filter(status=ActionStatus.PENDING).count() == 1
    for action in Action.objects.exclude(status=ActionStatus.PENDING):
        assert action.decided_by_id != action.proposed_by_id
    delisted = Designation.objects.get(status="delisted")
    assert delisted.delisting_reason
    assert ListEntity.objects.filter(sanctions_list__key="co").current().count() == 4
    versions = ListVersion.objects.filter(sanctions_list__key="co").count()
    assert versions == 8  # five designations, an amendment, a delisting, an exemption

    events = AuditEvent.objects.count()
    demo.seed(admin=None, note=lambda what, _created: notes.append(what), log=lambda _m: None)
    assert len(notes) == 6
    assert AuditEvent.objects.count() == events
    assert ListVersion.objects.filter(sanctions_list__key="co").count() == versions
    assert Organization.objects.filter(slug="uiaf-co").count() == 1
