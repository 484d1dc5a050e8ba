"""The bar charts' geometry: proportional bars, long labels shortened (the table keeps them
whole), zeros drawn without a label."""

from __future__ import annotations

from decimal import Decimal

from cicte.workplan import charts

SERIES = [charts.Series("Reached", charts.REACHED), charts.Series("Trained", charts.TRAINED)]


def test_bars_are_proportional_to_the_largest_value():
    chart = charts.horizontal("c", "Title", SERIES, [("A", [10, 5]), ("B", [0, None])])
    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM
    (a_reached, a_trained), (b_reached, b_trained) = (row.bars for row in chart.rows)
    assert (a_reached.width, a_trained.width) == (room, room // 2)
    assert (b_reached.width, b_trained.width) == (0, 0)
    assert (a_reached.value, b_reached.value, b_trained.value) == ("10", "", "")
    assert chart.rows[1].values == ["0", ""]
    assert chart.height == 2 * charts.TOP + 2 * (2 * charts.BAR + charts.GAP)


def test_a_maximum_and_a_unit():
    chart = charts.horizontal(
        "c", "T", SERIES[:1], [("x", [Decimal("50")]), ("y", [200])], maximum=100, unit="%"
    )
    x, y = (row.bars[0] for row in chart.rows)
    assert x.value == "50%" and y.value == "200%"
    # The scale grows past the maximum when a value does: 200 fills the room, 50 a quarter.
    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM
    assert (y.width, x.width) == (room, round(room / 4))


def test_long_labels_are_shortened_for_the_drawing_only():
    label = "Technical and legislative assistance against the financing of terrorism"
    (row,) = charts.horizontal("c", "T", SERIES[:1], [(label, [1])]).rows
    assert row.label == label
    assert len(row.short_label) == charts.LABEL_CHARS and row.short_label.endswith("…")


def test_an_empty_chart():
    assert charts.horizontal("c", "T", SERIES, []).empty
