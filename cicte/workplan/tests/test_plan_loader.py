"""``manage.py load_work_plan``: the 2022-2023 plan as approved, counted by hand from the text."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cicte.core.models import AuditEvent
from cicte.workplan.models import Activity, Program, WorkPlan
from cicte.workplan.plan_text import PlanTextError, parse

pytestmark = pytest.mark.django_db

# Activities ("·" lines) of each program and sub-program, counted by hand in the seed text.
EXPECTED = {
    "A": ("Cybersecurity", 14),
    "B": (
        "Strengthening of weapons of mass destruction non-proliferation regimes, including "
        "implementation of United Nations Security Council Resolution 1540 (2004)",
        9,
    ),
    "C": ("Prevention of violent extremism", 5),
    "D": ("Border security (air, land, sea)", 0),
    "D.1": ("Maritime protection", 5),
    "D.2": ("Aviation security", 7),
    "D.3": ("Cargo and container security", 10),
    "D.4": ("Supply chain security / Authorized Economic Operator", 7),
    "E": ("Crowded spaces security, including tourist destinations and large events", 7),
    "F": ("Technical and legislative assistance against the financing of terrorism", 7),
    "G": ("Inter-American Network against Terrorism", 3),
}


def load() -> str:
    out = StringIO()
    call_command("load_work_plan", stdout=out)
    return out.getvalue()


def test_loads_every_program_purpose_and_activity() -> None:
    output = load()
    assert "11 programs, 74 activities; 86 created, 0 updated." in output
    plan = WorkPlan.objects.get()
    assert plan.title == "CICTE work plan 2022-2023"
    assert plan.approved_on == datetime.date(2022, 7, 27)
    assert plan.approval_note == "Approved at the third plenary session held on July 27, 2022"
    assert (plan.period_start, plan.period_end) == (
        datetime.date(2022, 9, 1),
        datetime.date(2023, 12, 31),
    )
    assert plan.introduction.startswith("The CICTE Secretariat submits the draft work plan")
    assert "Outreach: communications, consultations, cooperation" in plan.introduction
    assert plan.introduction.endswith("and other strategic partners.")  # no document code
    programs = {p.code: p for p in Program.objects.filter(work_plan=plan)}
    assert set(programs) == set(EXPECTED)
    for code, (title, count) in EXPECTED.items():
        assert programs[code].title == title
        assert programs[code].activities.count() == count, code
    assert [p.code for p in Program.objects.order_by("order")] == [
        "A", "B", "C", "D", "D.1", "D.2", "D.3", "D.4", "E", "F", "G"
    ]  # fmt: skip
    assert {p.code for p in programs["D"].subprograms.all()} == {"D.1", "D.2", "D.3", "D.4"}
    assert programs["D"].purpose == ""
    assert programs["D.1"].purpose.startswith(
        "To support the strengthening of maritime and port security capacities"
    )
    assert programs["D.2"].purpose.startswith("Support for strengthening installed capacity")
    assert programs["B"].purpose.startswith("To promote a universal, genuine")
    assert Activity.objects.count() == 74
    first = Activity.objects.get(code="A.1")
    assert first.title.startswith("Courses on international cyber diplomacy, laws, and standards")
    assert not Activity.objects.filter(title__contains="[bookmark").exists()
    assert not Program.objects.filter(purpose__contains="bookmark").exists()
    assert Activity.objects.get(code="D.3.3").title == (
        "Donation of personal protective equipment for five member states."
    )
    assert Activity.objects.get(code="G.3").title.startswith("Organization of a high-level")
    assert Activity.objects.get(code="D.4.7").title.startswith("Validation exercise")


def test_second_run_changes_nothing_and_keeps_translations() -> None:
    load()
    program = Program.objects.get(code="A")
    program.translations = {"es": {"title": "Ciberseguridad"}}
    program.save(update_fields=["translations"])
    events = AuditEvent.objects.count()
    output = load()
    assert "0 created, 0 updated." in output
    assert AuditEvent.objects.count() == events
    assert WorkPlan.objects.count() == 1
    assert Program.objects.count() == 11
    assert Activity.objects.count() == 74
    program.refresh_from_db()
    assert program.translations == {"es": {"title": "Ciberseguridad"}}


def test_a_changed_text_updates_in_place(tmp_path: Any) -> None:
    load()
    from cicte.workplan.management.commands.load_work_plan import DEFAULT

    text = DEFAULT.read_text(encoding="utf-8").replace(
        "· Peer review exercises.", "· Peer review exercises among member states."
    )
    changed = tmp_path / "plan.txt"
    changed.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("load_work_plan", str(changed), stdout=out)
    assert "0 created, 1 updated." in out.getvalue()
    assert Activity.objects.get(code="B.7").title == "Peer review exercises among member states."


def test_bad_file_is_refused(tmp_path: Any) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("I.\tIntroduction\n\nNothing here.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no programs"):
        call_command("load_work_plan", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_work_plan", str(tmp_path / "missing.txt"))
    assert not WorkPlan.objects.exists()


def test_parser_refuses_stray_activity() -> None:
    with pytest.raises(PlanTextError, match="line 3"):
        parse("II.\tPrincipal programs\n\n· An activity before any program\n")
