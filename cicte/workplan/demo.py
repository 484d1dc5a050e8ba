"""The demo's work plan (called by ``cicte.core.demo.seed``): the 2022-2023 plan loaded from its
text, the programs' titles translated, gender markers and networks on a few activities, partners
and donors, events of every kind across 2022-2023 (among them the Inter-American Network against
Terrorism's quarterly meetings, with attendance by state added by ``demo_people``), requests for
assistance from Colombia and Mexico at each stage of the pipeline (written by their national
coordinators and the Secretariat through the services), and indicators with baselines and
targets per period.

Everything is found again (the plan by title, partners by name, events by title, requests by
state and title, indicators by program and title): a second run writes nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cicte.accounts.models import MemberState, Network, User
from cicte.workplan import services
from cicte.workplan.choices import RequestStatus
from cicte.workplan.management.commands.load_work_plan import DEFAULT
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    Indicator,
    IndicatorPeriod,
    Partner,
    Program,
    WorkPlan,
    coordinated_states,
)
from cicte.workplan.plan_text import parse

IANT = "inter-american-network-against-terrorism"

# Program titles in Spanish, French and Portuguese (the text of record stays English).
TITLES: dict[str, tuple[str, str, str]] = {
    "A": ("Ciberseguridad", "Cybersécurité", "Segurança cibernética"),
    "B": (
        "Fortalecimiento de los regímenes de no proliferación de armas de destrucción masiva, "
        "incluida la implementación de la Resolución 1540 (2004) del Consejo de Seguridad de "
        "las Naciones Unidas",
        "Renforcement des régimes de non-prolifération des armes de destruction massive, y "
        "compris la mise en œuvre de la résolution 1540 (2004) du Conseil de sécurité des "
        "Nations Unies",
        "Fortalecimento dos regimes de não proliferação de armas de destruição em massa, "
        "inclusive a implementação da Resolução 1540 (2004) do Conselho de Segurança das "
        "Nações Unidas",
    ),
    "C": (
        "Prevención del extremismo violento",
        "Prévention de l'extrémisme violent",
        "Prevenção do extremismo violento",
    ),
    "D": (
        "Seguridad fronteriza (aérea, terrestre, marítima)",
        "Sécurité des frontières (aériennes, terrestres, maritimes)",
        "Segurança de fronteiras (aérea, terrestre, marítima)",
    ),
    "D.1": ("Protección marítima", "Sûreté maritime", "Proteção marítima"),
    "D.2": ("Seguridad de la aviación", "Sûreté de l'aviation", "Segurança da aviação"),
    "D.3": (
        "Seguridad de la carga y los contenedores",
        "Sûreté du fret et des conteneurs",
        "Segurança de carga e contêineres",
    ),
    "D.4": (
        "Seguridad de la cadena de suministro / Operador Económico Autorizado",
        "Sûreté de la chaîne d'approvisionnement / Opérateur économique agréé",
        "Segurança da cadeia de suprimentos / Operador Econômico Autorizado",
    ),
    "E": (
        "Seguridad de espacios concurridos, incluidos destinos turísticos y grandes eventos",
        "Sécurité des espaces fréquentés, y compris les destinations touristiques et les "
        "grands événements",
        "Segurança de espaços concorridos, incluindo destinos turísticos e grandes eventos",
    ),
    "F": (
        "Asistencia técnica y legislativa contra el financiamiento del terrorismo",
        "Assistance technique et législative contre le financement du terrorisme",
        "Assistência técnica e legislativa contra o financiamento do terrorismo",
    ),
    "G": (
        "Red Interamericana contra el Terrorismo",
        "Réseau interaméricain contre le terrorisme",
        "Rede Interamericana contra o Terrorismo",
    ),
}

# activity code: (gender marker, network slugs)
ACTIVITIES: dict[str, tuple[int, tuple[str, ...]]] = {
    "A.4": (0, ("csirtamericas",)),
    "A.10": (2, ()),
    "A.13": (2, ()),
    "B.2": (0, ("unscr-1540",)),
    "D.1.4": (2, ("maritime-port-security",)),
    "D.2.6": (0, ("aviation-security",)),
    "D.2.7": (1, ("aviation-security",)),
    "D.3.10": (2, ("cargo-container-security",)),
    "E.3": (0, ("major-events-tourism-security",)),
    "E.7": (1, ()),
    "G.1": (0, (IANT,)),
    "G.2": (0, (IANT,)),
    "G.3": (0, (IANT,)),
}

# name: (IATI organisation identifier, country)
PARTNERS: dict[str, tuple[str, str]] = {
    "Government of Canada": ("XM-DAC-301", "CA"),
    "United States Department of State": ("US-GOV-1", "US"),
    "Spain's National Cyber Security Institute (INCIBE)": ("", "ES"),
    "Citi Foundation": ("", "US"),
    "International Civil Aviation Organization (ICAO)": ("XM-DAC-41302", ""),
}


def _at(day: str, hour: int, zone: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(
        tzinfo=zoneinfo.ZoneInfo(zone)
    )


# title, activity, kind, modality, first day, last day, zone, venue, country, languages,
# networks, targeted states, partners ((name, role)...), budget, IATI status
EVENTS: tuple[tuple[Any, ...], ...] = (
    ("Course on international cyber diplomacy, laws and standards", "A.1", "course", "virtual",
     "2022-10-17", "2022-10-21", "America/New_York", "", "", ["en", "es"], ("csirtamericas",),
     ("AR", "CO", "MX", "TT"), (("Government of Canada", "donor"),), "18000", "4"),
    ("International Cyber Exercise 2022", "A.8", "exercise", "virtual",
     "2022-11-08", "2022-11-09", "Europe/Madrid", "", "", ["es", "en"], ("csirtamericas",),
     ("CO", "MX", "BR"), (("Spain's National Cyber Security Institute (INCIBE)", "partner"),),
     None, "4"),
    ("Virtual forum on emerging terrorism financing threats", "F.6", "forum", "virtual",
     "2022-12-01", "2022-12-01", "America/New_York", "", "", ["en", "es"],
     ("targeted-financial-sanctions",), ("AR", "CO", "MX", "TT"), (), None, "4"),
    ("IANT quarterly meeting: fourth quarter 2022", "G.1", "meeting", "virtual",
     "2022-12-06", "2022-12-06", "America/New_York", "", "", ["en", "es", "fr", "pt"], (IANT,),
     ("AR", "BR", "CO", "MX", "TT", "US"), (), None, "4"),
    ("MOOC on biosafety and biosecurity", "B.3", "mooc", "virtual",
     "2023-02-06", "2023-04-28", "America/New_York", "", "", ["es"], ("unscr-1540",),
     ("AR", "CO", "MX"), (("United States Department of State", "donor"),), "30000", "4"),
    ("IANT quarterly meeting: first quarter 2023", "G.1", "meeting", "virtual",
     "2023-03-14", "2023-03-14", "America/New_York", "", "", ["en", "es", "fr", "pt"], (IANT,),
     ("AR", "BR", "CO", "MX", "TT", "US"), (), None, "4"),
    ("Workshop on insider threats in aviation security", "D.2.1", "workshop", "in_person",
     "2023-03-21", "2023-03-23", "America/Port_of_Spain", "Piarco International Airport", "TT",
     ["en"], ("aviation-security",), ("TT", "BR"),
     (("International Civil Aviation Organization (ICAO)", "partner"),), "42000", "4"),
    ("Peer review of the implementation of Resolution 1540 (2004)", "B.7", "peer_review",
     "in_person", "2023-05-09", "2023-05-11", "America/Mexico_City", "Mexico City", "MX",
     ["es"], ("unscr-1540",), ("MX", "CO"), (), "25000", "4"),
    ("Technical mission on cargo inspection at land borders", "D.3.7", "mission", "in_person",
     "2023-06-05", "2023-06-09", "America/Mexico_City", "Nuevo Laredo", "MX", ["es"],
     ("cargo-container-security",), ("MX",), (("United States Department of State", "donor"),),
     "35000", "4"),
    ("IANT quarterly meeting: second quarter 2023", "G.1", "meeting", "virtual",
     "2023-06-13", "2023-06-13", "America/New_York", "", "", ["en", "es", "fr", "pt"], (IANT,),
     ("AR", "BR", "CO", "MX", "TT", "US"), (), None, "4"),
    ("Cybersecurity Summer Bootcamp 2023", "A.6", "bootcamp", "in_person",
     "2023-07-10", "2023-07-21", "Europe/Madrid", "León", "ES", ["es", "en"], ("csirtamericas",),
     ("AR", "CO", "MX", "BR"),
     (("Spain's National Cyber Security Institute (INCIBE)", "partner"),
      ("Government of Canada", "donor")), "120000", "4"),
    ("Seminar on preventing violent extremism online", "C.2", "seminar", "hybrid",
     "2023-09-05", "2023-09-06", "America/Bogota", "Bogotá", "CO", ["es", "en"],
     ("prevention-violent-extremism",), ("CO", "AR", "MX"), (), "15000", "4"),
    ("IANT quarterly meeting: third quarter 2023", "G.1", "meeting", "virtual",
     "2023-09-12", "2023-09-12", "America/New_York", "", "", ["en", "es", "fr", "pt"], (IANT,),
     ("AR", "BR", "CO", "MX", "TT", "US"), (), None, "4"),
    ("Cyber Security Symposium 2023", "A.7", "symposium", "hybrid",
     "2023-10-24", "2023-10-26", "America/Bogota", "Bogotá", "CO", ["es", "en"],
     ("csirtamericas",), ("CO", "MX", "AR", "TT"), (("Citi Foundation", "donor"),), "60000",
     "4"),
    ("High-level regional meeting of the Inter-American Network against Terrorism", "G.3",
     "meeting", "in_person", "2023-11-14", "2023-11-15", "America/New_York",
     "OAS headquarters, Washington, D.C.", "US", ["en", "es", "fr", "pt"], (IANT,),
     ("AR", "BR", "CO", "MX", "TT", "US"), (("Government of Canada", "donor"),), "80000", "3"),
)  # fmt: skip

# (state, coordinator, title, description, note verbale, received on, final status,
#  activity, event delivering it (title), delivered on, satisfaction, feedback, closed on)
REQUESTS: tuple[tuple[Any, ...], ...] = (
    ("MX", "mx.coordinator", "Cargo inspection at the northern land border",
     "Technical evaluation of cargo inspection at the Nuevo Laredo crossing and recommendations.",
     "NV-SRE-2023-0211", "2023-02-14", RequestStatus.CLOSED, "D.3.7",
     "Technical mission on cargo inspection at land borders", "2023-06-09", 5,
     "The mission's recommendations are being implemented by ANAM.", "2023-07-20"),
    ("MX", "mx.coordinator", "Peer review of our 1540 national action plan",
     "A peer review of Mexico's implementation of Resolution 1540 (2004) with Colombia.",
     "NV-SRE-2023-0087", "2023-01-18", RequestStatus.DELIVERED, "B.7",
     "Peer review of the implementation of Resolution 1540 (2004)", "2023-05-11", None, "",
     None),
    ("CO", "co.coordinator", "Training on online violent extremism for the national police",
     "A seminar for the police's cyber centre on recruitment and propaganda online.",
     "NV-MRE-2023-1140", "2023-05-03", RequestStatus.PLANNED, "C.2",
     "Seminar on preventing violent extremism online", None, None, "", None),
    ("CO", "co.coordinator", "National cybersecurity strategy update",
     "Support to update Colombia's national cybersecurity strategy (2023-2026).",
     "NV-MRE-2023-2210", "2023-09-28", RequestStatus.TRIAGED, "A.2", None, None, None, "",
     None),
    ("MX", "mx.coordinator", "Large events security planning for 2026",
     "Support to plan the security of large sporting events with the IPO Américas model.",
     "NV-SRE-2023-1702", "2023-11-21", RequestStatus.RECEIVED, None, None, None, None, "",
     None),
    ("CO", "co.coordinator", "Donation of scanning equipment",
     "Donation of container scanners for the port of Buenaventura.",
     "NV-MRE-2023-0301", "2023-03-02", RequestStatus.DECLINED, None, None, None, None, "",
     None),
)  # fmt: skip

TRIAGE_NOTES = {
    "Cargo inspection at the northern land border": "Fits D.3.7; funded by the United States.",
    "Peer review of our 1540 national action plan": "Fits B.7; Colombia agrees to take part.",
    "Training on online violent extremism for the national police": "Fits C.2: a seminar in "
    "Bogotá in September.",
    "National cybersecurity strategy update": "Fits A.2; to plan with the cyber team in 2024.",
    "Donation of scanning equipment": "Equipment donations beyond personal protective "
    "equipment are outside the plan.",
}

# program, title, unit, source, baseline, activity, periods ((start, end, target, actual)...)
INDICATORS: tuple[tuple[Any, ...], ...] = (
    ("A", "National cybersecurity strategies supported", "strategies", "manual", "12", "A.2",
     (("2022-09-01", "2022-12-31", "1", "1"), ("2023-01-01", "2023-12-31", "3", "2"))),
    ("A", "Women trained in cybersecurity", "people", "trained_women", "0", None,
     (("2022-09-01", "2022-12-31", "20", None), ("2023-01-01", "2023-12-31", "80", None))),
    ("A", "People trained in cybersecurity", "people", "trained", "0", None,
     (("2022-09-01", "2023-12-31", "200", None),)),
    ("B", "Member states reached by non-proliferation activities", "states", "states", "0",
     None, (("2022-09-01", "2023-12-31", "6", None),)),
    ("D", "People trained in border security", "people", "trained", "0", None,
     (("2022-09-01", "2023-12-31", "60", None),)),
    ("F", "Legislative assistance delivered", "states", "manual", "0", "F.1",
     (("2022-09-01", "2023-12-31", "3", "2"),)),
    ("G", "Network meetings held", "meetings", "events", "0", None,
     (("2022-09-01", "2022-12-31", "1", None), ("2023-01-01", "2023-12-31", "4", None))),
)  # fmt: skip


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _plan(admin: User, note: Callable[[str, bool], None]) -> WorkPlan:
    plan, counts = services.import_work_plan(
        actor=admin, plan=parse(DEFAULT.read_text(encoding="utf-8"))
    )
    if counts["created"] or counts["updated"]:
        note("work plan 2022-2023", counts["created"] > 0)
    programs = {p.code: p for p in plan.programs.all()}
    for code, (es, fr, pt) in TITLES.items():
        program = programs[code]
        if not program.translations:
            services.set_translations(
                actor=admin,
                obj=program,
                translations={"es": {"title": es}, "fr": {"title": fr}, "pt": {"title": pt}},
            )
            note(f"translations of program {code}", True)
    networks = {n.slug: n for n in Network.objects.all()}
    activities = {
        a.code: a for a in Activity.objects.filter(program__work_plan=plan, code__in=ACTIVITIES)
    }
    for code, (marker, slugs) in ACTIVITIES.items():
        activity = activities[code]
        current = set(activity.networks.values_list("slug", flat=True))
        if activity.gender_marker != marker or current != set(slugs):
            services.update_activity(
                actor=admin,
                activity=activity,
                gender_marker=marker,
                networks=[networks[s] for s in slugs],
            )
            note(f"activity {code}", False)
    return plan


def _events(admin: User, plan: WorkPlan, note: Callable[[str, bool], None]) -> list[Event]:
    partners = {p.name: p for p in Partner.objects.filter(name__in=PARTNERS)}
    for name, (ref, country) in PARTNERS.items():
        if name not in partners:
            partners[name] = services.create_partner(
                actor=admin, name=name, iati_ref=ref, country=country
            )
            note(f"partner {name}", True)
    activities = {a.code: a for a in Activity.objects.filter(program__work_plan=plan)}
    networks = {n.slug: n for n in Network.objects.all()}
    states = {s.code: s for s in MemberState.objects.all()}
    secretariat_staff = [admin]
    events = []
    for spec in EVENTS:
        (title, activity, kind, modality, first, last, zone, venue, country, languages,
         network_slugs, state_codes, partner_roles, budget, status) = spec  # fmt: skip
        event = Event.objects.filter(title=title).first()
        if event is None:
            event = services.create_event(
                actor=admin,
                data={
                    "title": title,
                    "activity": activities[activity],
                    "kind": kind,
                    "modality": modality,
                    "starts_at": _at(first, 9, zone),
                    "ends_at": _at(last, 17, zone),
                    "time_zone": zone,
                    "venue": venue,
                    "country": country,
                    "languages": languages,
                    "budget": Decimal(budget) if budget else None,
                    "status": status,
                    "networks": [networks[s] for s in network_slugs],
                    "target_states": [states[c] for c in state_codes],
                    "organisers": secretariat_staff,
                    "partners": [(partners[n], role) for n, role in partner_roles],
                    "description": "",
                },
            )
            note(f"event {title}", True)
        events.append(event)
    return events


# Days from receipt to triage and to planning in the demo (the pipeline's stage times).
TRIAGE_DAYS, PLAN_DAYS = 9, 24


def _requests(admin: User, plan: WorkPlan, note: Callable[[str, bool], None]) -> None:
    activities = {a.code: a for a in Activity.objects.filter(program__work_plan=plan)}
    order = list(RequestStatus.values)
    for spec in REQUESTS:
        (state_code, coordinator_name, title, description, note_verbale, received, final,
         activity_code, event_title, delivered, satisfaction, feedback, closed) = spec  # fmt: skip
        state = MemberState.objects.get(code=state_code)
        coordinator = User.objects.filter(username=coordinator_name).first() or admin
        item = AssistanceRequest.objects.filter(member_state=state, title=title).first()
        if item is None:
            item = services.create_request(
                actor=coordinator,
                member_state=state,
                data={
                    "title": title,
                    "description": description,
                    "note_verbale": note_verbale,
                    "received_on": _date(received),
                },
            )
            note(f"request {title}", True)
        activity = activities.get(activity_code) if activity_code else None
        before = item.status
        if item.status == RequestStatus.RECEIVED and final == RequestStatus.DECLINED:
            services.decline_request(actor=admin, request=item, note=TRIAGE_NOTES[title])
        if final in (RequestStatus.RECEIVED, RequestStatus.DECLINED):
            if item.status != before:
                note(f"request {title} ({item.status})", False)
            continue
        if item.status == RequestStatus.RECEIVED:
            services.triage_request(
                actor=admin,
                request=item,
                note=TRIAGE_NOTES[title],
                activity=activity,
                triaged_on=item.received_on + datetime.timedelta(days=TRIAGE_DAYS),
            )
        if order.index(final) >= order.index(RequestStatus.PLANNED) and (
            item.status == RequestStatus.TRIAGED
        ):
            event = Event.objects.get(title=event_title)
            services.plan_request(
                actor=admin,
                request=item,
                events=[event],
                planned_on=item.received_on + datetime.timedelta(days=PLAN_DAYS),
            )
        if order.index(final) >= order.index(RequestStatus.DELIVERED) and (
            item.status == RequestStatus.PLANNED
        ):
            services.deliver_request(actor=admin, request=item, delivered_on=_date(delivered))
        may_feedback = item.member_state_id in coordinated_states(coordinator)
        if (
            final == RequestStatus.CLOSED
            and item.status == RequestStatus.DELIVERED
            and (may_feedback or item.satisfaction is not None)
        ):
            if item.satisfaction is None:
                services.give_feedback(
                    actor=coordinator, request=item, satisfaction=satisfaction, feedback=feedback
                )
            services.close_request(actor=admin, request=item, closed_on=_date(closed))
        if item.status != before:
            note(f"request {title} ({item.status})", False)


def _indicators(admin: User, plan: WorkPlan, note: Callable[[str, bool], None]) -> None:
    programs = {p.code: p for p in plan.programs.all()}
    activities = {a.code: a for a in Activity.objects.filter(program__work_plan=plan)}
    for program_code, title, unit, source, baseline, activity_code, periods in INDICATORS:
        program = programs[program_code]
        indicator = Indicator.objects.filter(program=program, title=title).first()
        if indicator is None:
            indicator = services.create_indicator(
                actor=admin,
                data={
                    "program": program,
                    "activity": activities.get(activity_code) if activity_code else None,
                    "title": title,
                    "unit": unit,
                    "source": source,
                    "baseline": Decimal(baseline),
                },
            )
            note(f"indicator {title}", True)
        for start, end, target, actual in periods:
            if IndicatorPeriod.objects.filter(indicator=indicator, start=start).exists():
                continue
            services.set_indicator_period(
                actor=admin,
                indicator=indicator,
                start=datetime.date.fromisoformat(start),
                end=datetime.date.fromisoformat(end),
                target=Decimal(target),
                actual=Decimal(actual) if actual else None,
            )


def seed(*, admin: User, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    plan = _plan(admin, note)
    events = _events(admin, plan, note)
    try:
        from cicte.workplan import demo_people
    except ImportError:
        demo_people = None  # type: ignore[assignment]
    if demo_people is not None and hasattr(demo_people, "seed_people"):
        demo_people.seed_people(admin=admin, note=note, log=log, events=events)
    _requests(admin, plan, note)
    _indicators(admin, plan, note)
    log(
        f"work plan: {Program.objects.filter(work_plan=plan).count()} programs, "
        f"{len(events)} events, {len(REQUESTS)} requests for assistance, "
        f"{len(INDICATORS)} indicators"
    )
