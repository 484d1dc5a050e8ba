"""Small-cell suppression of the aggregate figures shown to readers other than the Secretariat.

A count of one to four people in a breakdown by sex or by member state (an event's participants,
the dashboard, the progress report and its PDF, the people-reached CSV) could point at a person:
such a cell is shown as ``<5``. Totals stay exact. Because the groups of a breakdown add up to
its total, a single suppressed cell could be worked out by subtraction: when a breakdown has
exactly one suppressed cell, the smallest other non-empty cell (five or more, else it would be
suppressed already) is shown as ``5+`` too (secondary suppression). Zeros are shown.

The Secretariat (``workplan.manage_workplan``) and, on their events' pages, the organisers see
the exact figures. Nothing here changes a computed figure: ``cicte.workplan.results`` stays
exact and this module only decides how a figure is shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from cicte.workplan.choices import Sex
from cicte.workplan.results import Row, Totals

THRESHOLD = 5
SMALL = "<5"  # primary suppression: one to four
WITHHELD = "5+"  # secondary suppression: five or more, withheld so that a small cell stays hidden

Shown = int | str


def mask(values: Sequence[int]) -> list[Shown]:
    """The values of one breakdown as they may be shown: 1 to 4 as ``<5``; when that leaves
    exactly one cell suppressed, the smallest other non-zero value as ``5+``."""
    shown: list[Shown] = [SMALL if 0 < v < THRESHOLD else v for v in values]
    small = [i for i, v in enumerate(values) if 0 < v < THRESHOLD]
    if len(small) == 1:
        others = [i for i, v in enumerate(values) if v >= THRESHOLD]
        if others:
            shown[min(others, key=lambda i: (values[i], i))] = WITHHELD
    return shown


def mask_rows(rows: list[Row]) -> list[Row]:
    """Copies of a breakdown's rows with ``reached`` and ``trained`` masked, each column on its
    own (they are two breakdowns of two totals)."""
    reached = mask([row.reached for row in rows])
    trained = mask([row.trained for row in rows])
    return [
        dataclasses.replace(row, reached=r, trained=t)  # type: ignore[arg-type]
        for row, r, t in zip(rows, reached, trained, strict=True)
    ]


def mask_pairs(pairs: list[tuple[Any, int]]) -> list[tuple[Any, Shown]]:
    """(label, count) pairs of one breakdown, masked."""
    return list(zip([label for label, _n in pairs], mask([n for _l, n in pairs]), strict=True))


def mask_totals(totals: Totals, sex_rows: list[Row]) -> SimpleNamespace:
    """The overall figures with the counts of women shown as the female row of the masked
    breakdown by sex (``sex_rows``, from :func:`mask_rows`) shows them, so that the two never
    disagree; every total exact."""
    figures: dict[str, Any] = dataclasses.asdict(totals)
    female = next(row for row in sex_rows if row.key == Sex.FEMALE)
    figures["women_reached"], figures["women_trained"] = female.reached, female.trained
    return SimpleNamespace(**figures)
