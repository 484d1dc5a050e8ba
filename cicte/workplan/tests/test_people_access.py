"""The authorization matrix for participants' personal data: the Secretariat administrator, the
event's organiser, the organiser of another event, a national coordinator, another member and an
anonymous visitor, over every page and download of the registry; then the pages' own flows."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.core.models import AuditEvent
from cicte.workplan.models import Certificate, Person, Registration
from cicte.workplan.tests.people_fixtures import (  # noqa: F401 - fixtures
    PeopleWorld,
    client_of,
    people_world_fixture,
)

pytestmark = pytest.mark.django_db

WHO = ("admin", "organiser", "other_organiser", "coordinator", "member", "anonymous")
# Personal data of Ana and Bruno that only the Secretariat and the organiser may read.
PRIVATE = ("Ana Pérez", "ana.perez@example.gov.ar", "CERT.ar", "Bruno Silva", "85.5")


def urls(world: PeopleWorld) -> dict[str, str]:
    return {
        "event": f"/workplan/events/{world.event.pk}/",
        "participants": f"/workplan/events/{world.event.pk}/participants/",
        "add": f"/workplan/events/{world.event.pk}/participants/add/",
        "import": f"/workplan/events/{world.event.pk}/participants/import/",
        "registry": "/workplan/people/",
        "person": f"/workplan/people/{world.ana.pk}/",
        "person_edit": f"/workplan/people/{world.ana.pk}/edit/",
        "registration": f"/workplan/registrations/{world.ana_registration.pk}/",
        "pdf": f"/workplan/certificates/{world.certificate.pk}/certificate.pdf",
        "revoke": f"/workplan/certificates/{world.certificate.pk}/revoke/",
        "verify": f"/certificates/{world.certificate.code}/",
    }


ALLOWED = {"admin", "organiser"}
# page -> status for those allowed, for the other signed-in people
EXPECTED = {
    "event": (200, 200),
    "participants": (200, 200),
    "add": (200, 403),
    "import": (200, 403),
    "registry": (200, 200),
    "person": (200, 404),
    "person_edit": (200, 404),
    "registration": (200, 404),
    "pdf": (200, 404),
    "revoke": (200, 404),
    "verify": (200, 200),
}


@pytest.mark.parametrize("who", WHO)
def test_pages_and_downloads(login: Any, people_world: PeopleWorld, who: str) -> None:
    client = client_of(login, people_world.user(who))
    for page, url in urls(people_world).items():
        response = client.get(url)
        if who == "anonymous" and page != "verify":
            assert response.status_code == 302, (page, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), page
            continue
        allowed, others = EXPECTED[page]
        expected = allowed if who in ALLOWED else others
        assert response.status_code == expected, (who, page, response.status_code)
        body = response.content.decode("utf-8", "replace") if page != "pdf" else ""
        if who in ALLOWED and page in ("participants", "registry", "person", "registration"):
            assert "Ana Pérez" in body, (who, page)
        if who in ALLOWED and page in ("participants", "registry", "person"):
            assert "ana.perez@example.gov.ar" in body, (who, page)
        if who not in ALLOWED and page != "verify":
            for private in PRIVATE:
                assert private not in body, (who, page, private)
    if who not in ALLOWED and who != "anonymous":
        # Only the figures: 2 participants, 1 female and 1 male, 1 from Argentina, 1 from Brazil;
        # counts of one to four are masked (small cells), the total exact.
        response = client.get(urls(people_world)["participants"])
        counts = response.context["counts"]
        assert counts["total"] == 2
        assert dict(counts["by_sex"]) == {
            "Female": "<5",
            "Male": "<5",
            "Other": 0,
            "Prefer not to say": 0,
        }
        assert dict(counts["by_state"]) == {"Argentina": "<5", "Brazil": "<5"}
        assert "registrations" not in response.context
        # The event's own page shows the same figures.
        response = client.get(urls(people_world)["event"])
        assert response.context["participant_counts"] == counts
        assert "2 participants" in response.content.decode()


@pytest.mark.parametrize("who", WHO)
def test_registry_lists_only_what_each_may_see(
    login: Any, people_world: PeopleWorld, who: str
) -> None:
    client = client_of(login, people_world.user(who))
    response = client.get("/workplan/people/")
    if who == "anonymous":
        assert response.status_code == 302
        return
    names = sorted(person.full_name for person in response.context["rows"])
    assert names == (["Ana Pérez", "Bruno Silva"] if who in ALLOWED else [])


@pytest.mark.parametrize("who", ["other_organiser", "coordinator", "member", "anonymous"])
def test_writes_refused_and_nothing_changes(
    login: Any, people_world: PeopleWorld, who: str
) -> None:
    client = client_of(login, people_world.user(who))
    world = people_world
    answers = [
        client.post(
            f"/workplan/events/{world.event.pk}/participants/add/",
            {"full_name": "Intruder", "sex": "male", "status": "registered"},
        ),
        client.post(
            f"/workplan/registrations/{world.ana_registration.pk}/",
            {"status": "absent"},
        ),
        client.post(f"/workplan/registrations/{world.ana_registration.pk}/certificate/"),
        client.post(
            f"/workplan/certificates/{world.certificate.pk}/revoke/", {"reason": "Because"}
        ),
        client.post(
            f"/workplan/people/{world.ana.pk}/edit/",
            {"full_name": "Changed", "sex": "female"},
        ),
    ]
    codes = [answer.status_code for answer in answers]
    if who == "anonymous":
        assert codes == [302] * 5
    else:
        assert codes == [403, 404, 404, 404, 404]
    assert not Person.objects.filter(full_name__in=["Intruder", "Changed"]).exists()
    world.ana_registration.refresh_from_db()
    assert world.ana_registration.status == "completed"
    assert Certificate.objects.get(pk=world.certificate.pk).is_valid


def test_organiser_flow(login: Any, people_world: PeopleWorld) -> None:
    """Register a newcomer, record their completion and scores, issue and revoke the
    certificate, correct their record."""
    world = people_world
    client = client_of(login, world.organiser)
    response = client.post(
        f"/workplan/events/{world.event.pk}/participants/add/",
        {
            "full_name": "Chiara Rossi",
            "sex": "female",
            "email": "chiara@example.org",
            "member_state": "",
            "status": "registered",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(person__email_key="chiara@example.org")
    response = client.post(
        f"/workplan/registrations/{registration.pk}/",
        {"status": "completed", "pre_score": "30", "post_score": "101"},
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    response = client.post(
        f"/workplan/registrations/{registration.pk}/",
        {"status": "completed", "pre_score": "30", "post_score": "80"},
    )
    assert response.status_code == 302
    response = client.post(f"/workplan/registrations/{registration.pk}/certificate/")
    assert response.status_code == 302
    certificate = Certificate.objects.get(registration=registration)
    assert certificate.issued_by == world.organiser
    response = client.post(f"/workplan/certificates/{certificate.pk}/revoke/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        f"/workplan/certificates/{certificate.pk}/revoke/", {"reason": "Wrong person"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Wrong person"
    # Registering the same email again finds the same person: refused as already registered.
    response = client.post(
        f"/workplan/events/{world.event.pk}/participants/add/",
        {
            "full_name": "C. Rossi",
            "sex": "female",
            "email": "CHIARA@example.org",
            "status": "registered",
        },
    )
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    person = registration.person
    response = client.post(
        f"/workplan/people/{person.pk}/edit/",
        {"full_name": "Chiara Rossi", "sex": "female", "email": world.ana.email},
    )
    assert response.status_code == 400
    assert (
        "Another participant of the registry has this email address." in response.content.decode()
    )
    response = client.post(
        f"/workplan/people/{person.pk}/edit/",
        {"full_name": "Chiara Rossi Bianchi", "sex": "female", "email": "chiara@example.org"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Chiara Rossi Bianchi"
    # Looking at a person's page is audited, by id.
    client.get(f"/workplan/people/{person.pk}/")
    view = AuditEvent.objects.filter(action="workplan.person.view").latest("id")
    assert view.object_repr == f"participant #{person.pk}"


def test_registry_search(login: Any, people_world: PeopleWorld) -> None:
    client = client_of(login, people_world.admin)
    for query, expected in (
        ("perez", ["Ana Pérez"]),
        ("CERT.AR", ["Ana Pérez"]),
        ("silva", ["Bruno Silva"]),
    ):
        response = client.get("/workplan/people/", {"q": query})
        assert [p.full_name for p in response.context["rows"]] == expected, query
    response = client.get("/workplan/people/", {"sex": "male"})
    assert [p.full_name for p in response.context["rows"]] == ["Bruno Silva"]
