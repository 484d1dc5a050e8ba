"""Results of the work plan counted from the registry: never typed, always recomputed.

Definitions (the same on every page, export and report):

- an event belongs to a period when it *starts* within the period, on the calendar of its own
  time zone (a workshop opening on 1 January in Lima is a January event, whatever UTC says);
- *events held*: events of the period whose IATI status is implementation, finalisation or
  closed (pipeline, cancelled and suspended events were not held);
- *people reached*: distinct people registered at an event of the period who attended or
  completed it; *people trained*: distinct people who completed one; a person counts once per
  figure however many events they attended (``participations`` counts registrations instead);
- *member states reached*: distinct member states of the people reached;
- a program's figures include its sub-programs (D includes D.1 ...); an indicator of an
  activity counts that activity's events, one of a program its program's (sub-programs included).

Breakdowns (by sex, member state, program) are distinct counts within each group: a person who
attended events of two programs counts in both, so the groups may add up to more than the total.
Only aggregate figures leave this module: no names, no per-person rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState
from cicte.workplan.choices import (
    ActivityStatus,
    IndicatorSource,
    RegistrationStatus,
    RequestStatus,
    Sex,
)
from cicte.workplan.models import (
    AssistanceRequest,
    Event,
    Indicator,
    IndicatorPeriod,
    Program,
    Registration,
    WorkPlan,
)

REACHED = (RegistrationStatus.ATTENDED, RegistrationStatus.COMPLETED)
TRAINED = (RegistrationStatus.COMPLETED,)
HELD = (ActivityStatus.IMPLEMENTATION, ActivityStatus.FINALISATION, ActivityStatus.CLOSED)
PLANNED = (ActivityStatus.PIPELINE,)
UTC = datetime.UTC


# --- Periods and events


@dataclass(frozen=True)
class Period:
    """An inclusive range of days."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today: datetime.date | None = None) -> Period:
        """The period of the work plan in force (else the latest plan), else the current year."""
        today = today or timezone.localdate()
        plans = WorkPlan.objects.order_by("-period_start")
        plan = plans.filter(period_start__lte=today, period_end__gte=today).first()
        plan = plan or plans.first()
        if plan is not None:
            return cls(plan.period_start, plan.period_end)
        return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end


def zone(name: str) -> datetime.tzinfo:
    """The IANA time zone ``name``; UTC when the name is unknown (old data, a typo)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_start(starts_at: datetime.datetime, time_zone: str) -> datetime.datetime:
    return starts_at.astimezone(zone(time_zone))


def _event_rows(period: Period, events: QuerySet[Event] | None = None) -> list[tuple[Any, ...]]:
    """(pk, status, local start) of the events starting within ``period`` in their time zone."""
    base = Event.objects.all() if events is None else events
    # Offsets run from -12 to +14 hours: two days of margin, then the exact test in Python.
    low = datetime.datetime.combine(period.start - datetime.timedelta(days=2), datetime.time.min)
    high = datetime.datetime.combine(period.end + datetime.timedelta(days=2), datetime.time.max)
    rows = base.filter(
        starts_at__gte=low.replace(tzinfo=UTC), starts_at__lte=high.replace(tzinfo=UTC)
    ).values_list("pk", "status", "starts_at", "time_zone")
    found = []
    for pk, status, starts_at, tz in rows:
        local = local_start(starts_at, tz)
        if local.date() in period:
            found.append((pk, status, local))
    return found


def events_in(period: Period, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """The events (all statuses) that start within ``period``."""
    base = Event.objects.all() if events is None else events
    return base.filter(pk__in=[row[0] for row in _event_rows(period, base)])


def events_held(period: Period, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    return events_in(period, events).filter(status__in=HELD)


# --- Scopes: everything, a program (with its sub-programs) or an activity


def program_subtree(program: Program | int) -> list[int]:
    """The ids of a program and of all its sub-programs."""
    root = program if isinstance(program, int) else program.pk
    ids, frontier = [root], [root]
    while frontier:
        frontier = list(Program.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


@dataclass(frozen=True)
class Scope:
    """Which events count: all of them, a program's (sub-programs included), an activity's."""

    program_ids: tuple[int, ...] | None = None
    activity_id: int | None = None

    @classmethod
    def of_program(cls, program: Program | int) -> Scope:
        return cls(program_ids=tuple(program_subtree(program)))

    @classmethod
    def of_indicator(cls, indicator: Indicator) -> Scope:
        if indicator.activity_id:
            return cls(activity_id=indicator.activity_id)
        return cls.of_program(indicator.program_id)

    def events(self) -> QuerySet[Event]:
        events = Event.objects.all()
        if self.activity_id is not None:
            events = events.filter(activity_id=self.activity_id)
        if self.program_ids is not None:
            events = events.filter(activity__program_id__in=self.program_ids)
        return events


EVERYTHING = Scope()


def registrations(period: Period, scope: Scope = EVERYTHING) -> QuerySet[Registration]:
    """Every registration (any status) at an event of ``scope`` starting within ``period``."""
    return Registration.objects.filter(event__in=events_in(period, scope.events()))


# --- Figures


@dataclass(frozen=True)
class Totals:
    events: int  # every event of the period, whatever its status
    events_held: int
    events_planned: int
    people_reached: int
    people_trained: int
    women_reached: int
    women_trained: int
    participations: int  # registrations attended or completed (a person may count several times)
    states_reached: int


def _people(filter_: Q) -> Count:
    return Count("person", distinct=True, filter=filter_)


def totals(period: Period, scope: Scope = EVERYTHING) -> Totals:
    rows = _event_rows(period, scope.events())
    regs = registrations(period, scope)
    reached, trained = Q(status__in=REACHED), Q(status__in=TRAINED)
    female = Q(person__sex=Sex.FEMALE)
    figures = regs.aggregate(
        people_reached=_people(reached),
        people_trained=_people(trained),
        women_reached=_people(reached & female),
        women_trained=_people(trained & female),
        participations=Count("pk", filter=reached),
        states_reached=Count("person__member_state", distinct=True, filter=reached),
    )
    return Totals(
        events=len(rows),
        events_held=sum(1 for row in rows if row[1] in HELD),
        events_planned=sum(1 for row in rows if row[1] in PLANNED),
        **{key: value or 0 for key, value in figures.items()},
    )


@dataclass
class Row:
    """One group of a breakdown: its key, its label, and its figures."""

    key: Any
    label: str
    reached: int = 0
    trained: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _grouped(regs: QuerySet[Registration], group: Any) -> dict[Any, tuple[int, int]]:
    if isinstance(group, str):
        group = F(group)
    rows = (
        regs.filter(status__in=REACHED)
        .values(group_key=group)
        .annotate(reached=Count("person", distinct=True), trained=_people(Q(status__in=TRAINED)))
        .order_by()
    )
    return {row["group_key"]: (row["reached"], row["trained"]) for row in rows}


def by_sex(period: Period, scope: Scope = EVERYTHING) -> list[Row]:
    """People reached and trained by sex, every category listed (zeros included)."""
    counts = _grouped(registrations(period, scope), "person__sex")
    return [Row(value, str(label), *counts.get(value, (0, 0))) for value, label in Sex.choices]


def by_state(period: Period, scope: Scope = EVERYTHING) -> list[Row]:
    """People reached and trained by member state (states with someone reached), most reached
    first; people whose state is not recorded last."""
    counts = _grouped(registrations(period, scope), "person__member_state")
    states = MemberState.objects.in_bulk([key for key in counts if key is not None])
    rows = [
        Row(states[key].code, states[key].localized_name, *value, extra={"state": states[key]})
        for key, value in counts.items()
        if key is not None
    ]
    rows.sort(key=lambda row: (-row.reached, row.label))
    if None in counts:
        rows.append(Row("", str(_("Not recorded")), *counts[None]))
    return rows


def top_programs(period: Period) -> list[Program]:
    """The top-level programs of the work plans that overlap ``period``."""
    return list(
        Program.objects.filter(
            parent__isnull=True,
            work_plan__period_start__lte=period.end,
            work_plan__period_end__gte=period.start,
        )
        .select_related("work_plan")
        .order_by("work_plan__period_start", "order", "code")
    )


def by_program(period: Period) -> list[Row]:
    """People reached and trained, and events held, by top-level program (sub-programs rolled
    up); events serving no activity of the plan last, when there are some."""
    programs = top_programs(period)
    whens = [
        When(event__activity__program_id__in=program_subtree(program), then=Value(program.pk))
        for program in programs
    ]
    group = Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)
    counts = _grouped(registrations(period), group)
    held: dict[int, int] = defaultdict(int)
    top_of = {pid: program.pk for program in programs for pid in program_subtree(program)}
    for program_id in events_held(period).values_list("activity__program_id", flat=True):
        held[top_of.get(program_id, 0) if program_id else 0] += 1
    rows = [
        Row(
            program.code,
            f"{program.code}. {program.translated('title')}",
            *counts.get(program.pk, (0, 0)),
            extra={"program": program, "events_held": held.get(program.pk, 0)},
        )
        for program in programs
    ]
    if counts.get(0) or held.get(0):
        rows.append(
            Row(
                "",
                str(_("Not linked to an activity of the plan")),
                *counts.get(0, (0, 0)),
                extra={"events_held": held.get(0, 0)},
            )
        )
    return rows


@dataclass
class Month:
    month: datetime.date
    held: int = 0
    planned: int = 0
    other: int = 0  # cancelled or suspended
    event_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.held + self.planned + self.other


def events_by_month(period: Period, events: QuerySet[Event] | None = None) -> list[Month]:
    """Events of each month of the period (by local start), held, planned and the others."""
    months = {month: Month(month) for month in period.months()}
    for pk, status, local in sorted(_event_rows(period, events), key=lambda row: row[2]):
        month = months[local.date().replace(day=1)]
        if status in HELD:
            month.held += 1
        elif status in PLANNED:
            month.planned += 1
        else:
            month.other += 1
        month.event_ids.append(pk)
    return list(months.values())


def requests_by_status(
    requests: QuerySet[AssistanceRequest], period: Period | None = None
) -> list[Row]:
    """The requests pipeline: how many requests are at each stage (received within ``period``
    when one is given). ``requests`` is what the reader may see (``visible_to``)."""
    if period is not None:
        requests = requests.filter(received_on__gte=period.start, received_on__lte=period.end)
    counts = dict(requests.values_list("status").annotate(n=Count("pk")).order_by())
    return [
        Row(value, str(label), extra={"count": counts.get(value, 0)})
        for value, label in RequestStatus.choices
    ]


# --- How long each stage of a request took

# (key, label, the date the stage starts, the date it ends): a stage is timed from the day the
# request reached it to the day it left it (dates recorded by the services).
STAGES: tuple[tuple[str, Any, str, str], ...] = (
    ("triage", _("Received to triaged"), "received_on", "triaged_on"),
    ("planning", _("Triaged to planned"), "triaged_on", "planned_on"),
    ("delivery", _("Planned to delivered"), "planned_on", "delivered_on"),
    ("closure", _("Delivered to closed"), "delivered_on", "closed_on"),
)


@dataclass
class Stage:
    key: str
    label: str
    start: datetime.date | None
    end: datetime.date | None
    days: int | None  # so far, when ``ongoing``
    ongoing: bool = False


def request_stages(request: AssistanceRequest, today: datetime.date | None = None) -> list[Stage]:
    """The stages a request went through, each with how many days it took (the current one:
    how many so far). A declined request has one stage, received to declined. Stages whose
    dates were not recorded (requests older than the recording) have no figure."""
    today = today or timezone.localdate()
    if request.status == RequestStatus.DECLINED:
        start, end = request.received_on, request.closed_on
        days = (end - start).days if start and end else None
        return [Stage("decline", str(_("Received to declined")), start, end, days)]
    stages = []
    for key, label, start_field, end_field in STAGES:
        start, end = getattr(request, start_field), getattr(request, end_field)
        if start is None and end is None:
            continue
        ongoing = end is None
        # A stage whose recorded dates disagree (a delivery back-dated before the planning)
        # has no figure rather than a negative one.
        days = ((end or today) - start).days if start else None
        days = days if days is None or days >= 0 else None
        stages.append(Stage(key, str(label), start, end, days, ongoing))
        if ongoing:
            break
    return stages


def stage_times(requests: QuerySet[AssistanceRequest]) -> list[Row]:
    """For each stage of the pipeline, over ``requests`` (what the reader may see): how many
    requests completed it and the median and longest days it took."""
    durations: dict[str, list[int]] = {key: [] for key, *_rest in STAGES}
    fields = {name for _key, _label, *names in STAGES for name in names}
    for values in requests.values(*fields):
        for key, _label, start_field, end_field in STAGES:
            start, end = values[start_field], values[end_field]
            if start is not None and end is not None and end >= start:
                durations[key].append((end - start).days)
    rows = []
    for key, label, *_names in STAGES:
        days = sorted(durations[key])
        median = None
        if days:
            middle = len(days) // 2
            median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
        rows.append(
            Row(
                key,
                str(label),
                extra={"count": len(days), "median": median, "longest": max(days, default=None)},
            )
        )
    return rows


# --- Indicators


def computed_value(source: str, period: Period, scope: Scope) -> int:
    """The value of a participant-based indicator (every source but ``manual``)."""
    figures = totals(period, scope)
    return {
        IndicatorSource.TRAINED: figures.people_trained,
        IndicatorSource.TRAINED_WOMEN: figures.women_trained,
        IndicatorSource.PARTICIPANTS: figures.people_reached,
        IndicatorSource.STATES: figures.states_reached,
        IndicatorSource.EVENTS: figures.events_held,
    }[IndicatorSource(source)]


def actual(indicator_period: IndicatorPeriod) -> Decimal | None:
    """The actual value of an indicator for one of its periods: typed in for a manual indicator
    (``None`` until reported), counted from the registry otherwise."""
    indicator = indicator_period.indicator
    if indicator.source == IndicatorSource.MANUAL:
        return indicator_period.actual
    period = Period(indicator_period.start, indicator_period.end)
    return Decimal(computed_value(indicator.source, period, Scope.of_indicator(indicator)))


@dataclass
class IndicatorRow:
    indicator: Indicator
    period: IndicatorPeriod
    baseline: Decimal | None
    target: Decimal | None
    actual: Decimal | None

    @property
    def computed(self) -> bool:
        return self.indicator.source != IndicatorSource.MANUAL

    @property
    def percent(self) -> int | None:
        """The actual value as a share of the target (rounded), when both are known."""
        if self.actual is None or not self.target:
            return None
        return int((self.actual * 100 / self.target).to_integral_value())


def indicator_rows(
    indicators: Iterable[Indicator] | None = None, period: Period | None = None
) -> list[IndicatorRow]:
    """Baseline, target and actual of every period of ``indicators`` (all by default) that
    overlaps ``period`` (every period when ``None``)."""
    periods = IndicatorPeriod.objects.select_related(
        "indicator", "indicator__program", "indicator__activity"
    ).order_by("indicator__program__work_plan", "indicator__program__order", "indicator", "start")
    if indicators is not None:
        periods = periods.filter(indicator__in=list(indicators))
    if period is not None:
        periods = periods.filter(start__lte=period.end, end__gte=period.start)
    return [
        IndicatorRow(item.indicator, item, item.indicator.baseline, item.target, actual(item))
        for item in periods
    ]
