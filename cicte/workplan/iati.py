"""The work plan's events as an IATI activity file (IATI Standard 2.03, activity XML).

One ``iati-activity`` per *event*: the event is what has dates, a status, a budget, donors and
target states, which an IATI activity needs; the work plan activity it serves is named in
``other-identifier`` and its program's purpose is the activity's objectives. Mapping:

- ``iati-identifier``: ``<reporting org>-EVT-<event id>``; ``reporting-org``: the
  ``WORKPLAN_IATI_REPORTING_ORG`` identifier (type 40, multilateral), to be replaced by the
  OAS's registered IATI organisation identifier before publishing;
- ``title`` / ``description``: narratives in English and in each translation of the event;
- ``participating-org``: donors are funding (role 1), the reporting organisation is
  accountable (2) and implementing (4), partners are implementing (4);
- ``activity-status``: the event's status (IATI ActivityStatus codes);
- ``activity-date``: planned start and end (types 1 and 3) always; actual start (2) once the
  event is under way and actual end (4) once it is finished, never in the future;
- ``recipient-country``: the target member states, shares equal and adding up to 100; without
  target states, ``recipient-region`` 498 (America, regional);
- ``sector`` (OECD DAC 5-digit): 15130 legal and judicial development for legislative and legal
  assistance, else 15210 security system management and reform;
- ``policy-marker``: gender equality (code 1, vocabulary 1) with the activity's gender marker;
- ``budget``: the event's budget over its dates (original, indicative).

The schema (``data/iati/``, copied from the IATI Standard) needs at least one activity: an empty
selection is refused by :func:`build` (``ValueError``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from cicte.workplan.choices import ActivityStatus, PartnerRole
from cicte.workplan.models import LANGUAGES, Event
from cicte.workplan.results import zone

VERSION = "2.03"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "iati"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_REPORTING_ORG = "XM-OCHA-OAS-CICTE"
DEFAULT_REPORTING_ORG_NAME = (
    "Organization of American States, Secretariat of the Inter-American Committee against Terrorism"
)
ORG_TYPE_MULTILATERAL = "40"
SECTOR_SECURITY_SYSTEM = "15210"
SECTOR_LEGAL_JUDICIAL = "15130"
REGION_AMERICA = "498"
LEGAL = re.compile(r"legislat|legal|judicia|law\b|laws\b", re.IGNORECASE)
STARTED = {ActivityStatus.IMPLEMENTATION, ActivityStatus.FINALISATION, ActivityStatus.CLOSED}
FINISHED = {ActivityStatus.FINALISATION, ActivityStatus.CLOSED}


def reporting_org() -> tuple[str, str]:
    ref = getattr(settings, "WORKPLAN_IATI_REPORTING_ORG", "") or DEFAULT_REPORTING_ORG
    name = getattr(settings, "WORKPLAN_IATI_REPORTING_ORG_NAME", "") or DEFAULT_REPORTING_ORG_NAME
    return ref, name


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd")))


def export_queryset(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("activity__program__parent").prefetch_related(
        "target_states", "event_partners__partner"
    )


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})


def _narratives(parent: etree._Element, texts: dict[str, str]) -> None:
    """One narrative per language with text; English first and without xml:lang (the
    activity's default language)."""
    for language in LANGUAGES:
        text = (texts.get(language) or "").strip()
        if not text:
            continue
        narrative = _sub(parent, "narrative")
        narrative.text = text
        if language != "en":
            narrative.set(XML_LANG, language)


def _texts(obj: object, field: str) -> dict[str, str]:
    texts = {"en": getattr(obj, field) or ""}
    for language, values in (getattr(obj, "translations", None) or {}).items():
        if language in LANGUAGES and language != "en" and (values or {}).get(field):
            texts[language] = values[field]
    return texts


def _shares(count: int) -> list[Decimal]:
    """``count`` equal percentages with two decimals adding up to exactly 100."""
    share = (Decimal(100) / count).quantize(Decimal("0.01"))
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


def sector_of(event: Event) -> str:
    activity = event.activity
    texts = [event.title]
    if activity is not None:
        program = activity.program
        texts += [activity.title, program.title]
        if program.parent is not None:
            texts.append(program.parent.title)
    return SECTOR_LEGAL_JUDICIAL if any(LEGAL.search(t) for t in texts) else SECTOR_SECURITY_SYSTEM


def activity_element(event: Event, *, today: datetime.date | None = None) -> etree._Element:
    today = today or timezone.localdate()
    ref, name = reporting_org()
    tz = zone(event.time_zone)
    start, end = event.starts_at.astimezone(tz).date(), event.ends_at.astimezone(tz).date()
    activity = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": event.updated_at.astimezone(datetime.UTC).isoformat(
                timespec="seconds"
            ),
            XML_LANG: "en",
            "default-currency": event.currency or "USD",
        },
    )
    _sub(activity, "iati-identifier").text = f"{ref}-EVT-{event.pk}"
    reporting = _sub(activity, "reporting-org", ref=ref, type=ORG_TYPE_MULTILATERAL)
    _narratives(reporting, {"en": name})
    _narratives(_sub(activity, "title"), _texts(event, "title"))
    description = _texts(event, "description")
    if not description["en"].strip():
        description["en"] = f"{event.get_kind_display()} ({event.get_modality_display()})"
        if event.venue:
            description["en"] += f", {event.venue}"
    _narratives(_sub(activity, "description", type="1"), description)
    if event.activity is not None and event.activity.program.purpose.strip():
        _narratives(
            _sub(activity, "description", type="2"), _texts(event.activity.program, "purpose")
        )

    partners = list(event.event_partners.all())
    for item in partners:
        if item.role == PartnerRole.DONOR:
            org = _sub(activity, "participating-org", role="1")
            if item.partner.iati_ref:
                org.set("ref", item.partner.iati_ref)
            _narratives(org, {"en": item.partner.name})
    for role in ("2", "4"):
        org = _sub(activity, "participating-org", ref=ref, type=ORG_TYPE_MULTILATERAL, role=role)
        _narratives(org, {"en": name})
    for item in partners:
        if item.role == PartnerRole.PARTNER:
            org = _sub(activity, "participating-org", role="4")
            if item.partner.iati_ref:
                org.set("ref", item.partner.iati_ref)
            _narratives(org, {"en": item.partner.name})
    if event.activity is not None:
        other = _sub(activity, "other-identifier", ref=event.activity.code, type="A1")
        _narratives(_sub(other, "owner-org", ref=ref), {"en": name})

    _sub(activity, "activity-status", code=str(event.status))
    _sub(activity, "activity-date", type="1", iso_date=start.isoformat())
    if event.status in STARTED and start <= today:
        _sub(activity, "activity-date", type="2", iso_date=start.isoformat())
    _sub(activity, "activity-date", type="3", iso_date=end.isoformat())
    if event.status in FINISHED and end <= today:
        _sub(activity, "activity-date", type="4", iso_date=end.isoformat())

    states = sorted(event.target_states.all(), key=lambda state: state.code)
    if states:
        _sub(activity, "activity-scope", code="4" if len(states) == 1 else "3")
        for state, share in zip(states, _shares(len(states)), strict=True):
            country = _sub(activity, "recipient-country", code=state.code)
            if len(states) > 1:
                country.set("percentage", str(share))
            _narratives(country, {"en": state.name})
    else:
        _sub(activity, "activity-scope", code="2")
        _sub(activity, "recipient-region", code=REGION_AMERICA, vocabulary="1")
    _sub(activity, "sector", vocabulary="1", code=sector_of(event), percentage="100")
    if event.activity is not None:
        _sub(
            activity,
            "policy-marker",
            vocabulary="1",
            code="1",
            significance=str(event.activity.gender_marker),
        )
    if event.budget is not None:
        budget = _sub(activity, "budget", type="1", status="1")
        _sub(budget, "period-start", iso_date=start.isoformat())
        _sub(budget, "period-end", iso_date=end.isoformat())
        _sub(budget, "value", currency=event.currency or "USD", value_date=start.isoformat())
        budget[-1].text = str(event.budget)
    return activity


def build(events: Iterable[Event], *, today: datetime.date | None = None) -> bytes:
    """The ``iati-activities`` document of ``events`` (UTF-8 XML). Raises ``ValueError`` when
    there is no event: the schema requires at least one activity."""
    root = etree.Element(
        "iati-activities",
        {
            "version": VERSION,
            "generated-datetime": timezone.now()
            .astimezone(datetime.UTC)
            .isoformat(timespec="seconds"),
        },
    )
    for event in events:
        root.append(activity_element(event, today=today))
    if not len(root):
        raise ValueError("no event to export")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(document: bytes) -> list[str]:
    """The schema's complaints about ``document`` (empty when it is valid)."""
    checker = schema()
    if checker.validate(etree.fromstring(document)):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]
