"""Server-rendered bar charts (SVG geometry computed here, drawn by
``workplan/outputs/_chart.html``): no script and no style attribute, so the Content Security
Policy holds and the same chart prints in the PDF report. Each chart comes with its data table,
the accessible alternative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 680
LABEL_WIDTH = 270
VALUE_ROOM = 56
BAR = 14
GAP = 12
TOP = 8
LABEL_CHARS = 36


@dataclass(frozen=True)
class Series:
    name: str
    colour: str  # a fill with at least 3:1 contrast on white (WCAG 1.4.11)
    css: str = ""


REACHED = "#0b3d6e"
TRAINED = "#1d6b34"
PLANNED = "#8a5a00"
OTHER = "#4a5260"


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    colour: str
    value: str
    text_x: int
    text_y: int


@dataclass
class ChartRow:
    label: str
    short_label: str
    values: list[str]
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    id: str
    title: str
    series: list[Series]
    rows: list[ChartRow]
    width: int
    height: int
    label_x: int
    axis_x: int
    unit: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


# A value is a number, or a text standing for a withheld number ("<5", see privacy.py): a
# text draws no bar and is written as it is.
Value = float | int | Decimal | str | None
NUMBER = (float, int, Decimal)


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def horizontal(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    rows: Sequence[tuple[str, Sequence[Value]]],
    *,
    maximum: float | None = None,
    unit: str = "",
) -> Chart:
    """A horizontal bar chart: one group of bars per row, one bar per series."""
    values = [float(v) for _label, row in rows for v in row if isinstance(v, NUMBER)]
    top = max([maximum or 0.0, *values, 1.0])
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    group = BAR * len(series) + GAP
    chart_rows = []
    for index, (label, row) in enumerate(rows):
        y0 = TOP + index * group
        chart_row = ChartRow(
            label=label,
            short_label=_short(label),
            values=[_text(v) for v in row],
            label_y=y0 + (BAR * len(series)) // 2 + 5,
        )
        for number, (item, value) in enumerate(zip(series, row, strict=True)):
            length = round(room * min(float(value), top) / top) if isinstance(value, NUMBER) else 0
            y = y0 + number * BAR
            chart_row.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y,
                    width=max(length, 0),
                    height=BAR - 2,
                    colour=item.colour,
                    # Zeros go unlabelled in the drawing (the table has them), to keep it legible.
                    value=_text(value) + unit if value else "",
                    text_x=LABEL_WIDTH + max(length, 0) + 4,
                    text_y=y + BAR - 4,
                )
            )
        chart_rows.append(chart_row)
    return Chart(
        id=chart_id,
        title=title,
        series=list(series),
        rows=chart_rows,
        width=WIDTH,
        height=TOP * 2 + len(rows) * group,
        label_x=LABEL_WIDTH - 6,
        axis_x=LABEL_WIDTH,
        unit=unit,
    )
