"""Shared fixtures of the work plan tests: the 2022-2023 plan loaded, the Secretariat, the
coordinators of Argentina and of Chile, a member without a role in the work plan."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.models import User
from cicte.accounts.tests import factories
from cicte.workplan import services
from cicte.workplan.management.commands.load_work_plan import DEFAULT
from cicte.workplan.models import WorkPlan
from cicte.workplan.plan_text import parse


@pytest.fixture
def plan(db: Any) -> WorkPlan:
    work_plan, _counts = services.import_work_plan(
        actor=None, plan=parse(DEFAULT.read_text(encoding="utf-8"))
    )
    return work_plan


@pytest.fixture
def secretariat(db: Any) -> User:
    user = factories.secretariat_admin(username="secretariat")
    factories.add_totp(user)
    return user


@pytest.fixture
def coordinator_ar(db: Any) -> User:
    user = factories.national_coordinator("AR", "inter-american-network-against-terrorism")
    factories.add_totp(user)
    return user


@pytest.fixture
def coordinator_cl(db: Any) -> User:
    user = factories.national_coordinator("CL", "csirtamericas")
    factories.add_totp(user)
    return user


@pytest.fixture
def member(db: Any) -> User:
    user = factories.UserFactory()
    factories.grant(user, "member", network_slug="csirtamericas")
    return user


def sign_in(user: User) -> Client:
    """A client signed in as ``user`` through the real forms (password, then TOTP)."""
    from cicte.accounts.models import TOTPDevice

    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    if response["Location"].endswith("/accounts/login/verify/"):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        response = client.post("/accounts/login/verify/", {"token": factories.totp_now(device)})
        assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def as_user(db: Any) -> Any:
    return sign_in
