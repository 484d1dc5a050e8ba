"""Small-cell suppression: counts of one to four by sex and by member state are shown as "<5"
to readers other than the Secretariat (dashboard, report, CSV, an event's figures), totals
exact; the Secretariat sees the exact figures."""

from __future__ import annotations

import pytest

from cicte.workplan import privacy
from cicte.workplan.results import Row
from cicte.workplan.tests import test_outputs_pages as pages
from cicte.workplan.tests.outputs_fixtures import build_world
from cicte.workplan.tests.test_outputs_pages import Y2022, read_csv

# The signed-in clients of the page tests (a member, the Secretariat).
member = pages.member
secretariat = pages.secretariat


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([0, 0, 0], [0, 0, 0]),
        ([5, 12, 0], [5, 12, 0]),
        ([1, 4, 9], ["<5", "<5", 9]),
        # One small cell alone could be worked out from the total: the smallest other is withheld.
        ([3, 10, 7, 0], ["<5", 10, "5+", 0]),
        ([3, 7, 7], ["<5", "5+", 7]),
        ([3, 0, 0], ["<5", 0, 0]),
        ([4, 5], ["<5", "5+"]),
    ],
)
def test_mask(values, shown):
    assert privacy.mask(values) == shown


def test_mask_rows_and_totals():
    rows = [Row("female", "Female", 3, 1), Row("male", "Male", 9, 6), Row("other", "Other", 0, 0)]
    masked = privacy.mask_rows(rows)
    assert [(r.reached, r.trained) for r in masked] == [("<5", "<5"), ("5+", "5+"), (0, 0)]
    assert [(r.reached, r.trained) for r in rows] == [(3, 1), (9, 6), (0, 0)]  # untouched


@pytest.fixture
def world(db):
    return build_world()


def _sex(response):
    return {row.label: row.values for row in response.context["sex_chart"].rows}


def test_dashboard(world, member, secretariat):
    # 2022: reached ana, carla (female), bruno, fabio (male); trained ana, bruno.
    response = member.get(f"/workplan/dashboard/?{Y2022}")
    assert _sex(response) == {
        "Female": ["<5", "<5"],
        "Male": ["<5", "<5"],
        "Other": ["0", "0"],
        "Prefer not to say": ["0", "0"],
    }
    states = {row.label: row.values for row in response.context["state_chart"].rows}
    assert set(map(tuple, states.values())) == {("<5", "<5"), ("<5", "0")}
    totals = response.context["totals"]
    assert (totals.people_reached, totals.people_trained, totals.women_trained) == (4, 2, "<5")
    assert "&lt;5" in response.content.decode()
    response = secretariat.get(f"/workplan/dashboard/?{Y2022}")
    assert _sex(response)["Female"] == ["2", "1"]
    assert response.context["totals"].women_trained == 1


def test_report(world, member, secretariat):
    response = member.get(f"/workplan/report/?{Y2022}")
    assert _sex(response)["Female"] == ["<5", "<5"]
    section_a = next(s for s in response.context["sections"] if s["program"] == world.a)
    assert section_a["totals"].people_reached == 3 and section_a["totals"].women_trained == "<5"
    exact = secretariat.get(f"/workplan/report/?{Y2022}")
    section_a = next(s for s in exact.context["sections"] if s["program"] == world.a)
    assert section_a["totals"].women_trained == 1


def test_people_csv(world, member, secretariat):
    rows = read_csv(member.get(f"/workplan/exports/people-reached.csv?{Y2022}"))
    found = {(r[0], r[1]): (r[3], r[4]) for r in rows[1:]}
    assert found[("all", "")] == ("4", "2")  # totals exact
    assert found[("sex", "female")] == ("<5", "<5")
    assert found[("sex", "other")] == ("0", "0")
    assert found[("member_state", "CL")] == ("<5", "0")
    rows = read_csv(secretariat.get(f"/workplan/exports/people-reached.csv?{Y2022}"))
    found = {(r[0], r[1]): (r[3], r[4]) for r in rows[1:]}
    assert found[("sex", "female")] == ("2", "1")
