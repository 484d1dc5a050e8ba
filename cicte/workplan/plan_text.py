"""The text of a work plan as the Committee approves it, parsed into programs and activities.

No Django here: :func:`parse` reads the plain text (the layout of
``data/cicte-work-plan-2022-2023.txt``) and returns a :class:`ParsedPlan`;
``services.import_work_plan`` stores it.

The layout: an approval line in parentheses; "I. Introduction" (paragraphs, with the period
"approximately September 2022 - December 2023"); "II. Principal programs", where each program is
a numbered heading (the approved text numbers them "1." four times, then "E." to "G.": they are
numbered A to G here, in order), then "Purpose:" and its paragraphs, then "Activities proposed:"
and one activity per "·" line. A program may instead hold sub-programs (Border security: a plain
heading line followed by its own "Purpose:" and activities), coded "D.1", "D.2"... Then "III.
Outreach..." and its paragraphs, kept with the introduction. Word's bookmark markers ("[bookmark:
_Hlk77173673]") and the document code glued to the last line ("CICTE01497E01") are dropped.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

SECTION = re.compile(r"^(I|II|III|IV|V|VI)\.\s+(\S.*)$")
PROGRAM = re.compile(r"^(?:\d+|[A-Z])\.\s+(\S.*)$")
PURPOSE = re.compile(r"^Purposes?:\s*$", re.IGNORECASE)
ACTIVITIES = re.compile(r"^Activities proposed:\s*$", re.IGNORECASE)
BULLET = re.compile(r"^[·•]\s*(.*)$")
BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
DOCUMENT_CODE = re.compile(r"CICTE\d{4,}[A-Z]\d*\s*$")
APPROVAL = re.compile(r"^\((Approved [^)]*)\)$")
APPROVAL_DATE = re.compile(r"([A-Z][a-z]+) (\d{1,2}), (\d{4})")
PERIOD = re.compile(r"approximately ([A-Z][a-z]+) (\d{4})\s*[\u2013-]\s*([A-Z][a-z]+) (\d{4})")
PERIOD_YEARS = re.compile(r"for the period (\d{4})\s*[\u2013-]\s*(\d{4})")
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}


class PlanTextError(ValueError):
    """The text does not have the layout of a work plan; says which line and why."""


@dataclass
class ParsedProgram:
    code: str
    title: str
    purpose: str = ""
    activities: list[str] = field(default_factory=list)
    subprograms: list[ParsedProgram] = field(default_factory=list)


@dataclass
class ParsedPlan:
    title: str
    period_start: datetime.date
    period_end: datetime.date
    approved_on: datetime.date | None
    approval_note: str
    introduction: str
    programs: list[ParsedProgram]


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", BOOKMARK.sub("", line)).strip()


def _paragraphs(lines: list[str]) -> str:
    return "\n\n".join(line for line in lines if line)


def parse(text: str) -> ParsedPlan:
    lines = [_clean(line) for line in text.splitlines()]
    # The document code is glued to the end of the last paragraph.
    while lines and not lines[-1]:
        lines.pop()
    if lines:
        lines[-1] = DOCUMENT_CODE.sub("", lines[-1]).rstrip()

    approval_note = ""
    approved_on = None
    section = ""
    intro: list[str] = []
    outreach: list[str] = []
    outreach_title = ""
    programs: list[ParsedProgram] = []
    current: ParsedProgram | None = None  # the program or sub-program being read
    top: ParsedProgram | None = None
    reading = ""  # "purpose", "activities" or ""
    purpose: list[str] = []

    def close_purpose() -> None:
        if current is not None and purpose:
            current.purpose = _paragraphs(purpose)
        purpose.clear()

    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        approval = APPROVAL.match(line)
        if approval and not section:
            approval_note = approval.group(1)
            date = APPROVAL_DATE.search(approval_note)
            if date and date.group(1) in MONTHS:
                approved_on = datetime.date(
                    int(date.group(3)), MONTHS[date.group(1)], int(date.group(2))
                )
            continue
        heading = SECTION.match(line)
        if heading:
            close_purpose()
            reading = ""
            section = heading.group(1)
            if section == "III":
                outreach_title = heading.group(2)
            continue
        if section == "I":
            intro.append(line)
        elif section == "II":
            program = PROGRAM.match(line)
            if program:
                close_purpose()
                code = chr(ord("A") + len(programs))
                top = current = ParsedProgram(code=code, title=program.group(1))
                programs.append(top)
                reading = ""
            elif PURPOSE.match(line):
                if current is None:
                    raise PlanTextError(f"line {number}: a purpose before any program")
                close_purpose()
                reading = "purpose"
            elif ACTIVITIES.match(line):
                if current is None:
                    raise PlanTextError(f"line {number}: activities before any program")
                close_purpose()
                reading = "activities"
            elif bullet := BULLET.match(line):
                if current is None or reading != "activities":
                    raise PlanTextError(
                        f"line {number}: an activity outside a list of activities proposed"
                    )
                if bullet.group(1):
                    current.activities.append(bullet.group(1))
            elif reading == "purpose":
                purpose.append(line)
            elif top is not None and reading in ("", "activities"):
                # A plain heading inside a program: one of its sub-programs.
                close_purpose()
                code = f"{top.code}.{len(top.subprograms) + 1}"
                current = ParsedProgram(code=code, title=line)
                top.subprograms.append(current)
                reading = ""
            else:
                raise PlanTextError(f"line {number}: unexpected text {line[:60]!r}")
        elif section:
            outreach.append(line)
    close_purpose()

    if not programs:
        raise PlanTextError("no programs found under “II. Principal programs”")
    introduction = _paragraphs(intro)
    if outreach:
        introduction = _paragraphs([introduction, outreach_title, *outreach])
    period = PERIOD.search(" ".join(intro))
    years = PERIOD_YEARS.search(" ".join(intro))
    if period and period.group(1) in MONTHS and period.group(3) in MONTHS:
        start_year, end_year = int(period.group(2)), int(period.group(4))
        start = datetime.date(start_year, MONTHS[period.group(1)], 1)
        end_month = MONTHS[period.group(3)]
        end = datetime.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    elif years:
        start = datetime.date(int(years.group(1)), 1, 1)
        end = datetime.date(int(years.group(2)), 12, 31)
    else:
        raise PlanTextError("the introduction gives no period")
    first, last = (years.group(1), years.group(2)) if years else (start.year, end.year)
    return ParsedPlan(
        title=f"CICTE work plan {first}-{last}",
        period_start=start,
        period_end=end,
        approved_on=approved_on,
        approval_note=approval_note,
        introduction=introduction,
        programs=programs,
    )
