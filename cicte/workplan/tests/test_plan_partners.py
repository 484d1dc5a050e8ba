"""Partners and donors edited in the UI and attached to events, through the services, audited,
by the Secretariat only; and the one list of an event's fields behind the form and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cicte.core.models import AuditEvent
from cicte.workplan import services
from cicte.workplan.api.serializers import EventInputSerializer, EventSerializer
from cicte.workplan.forms import EventForm
from cicte.workplan.models import EventPartner, Partner
from cicte.workplan.tests.helpers import make_event

pytestmark = pytest.mark.django_db


def test_update_partner(plan: Any, secretariat: Any, member: Any) -> None:
    partner = services.create_partner(actor=secretariat, name="INCIBE", country="es")
    services.create_partner(actor=secretariat, name="Government of Canada")
    services.update_partner(
        actor=secretariat, partner=partner, name=" INCIBE (Spain) ", iati_ref="ES-X", country="es"
    )
    partner.refresh_from_db()
    assert (partner.name, partner.iati_ref, partner.country) == ("INCIBE (Spain)", "ES-X", "ES")
    event = AuditEvent.objects.get(action="workplan.partner.update")
    assert event.changes == {"name": ["INCIBE", "INCIBE (Spain)"], "iati_ref": ["", "ES-X"]}
    with pytest.raises(ValidationError):  # names are unique
        services.update_partner(actor=secretariat, partner=partner, name="Government of Canada")
    with pytest.raises(PermissionDenied):
        services.update_partner(actor=member, partner=partner, name="X")
    partner.refresh_from_db()
    assert partner.name == "INCIBE (Spain)"
    # Nothing changed: nothing written, nothing audited.
    services.update_partner(
        actor=secretariat, partner=partner, name="INCIBE (Spain)", iati_ref="ES-X", country="ES"
    )
    assert AuditEvent.objects.filter(action="workplan.partner.update").count() == 1


def test_attach_and_detach(plan: Any, secretariat: Any, member: Any) -> None:
    partner = services.create_partner(actor=secretariat, name="INCIBE")
    event = make_event(secretariat)
    link = services.attach_partner(actor=secretariat, event=event, partner=partner, role="donor")
    assert list(event.event_partners.values_list("partner__name", "role")) == [("INCIBE", "donor")]
    with pytest.raises(ValidationError):
        services.attach_partner(actor=secretariat, event=event, partner=partner, role="donor")
    with pytest.raises(ValidationError):
        services.attach_partner(actor=secretariat, event=event, partner=partner, role="sponsor")
    with pytest.raises(PermissionDenied):
        services.attach_partner(actor=member, event=event, partner=partner, role="partner")
    with pytest.raises(PermissionDenied):
        services.detach_partner(actor=member, link=link)
    services.detach_partner(actor=secretariat, link=link)
    assert not EventPartner.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="workplan.event.partner")
        .order_by("pk")
        .values_list("action", "changes")
    )
    assert actions == [
        ("workplan.event.partner_attach", {"partner": partner.pk, "role": "donor"}),
        ("workplan.event.partner_detach", {"partner": partner.pk, "role": "donor"}),
    ]


def test_partner_pages(plan: Any, secretariat: Any, member: Any, as_user: Any) -> None:
    partner = services.create_partner(actor=secretariat, name="INCIBE")
    event = make_event(secretariat, title="Cyber course")
    sec = as_user(secretariat)
    assert f"/workplan/partners/{partner.pk}/" in sec.get("/workplan/partners/").content.decode()
    page = sec.get(f"/workplan/partners/{partner.pk}/edit/")
    assert page.status_code == 200
    response = sec.post(
        f"/workplan/partners/{partner.pk}/edit/",
        {"name": "INCIBE Spain", "iati_ref": "", "country": "es"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.country) == ("INCIBE Spain", "ES")
    url = f"/workplan/partners/{partner.pk}/"
    assert sec.post(url, {"event": event.pk, "role": "bogus"}).status_code == 400
    assert sec.post(url, {"event": event.pk, "role": "partner"}).status_code == 302
    link = EventPartner.objects.get()
    assert "Cyber course" in sec.get(url).content.decode()
    # A member reads the partner and its events, and changes nothing.
    other = as_user(member)
    assert other.get(url).status_code == 200
    assert other.get(f"{url}edit/").status_code == 403
    assert other.post(url, {"event": event.pk, "role": "donor"}).status_code == 403
    assert other.post(f"{url}events/{link.pk}/remove/").status_code == 403
    assert EventPartner.objects.count() == 1
    assert sec.post(f"{url}events/{link.pk}/remove/").status_code == 302
    assert not EventPartner.objects.exists()
    assert sec.get("/workplan/partners/999999/").status_code == 404
    assert Partner.objects.count() == 1


def test_one_list_of_event_fields() -> None:
    """The form, the API's input and output and the services share services.EVENT_FIELDS."""
    editable = set(services.EVENT_EDITABLE)
    assert editable == (set(services.EVENT_FIELDS) - {"request"}) | set(services.EVENT_RELATIONS)
    assert list(EventForm.Meta.fields) == list(services.EVENT_EDITABLE)
    assert set(EventInputSerializer().fields) == editable | {"partners"}
    assert editable | {"partners", "request"} <= set(EventSerializer.Meta.fields)
