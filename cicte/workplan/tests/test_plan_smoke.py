"""Every work plan page answers on the demo's data, for the Secretariat, a coordinator and a
member; the lists' queries do not grow with their rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cicte.accounts.tests import factories
from cicte.workplan import demo
from cicte.workplan.models import Activity, AssistanceRequest, Event, Indicator, Program
from cicte.workplan.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> dict[str, Any]:
    admin = factories.secretariat_admin(username="sec.admin")
    factories.add_totp(admin)
    co = factories.national_coordinator("CO", "csirtamericas", username="co.coordinator")
    factories.add_totp(co)
    mx = factories.national_coordinator("MX", demo.IANT, username="mx.coordinator")
    factories.add_totp(mx)
    demo.seed(admin=admin, note=lambda *_a: None, log=lambda _m: None)
    member = factories.UserFactory()
    factories.grant(member, "member", network_slug="csirtamericas")
    return {"admin": admin, "co": co, "mx": mx, "member": member}


def test_pages_answer(seeded: dict[str, Any]) -> None:
    program = Program.objects.get(code="D.2")
    activity = Activity.objects.get(code="G.1")
    event = Event.objects.filter(request__isnull=False).first()
    assert event is not None
    indicator = Indicator.objects.filter(source="manual").first()
    counted = Indicator.objects.exclude(source="manual").first()
    assert indicator is not None and counted is not None
    item = AssistanceRequest.objects.get(member_state__code="MX", status="delivered")
    common = [
        "/workplan/",
        f"/workplan/programs/{program.pk}/",
        f"/workplan/activities/{activity.pk}/",
        "/workplan/events/",
        "/workplan/events/?kind=meeting&year=2023",
        f"/workplan/events/{event.pk}/",
        "/workplan/partners/",
        "/workplan/indicators/",
        f"/workplan/indicators/{indicator.pk}/",
        f"/workplan/indicators/{counted.pk}/",
    ]
    secretariat_only = [
        f"/workplan/programs/{program.pk}/translations/",
        f"/workplan/activities/{activity.pk}/translations/",
        f"/workplan/events/{event.pk}/translations/",
        f"/workplan/indicators/{indicator.pk}/translations/",
        "/workplan/events/new/",
        f"/workplan/events/{event.pk}/edit/",
        "/workplan/indicators/new/",
        f"/workplan/indicators/{indicator.pk}/edit/",
    ]
    admin = sign_in(seeded["admin"])
    for url in [*common, *secretariat_only, "/workplan/requests/", f"/workplan/requests/{item.pk}/",
                "/workplan/requests/new/", f"/workplan/requests/{item.pk}/edit/"]:  # fmt: skip
        assert admin.get(url).status_code == 200, url
    mx = sign_in(seeded["mx"])
    for url in [*common, "/workplan/requests/", f"/workplan/requests/{item.pk}/",
                "/workplan/requests/new/"]:  # fmt: skip
        assert mx.get(url).status_code == 200, url
    assert "feedback" in mx.get(f"/workplan/requests/{item.pk}/").context["steps"]
    co = sign_in(seeded["co"])
    assert co.get(f"/workplan/requests/{item.pk}/").status_code == 404
    member = sign_in(seeded["member"])
    for url in common:
        assert member.get(url).status_code == 200, url
    for url in secretariat_only:
        assert member.get(url).status_code == 403, url
    assert member.get(f"/workplan/requests/{item.pk}/").status_code == 404


def test_list_queries_do_not_grow(seeded: dict[str, Any]) -> None:
    admin = sign_in(seeded["admin"])
    token_client = admin  # a session works for the API too

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert token_client.get(url).status_code == 200
        return len(queries)

    few = count("/api/workplan/events/?limit=2")
    many = count("/api/workplan/events/?limit=15")
    assert few == many
    assert count("/workplan/events/?year=2022") == count("/workplan/events/")
    assert count("/api/workplan/requests/?limit=1") == count("/api/workplan/requests/")
