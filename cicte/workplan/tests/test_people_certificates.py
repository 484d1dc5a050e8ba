"""Certificates: the PDF, and the public verification page for valid, revoked, unknown and
malformed (forged) codes, reachable without signing in and showing no personal data beyond the
holder's name."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.utils import timezone

from cicte.core.models import AuditEvent
from cicte.core.tests.html import page_text
from cicte.workplan import certificates
from cicte.workplan import services_people as services
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    client_of,
    people_world_fixture,
)

pytestmark = pytest.mark.django_db


def test_pdf(people_world: PeopleWorld) -> None:
    certificate = people_world.certificate
    pdf = certificates.render_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    assert certificate.code.encode() in pdf
    url = certificates.verification_url(certificate)
    assert url.endswith(f"/certificates/{certificate.code}/")
    assert f"/URI ({url})".encode() in pdf


def test_download_by_the_organiser(login: Any, people_world: PeopleWorld) -> None:
    client = client_of(login, people_world.organiser)
    response = client.get(f"/workplan/certificates/{people_world.certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert people_world.certificate.code.encode() in response.content
    event = AuditEvent.objects.get(action="workplan.certificate.download")
    assert event.actor == people_world.organiser
    assert (
        event.object_repr
        == f"certificate #{people_world.certificate.pk} (registration #{people_world.ana_registration.pk})"
    )


@pytest.mark.parametrize(
    "code",
    ["{code}", "{lower}", "{spaced}"],
)
def test_valid_code(people_world: PeopleWorld, code: str) -> None:
    real = people_world.certificate.code
    asked = code.format(code=real, lower=real.lower(), spaced=real.replace("-", " "))
    response = Client().get(f"/certificates/{asked}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain in ([], [(f"/certificates/{real}/", 302)])
    body = page_text(response)
    assert "Valid certificate" in body
    assert "Ana Pérez" in body
    assert "Cybersecurity incident response course" in body
    assert real in body
    # Nothing else about the person.
    for private in ("ana.perez@example.gov.ar", "CERT.ar", "Analyst", "85.5", "40.25"):
        assert private not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_revoked_code(people_world: PeopleWorld) -> None:
    services.revoke_certificate(
        actor=people_world.admin,
        certificate=people_world.certificate,
        reason="Completion recorded in error",
    )
    response = Client().get(f"/certificates/{people_world.certificate.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Valid certificate" not in body
    people_world.certificate.refresh_from_db()
    revoked_on = date_filter(timezone.localtime(people_world.certificate.revoked_at), "DATE_FORMAT")
    assert f"Revoked on {revoked_on}: Completion recorded in error" in body


@pytest.mark.parametrize(
    "code",
    [
        "7K2M-9QXD-4HTB-P0WZ",  # well formed, never issued
        "ABCD",  # too short
        "UUUU-UUUU-UUUU-UUUU",  # U is not in the alphabet
        "%3Cscript%3E",  # markup
        "x" * 300,
    ],
)
def test_unknown_and_forged_codes(people_world: PeopleWorld, code: str) -> None:
    response = Client().get(f"/certificates/{code}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "No certificate with this code." in body
    assert "Ana" not in body and "<script>" not in body


def test_lookup_form_is_public(people_world: PeopleWorld) -> None:
    response = Client().get("/certificates/")
    assert response.status_code == 200
    response = Client().get("/certificates/", {"code": people_world.certificate.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{people_world.certificate.code}/"
    response = Client().get("/certificates/", {"code": "nonsense"})
    assert response["Location"] == "/certificates/invalid/"


def test_normalise_code() -> None:
    assert certificates.normalise_code(" 7k2m 9qxd-4htb-pOwz ") == "7K2M-9QXD-4HTB-P0WZ"
    assert certificates.normalise_code("7K2M9QXD4HTBP0WZ") == "7K2M-9QXD-4HTB-P0WZ"
    assert certificates.normalise_code("7K2M-9QXD-4HTB") is None
    assert certificates.normalise_code("7K2M-9QXD-4HTB-P0WU") is None
