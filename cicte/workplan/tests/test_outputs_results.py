"""Computed results against the hand counts of outputs_fixtures (see its docstring)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from cicte.accounts.tests import factories as af
from cicte.workplan import results
from cicte.workplan.models import AssistanceRequest, IndicatorPeriod, Registration
from cicte.workplan.results import Period, Scope
from cicte.workplan.tests.outputs_fixtures import Y2022, Y2023, build_world

P2022, P2023 = Period(*Y2022), Period(*Y2023)
WHOLE = Period(Y2022[0], Y2023[1])


@pytest.fixture
def world(db):
    return build_world()


def by_key(rows):
    return {row.key: (row.reached, row.trained) for row in rows}


def test_totals_2022(world):
    assert results.totals(P2022) == results.Totals(
        events=3,
        events_held=2,
        events_planned=0,
        people_reached=4,
        people_trained=2,
        women_reached=2,
        women_trained=1,
        participations=5,
        states_reached=4,
    )


def test_totals_2023(world):
    assert results.totals(P2023) == results.Totals(
        events=3,
        events_held=2,
        events_planned=1,
        people_reached=3,
        people_trained=2,
        women_reached=1,
        women_trained=1,
        participations=3,
        states_reached=2,
    )


def test_a_person_counts_once_over_the_whole_plan(world):
    figures = results.totals(WHOLE)
    # ana, bruno, carla, eve, fabio reached; ana, bruno, carla trained; 8 participations.
    assert (figures.people_reached, figures.people_trained, figures.participations) == (5, 3, 8)


def test_events_belong_to_the_day_of_their_own_time_zone(world):
    in_2022 = set(results.events_in(P2022).values_list("pk", flat=True))
    in_2023 = set(results.events_in(P2023).values_list("pk", flat=True))
    # e5 starts on 2023-01-01 in UTC but on 31 December in New York; e6 the other way round.
    assert in_2022 == {world.e1.pk, world.e2.pk, world.e5.pk}
    assert in_2023 == {world.e3.pk, world.e4.pk, world.e6.pk}


def test_by_sex(world):
    assert by_key(results.by_sex(P2022)) == {
        "female": (2, 1),
        "male": (2, 1),
        "other": (0, 0),  # dani was absent
        "undisclosed": (0, 0),  # eve only registered in 2022
    }
    assert by_key(results.by_sex(P2023)) == {
        "female": (1, 1),
        "male": (1, 1),
        "other": (0, 0),
        "undisclosed": (1, 0),
    }


def test_by_state(world):
    assert by_key(results.by_state(P2022)) == {
        "AR": (1, 1),
        "BR": (1, 1),
        "CL": (1, 0),
        "MX": (1, 0),
    }
    rows = results.by_state(P2023)
    assert [(row.key, row.reached, row.trained) for row in rows] == [
        ("BR", 1, 1),
        ("CL", 1, 1),
        ("", 1, 0),  # eve: state not recorded, listed last
    ]


def test_by_program_rolls_up_sub_programs(world):
    rows = results.by_program(P2022)
    assert [(r.key, r.reached, r.trained, r.extra["events_held"]) for r in rows] == [
        ("A", 3, 2, 1),
        ("D", 2, 1, 1),  # e2 serves D.1.1, an activity of sub-program D.1
        ("F", 0, 0, 0),
    ]
    rows = results.by_program(P2023)
    assert [(r.key, r.reached, r.trained, r.extra["events_held"]) for r in rows] == [
        ("A", 1, 1, 1),
        ("D", 0, 0, 0),
        ("F", 0, 0, 0),
        ("", 2, 1, 1),  # e3 serves no activity of the plan
    ]


def test_scope_of_a_program(world):
    figures = results.totals(P2022, Scope.of_program(world.d))
    assert (figures.events, figures.people_reached, figures.people_trained) == (1, 2, 1)
    assert results.totals(P2022, Scope.of_program(world.d1)).people_reached == 2
    assert results.totals(P2022, Scope(activity_id=world.a1.pk)).events == 2  # e1 and e5


def test_events_by_month(world):
    months = results.events_by_month(P2022)
    assert len(months) == 12
    counts = {m.month.month: (m.held, m.planned, m.other) for m in months if m.total}
    assert counts == {3: (1, 0, 0), 6: (1, 0, 0), 12: (0, 0, 1)}
    months = {m.month.month: m for m in results.events_by_month(P2023) if m.total}
    assert {k: (m.held, m.planned) for k, m in months.items()} == {
        1: (1, 0),
        2: (1, 0),
        5: (0, 1),
    }
    assert months[1].event_ids == [world.e6.pk]


def test_indicator_actuals(world):
    def actual_of(indicator, start):
        return results.actual(IndicatorPeriod.objects.get(indicator=indicator, start=start))

    assert actual_of(world.i_trained, Y2022[0]) == Decimal(2)  # ana, bruno at e1
    assert actual_of(world.i_trained, Y2023[0]) == Decimal(1)  # bruno at e6
    assert actual_of(world.i_reached_d, Y2022[0]) == Decimal(2)  # ana, fabio at e2 (D.1)
    assert actual_of(world.i_events, Y2022[0]) == Decimal(1)  # e1 held, e5 cancelled
    assert actual_of(world.i_women, Y2022[0]) == Decimal(1)  # ana
    assert actual_of(world.i_states, Y2022[0]) == Decimal(3)  # AR, BR, CL at e1
    assert actual_of(world.i_manual, Y2022[0]) == Decimal("7.5")  # typed
    assert actual_of(world.i_manual, Y2023[0]) is None  # not reported yet


def test_computed_actuals_follow_the_registry(world):
    period = IndicatorPeriod.objects.get(indicator=world.i_trained, start=Y2022[0])
    Registration.objects.filter(event=world.e1, person=world.carla).update(status="completed")
    assert results.actual(period) == Decimal(3)
    # A typed value on a computed indicator is ignored: the registry decides.
    period.actual = Decimal(99)
    period.save()
    assert results.actual(period) == Decimal(3)


def test_indicator_rows_overlapping_a_period(world):
    rows = results.indicator_rows(period=P2023)
    found = {(row.indicator.title, row.period.start): row for row in rows}
    assert set(found) == {
        ("People trained in cybersecurity", Y2023[0]),
        ("Border officials reached", Y2022[0]),
        ("National strategies adopted", Y2023[0]),
    }
    reached = found[("Border officials reached", Y2022[0])]
    assert (reached.target, reached.actual, reached.percent, reached.computed) == (
        Decimal(4),
        Decimal(2),
        50,
        True,
    )
    manual = found[("National strategies adopted", Y2023[0])]
    assert (manual.baseline, manual.actual, manual.percent, manual.computed) == (
        Decimal(3),
        None,
        None,
        False,
    )
    assert len(results.indicator_rows()) == 8


def test_requests_pipeline_reads_what_the_reader_may_see(world):
    secretariat = af.secretariat_admin()
    coordinator = af.national_coordinator("AR")
    member = af.UserFactory()

    def counts(user, period=None):
        rows = results.requests_by_status(AssistanceRequest.objects.visible_to(user), period)
        return {row.key: row.extra["count"] for row in rows if row.extra["count"]}

    assert counts(secretariat) == {"received": 1, "triaged": 1, "planned": 1, "closed": 1}
    assert counts(secretariat, P2022) == {"received": 1, "triaged": 1, "planned": 1}
    assert counts(coordinator) == {"received": 1, "triaged": 1}
    assert counts(member) == {}


def test_default_period_is_the_plan_in_force(world):
    assert results.Period.default(datetime.date(2023, 6, 1)) == WHOLE
    assert results.Period.default(datetime.date(2030, 6, 1)) == WHOLE  # the latest plan


@pytest.mark.django_db
def test_default_period_without_a_plan():
    assert results.Period.default(datetime.date(2030, 6, 1)) == Period(
        datetime.date(2030, 1, 1), datetime.date(2030, 12, 31)
    )
