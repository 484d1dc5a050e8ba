"""A small work plan counted by hand, for the tests of results, dashboard, report, exports,
calendars and IATI (the wp-outputs part). Built with the ORM directly, so the counts do not
depend on services or on the seed plan.

People (sex, state): ana (female, AR), bruno (male, BR), carla (female, CL), dani (other, AR),
eve (undisclosed, no state), fabio (male, MX).

Events (local start, status; registrations):
- e1 course, activity A.1, 2022-03-10 Buenos Aires, closed, targets AR BR, budget 10000 USD,
  donor "Donor Fund", partner "Partner Institute":
  ana completed, bruno completed, carla attended, dani absent, eve registered
- e2 workshop, activity D.1.1 (sub-program D.1 of D), 2022-06-01 Mexico City, closed, targets MX:
  ana completed, fabio attended, bruno withdrew
- e3 meeting, no activity, 2023-02-01 UTC, finalisation: carla completed, eve attended
- e4 seminar, activity F.1, 2023-05-01 Bogota, pipeline: fabio registered
- e5 exercise, activity A.1, 2022-12-31 20:00 New York (2023-01-01 01:00 UTC), cancelled
- e6 course, activity A.1, 2023-01-01 13:00 Kiritimati (2022-12-31 23:00 UTC), closed:
  bruno completed

Hand counts, 2022: events 3 (e1 e2 e5), held 2, reached 4 (ana bruno carla fabio), trained 2
(ana bruno), women reached 2, women trained 1, participations 5, states reached 4.
2023: events 3 (e3 e4 e6), held 2, planned 1, reached 3 (carla eve bruno), trained 2 (carla
bruno), women reached 1, women trained 1, participations 3, states reached 2 (CL BR).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from cicte.accounts.tests import factories as af
from cicte.workplan.choices import (
    ActivityStatus,
    EventKind,
    GenderMarker,
    IndicatorSource,
    Modality,
    PartnerRole,
    RegistrationStatus,
    RequestStatus,
    Sex,
)
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    EventPartner,
    Indicator,
    IndicatorPeriod,
    Partner,
    Person,
    Program,
    Registration,
    WorkPlan,
)

S = RegistrationStatus
Y2022 = (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
Y2023 = (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))


def _at(text: str, tz: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.plan = WorkPlan.objects.create(
        title="Work plan 2022-2023",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    w.a = Program.objects.create(
        work_plan=w.plan,
        code="A",
        title="Cybersecurity",
        order=1,
        translations={"es": {"title": "Ciberseguridad"}},
    )
    w.d = Program.objects.create(work_plan=w.plan, code="D", title="Border security", order=4)
    w.d1 = Program.objects.create(
        work_plan=w.plan, parent=w.d, code="D.1", title="Maritime protection", order=5
    )
    w.f = Program.objects.create(
        work_plan=w.plan,
        code="F",
        title="Technical and legislative assistance against the financing of terrorism",
        order=7,
    )
    w.a1 = Activity.objects.create(
        program=w.a, code="A.1", title="Cyber drills", gender_marker=GenderMarker.SIGNIFICANT
    )
    w.d11 = Activity.objects.create(
        program=w.d1, code="D.1.1", title="Port security", gender_marker=GenderMarker.PRINCIPAL
    )
    w.f1 = Activity.objects.create(program=w.f, code="F.1", title="Legislative drafting")
    w.network = af.network("csirtamericas")
    w.a1.networks.add(w.network)

    def person(name: str, sex: str, state: str | None) -> Person:
        return Person.objects.create(
            full_name=name.title(),
            sex=sex,
            email=f"{name}@example.org",
            email_key=f"{name}@example.org",
            name_key=name,
            member_state=af.state(state) if state else None,
        )

    w.ana = person("ana", Sex.FEMALE, "AR")
    w.bruno = person("bruno", Sex.MALE, "BR")
    w.carla = person("carla", Sex.FEMALE, "CL")
    w.dani = person("dani", Sex.OTHER, "AR")
    w.eve = person("eve", Sex.UNDISCLOSED, None)
    w.fabio = person("fabio", Sex.MALE, "MX")

    def event(kind: str, activity: Activity | None, start: str, tz: str, status: str, **kw: Any):
        starts = _at(start, tz)
        return Event.objects.create(
            kind=kind,
            activity=activity,
            title=kw.pop("title", f"{kind} {start}"),
            modality=kw.pop("modality", Modality.IN_PERSON),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=kw.pop("hours", 8)),
            time_zone=tz,
            status=status,
            **kw,
        )

    w.e1 = event(
        EventKind.COURSE,
        w.a1,
        "2022-03-10T09:00",
        "America/Argentina/Buenos_Aires",
        ActivityStatus.CLOSED,
        title="Incident response course",
        description="Hands-on incident response for national CSIRTs.",
        translations={"es": {"title": "Curso de respuesta a incidentes"}},
        venue="Hotel Plaza, Buenos Aires",
        country="AR",
        languages=["es", "en"],
        budget=Decimal("10000.00"),
        hours=56,
    )
    w.e1.target_states.add(af.state("AR"), af.state("BR"))
    w.e1.networks.add(w.network)
    w.donor = Partner.objects.create(name="Donor Fund", iati_ref="XM-DAC-0000", country="CA")
    w.partner = Partner.objects.create(name="Partner Institute")
    EventPartner.objects.create(event=w.e1, partner=w.donor, role=PartnerRole.DONOR)
    EventPartner.objects.create(event=w.e1, partner=w.partner, role=PartnerRole.PARTNER)
    w.e2 = event(
        EventKind.WORKSHOP,
        w.d11,
        "2022-06-01T10:00",
        "America/Mexico_City",
        ActivityStatus.CLOSED,
        title="Port facility workshop",
    )
    w.e2.target_states.add(af.state("MX"))
    w.e3 = event(EventKind.MEETING, None, "2023-02-01T14:00", "UTC", ActivityStatus.FINALISATION)
    w.e3.networks.add(w.network)
    w.e4 = event(
        EventKind.SEMINAR,
        w.f1,
        "2023-05-01T09:00",
        "America/Bogota",
        ActivityStatus.PIPELINE,
        modality=Modality.VIRTUAL,
    )
    w.e5 = event(
        EventKind.EXERCISE, w.a1, "2022-12-31T20:00", "America/New_York", ActivityStatus.CANCELLED
    )
    w.e6 = event(
        EventKind.COURSE, w.a1, "2023-01-01T13:00", "Pacific/Kiritimati", ActivityStatus.CLOSED
    )

    for ev, regs in (
        (w.e1, [(w.ana, S.COMPLETED), (w.bruno, S.COMPLETED), (w.carla, S.ATTENDED)]),
        (w.e1, [(w.dani, S.ABSENT), (w.eve, S.REGISTERED)]),
        (w.e2, [(w.ana, S.COMPLETED), (w.fabio, S.ATTENDED), (w.bruno, S.WITHDRAWN)]),
        (w.e3, [(w.carla, S.COMPLETED), (w.eve, S.ATTENDED)]),
        (w.e4, [(w.fabio, S.REGISTERED)]),
        (w.e6, [(w.bruno, S.COMPLETED)]),
    ):
        for who, status in regs:
            Registration.objects.create(event=ev, person=who, status=status)

    def indicator(program: Program, source: str, title: str, *periods: tuple, **kw: Any):
        item = Indicator.objects.create(program=program, source=source, title=title, **kw)
        for (start, end), target, *rest in periods:
            IndicatorPeriod.objects.create(
                indicator=item,
                start=start,
                end=end,
                target=target,
                actual=rest[0] if rest else None,
            )
        return item

    w.i_trained = indicator(
        w.a,
        IndicatorSource.TRAINED,
        "People trained in cybersecurity",
        (Y2022, Decimal(10)),
        (Y2023, Decimal(5)),
    )
    w.i_reached_d = indicator(
        w.d,
        IndicatorSource.PARTICIPANTS,
        "Border officials reached",
        ((Y2022[0], Y2023[1]), Decimal(4)),
    )
    w.i_events = indicator(
        w.a, IndicatorSource.EVENTS, "Drills held", (Y2022, Decimal(2)), activity=w.a1
    )
    w.i_manual = indicator(
        w.a,
        IndicatorSource.MANUAL,
        "National strategies adopted",
        (Y2022, Decimal(10), Decimal("7.5")),
        (Y2023, Decimal(10)),
        baseline=Decimal(3),
    )
    w.i_women = indicator(w.a, IndicatorSource.TRAINED_WOMEN, "Women trained", (Y2022, Decimal(4)))
    w.i_states = indicator(w.a, IndicatorSource.STATES, "States reached", (Y2022, Decimal(6)))

    def request(state: str, status: str, day: str) -> AssistanceRequest:
        return AssistanceRequest.objects.create(
            member_state=af.state(state),
            program=w.a,
            title=f"Request {state} {status}",
            description='=HYPERLINK("http://x")' if state == "BR" else "Training",
            received_on=datetime.date.fromisoformat(day),
            status=status,
        )

    w.requests = [
        request("AR", RequestStatus.RECEIVED, "2022-02-01"),
        request("AR", RequestStatus.TRIAGED, "2022-04-01"),
        request("BR", RequestStatus.PLANNED, "2022-05-01"),
        request("BR", RequestStatus.CLOSED, "2023-03-01"),
    ]
    return w
