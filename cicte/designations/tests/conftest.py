"""The people of the designation tests: Colombia's officials (a proposer, an approver, one who
holds both roles, one of the FIU without either), an official of Argentina, the Secretariat, a
bank of Colombia (an observer of the targeted financial sanctions network); and helpers to sign
them in (the designation roles require two-factor authentication) and call the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import User
from cicte.accounts.tests import factories
from cicte.designations import services

TFS = "targeted-financial-sanctions"

PERSON: dict[str, Any] = {
    "kind": "person",
    "first_name": "Juan Carlos",
    "second_name": "Pérez",
    "third_name": "Gómez",
    "aliases": [
        {"name": "El Contador", "quality": "good"},
        {"name": "JC", "quality": "low"},
        {"name": "خوان كارلوس", "quality": "original_script"},
    ],
    "gender": "male",
    "dates_of_birth": ["1975-03-14"],
    "place_of_birth": "Cali, Valle del Cauca",
    "birth_country": "CO",
    "nationalities": ["CO", "Venezuela"],
    "documents": [
        {"type": "passport", "number": "AX123456", "country": "CO"},
        {"type": "national_id", "number": "79.456.123", "country": "CO"},
    ],
    "addresses": [{"street": "Calle 10 # 5-51", "city": "Cali", "country": "CO"}],
    "domestic_law": "Ley 1121 de 2006",
    "article": "art. 20",
    "statement_of_case": "Confidential: transfers to a terrorist organisation, 2024-2026.",
    "public_summary": "Financed terrorist acts through front companies.",
}
ORGANISATION: dict[str, Any] = {
    "kind": "organization",
    "name": "Fundación Horizonte Nuevo",
    "aliases": [{"name": "FHN", "quality": "good"}],
    "legal_form": "Fundación",
    "registration_number": "S0012345",
    "jurisdiction": "CO",
    "documents": [{"type": "tax_number", "number": "900.123.456-7", "country": "CO"}],
    "addresses": [{"street": "Carrera 7 # 12-30", "city": "Bogotá", "country": "CO"}],
    "domestic_law": "Ley 1121 de 2006",
    "article": "art. 20",
    "statement_of_case": "Confidential: collected funds for an armed group.",
    "public_summary": "Raised funds for a terrorist group under cover of charity.",
}


def official(state: str, *roles: str, org: Any = None) -> User:
    organization = org or factories.OrganizationFactory(
        member_state=factories.state(state), kind=OrganizationKind.FIU
    )
    user = factories.UserFactory(organization=organization)
    for role in roles:
        factories.grant(user, role, network_slug=TFS)
    if roles:
        factories.add_totp(user)
    return user


@pytest.fixture
def uiaf() -> Any:
    organization = factories.OrganizationFactory(
        member_state=factories.state("CO"), kind=OrganizationKind.FIU, name="UIAF"
    )
    factories.join(organization, TFS)
    return organization


@pytest.fixture
def proposer(uiaf: Any) -> User:
    return official("CO", "designation_officer", org=uiaf)


@pytest.fixture
def approver(uiaf: Any) -> User:
    return official("CO", "designation_approver", org=uiaf)


@pytest.fixture
def both(uiaf: Any) -> User:
    """Holds both roles: still never approves their own proposal."""
    return official("CO", "designation_officer", "designation_approver", org=uiaf)


@pytest.fixture
def colleague(uiaf: Any) -> User:
    """Of the same FIU and network, without either designation role."""
    return official("CO", org=uiaf)


@pytest.fixture
def foreign() -> User:
    """Argentina's designation officer and approver."""
    return official("AR", "designation_officer", "designation_approver")


@pytest.fixture
def secretariat() -> User:
    user = factories.secretariat_admin()
    factories.add_totp(user)
    return user


@pytest.fixture
def bank() -> User:
    organization = factories.OrganizationFactory(
        member_state=factories.state("CO"), kind=OrganizationKind.PRIVATE, name="Banco"
    )
    factories.join(organization, TFS, "observer")
    return factories.UserFactory(organization=organization)


def sign_in(user: User) -> Client:
    """A new browser signed in as ``user`` through the real forms (with TOTP when enrolled)."""
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


def api(user: User, *scopes: str) -> Client:
    """A client that calls the API with a personal token of ``user``."""
    _token, secret = factories.api_token(user, *(scopes or ("sanctions:write",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def listed(proposer: User, approver: User, data: dict[str, Any] | None = None) -> Any:
    """A designation proposed and approved: listed and published."""
    action = services.propose_designation(
        actor=proposer, member_state=factories.state("CO"), data=dict(data or PERSON)
    )
    services.approve(actor=approver, action=action)
    action.designation.refresh_from_db()
    return action.designation
