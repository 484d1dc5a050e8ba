"""The IATI 2.03 activity export: valid against the schema copied into the repository, and
saying what the events say."""

from __future__ import annotations

import datetime

import pytest
from lxml import etree

from cicte.workplan import iati
from cicte.workplan.models import Event
from cicte.workplan.tests.outputs_fixtures import build_world

TODAY = datetime.date(2024, 1, 15)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def world(db):
    return build_world()


def export(events=None) -> etree._Element:
    document = iati.build(iati.export_queryset(events or Event.objects.order_by("pk")), today=TODAY)
    assert iati.validate(document) == []
    return etree.fromstring(document)


def activity_of(root, event) -> etree._Element:
    (found,) = root.xpath(
        "iati-activity[iati-identifier=$id]", id=f"{iati.DEFAULT_REPORTING_ORG}-EVT-{event.pk}"
    )
    return found


def test_every_event_validates(world):
    root = export()
    assert root.get("version") == "2.03"
    assert len(root) == Event.objects.count() == 6


def test_the_schema_catches_a_broken_document(world):
    root = export()
    activity = root[0]
    activity.remove(activity.find("reporting-org"))
    errors = iati.validate(etree.tostring(root))
    assert errors and "reporting-org" in " ".join(errors)


def test_the_event_mapped(world):
    a = activity_of(export(), world.e1)
    assert a.get("default-currency") == "USD" and a.get(XML_LANG) == "en"
    assert a.find("reporting-org").get("ref") == iati.DEFAULT_REPORTING_ORG
    titles = {n.get(XML_LANG, "en"): n.text for n in a.find("title")}
    assert titles == {"en": "Incident response course", "es": "Curso de respuesta a incidentes"}
    assert a.find("description/narrative").text.startswith("Hands-on incident response")
    orgs = [
        (o.get("role"), o.get("ref"), o.findtext("narrative")) for o in a.iter("participating-org")
    ]
    assert ("1", "XM-DAC-0000", "Donor Fund") in orgs
    assert ("4", None, "Partner Institute") in orgs
    assert ("4", iati.DEFAULT_REPORTING_ORG, iati.DEFAULT_REPORTING_ORG_NAME) in orgs
    assert a.find("other-identifier").get("ref") == "A.1"
    assert a.find("activity-status").get("code") == "4"
    dates = {d.get("type"): d.get("iso-date") for d in a.iter("activity-date")}
    assert dates == {"1": "2022-03-10", "2": "2022-03-10", "3": "2022-03-12", "4": "2022-03-12"}
    countries = {c.get("code"): c.get("percentage") for c in a.iter("recipient-country")}
    assert countries == {"AR": "50.00", "BR": "50.00"}
    assert a.find("activity-scope").get("code") == "3"
    sector = a.find("sector")
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "15210")
    marker = a.find("policy-marker")
    assert (marker.get("code"), marker.get("vocabulary"), marker.get("significance")) == (
        "1",
        "1",
        "1",
    )
    budget = a.find("budget")
    assert budget.findtext("value") == "10000.00"
    assert budget.find("period-start").get("iso-date") == "2022-03-10"


def test_other_events(world):
    root = export()
    e2 = activity_of(root, world.e2)
    assert e2.find("policy-marker").get("significance") == "2"  # D.1.1, principal
    assert [c.get("code") for c in e2.iter("recipient-country")] == ["MX"]
    assert e2.find("recipient-country").get("percentage") is None
    pipeline = activity_of(root, world.e4)
    assert {d.get("type") for d in pipeline.iter("activity-date")} == {"1", "3"}
    assert pipeline.find("sector").get("code") == "15130"  # legislative assistance (F)
    assert pipeline.find("recipient-region").get("code") == "498"
    meeting = activity_of(root, world.e3)
    assert meeting.find("policy-marker") is None  # no activity, no gender marker
    assert meeting.find("budget") is None
    assert meeting.findtext("description/narrative") == "Meeting (In person)"


def test_no_actual_date_in_the_future(world):
    document = iati.build(
        iati.export_queryset(Event.objects.filter(pk=world.e1.pk)),
        today=datetime.date(2022, 3, 11),
    )
    a = etree.fromstring(document)[0]
    assert {d.get("type") for d in a.iter("activity-date")} == {"1", "2", "3"}


def test_shares_add_up_to_100():
    assert iati._shares(3) == [iati.Decimal("33.33"), iati.Decimal("33.33"), iati.Decimal("33.34")]
    assert sum(iati._shares(7)) == 100


def test_reporting_org_from_settings(world, settings):
    settings.WORKPLAN_IATI_REPORTING_ORG = "XM-DAC-99999"
    a = activity_of_ref(export(), f"XM-DAC-99999-EVT-{world.e2.pk}")
    assert a.find("reporting-org").get("ref") == "XM-DAC-99999"


def activity_of_ref(root, ref):
    (found,) = root.xpath("iati-activity[iati-identifier=$id]", id=ref)
    return found


@pytest.mark.django_db
def test_nothing_to_export():
    with pytest.raises(ValueError):
        iati.build(Event.objects.none())
