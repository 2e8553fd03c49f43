"""Charts as data: bars and columns laid out here, once, as a list of SVG shapes with the table behind them.

Two thin renderers draw them: `report.py` (SVG markup in `OUT/report.html`) and `static/overview.js`
(SVG elements in the review app). Neither lays anything out, so the page and the report always agree.
Shapes carry classes, never colours or styles (`static/charts.css` gives both their look; the app's
Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LABEL_CHARS = 32  # a label longer than this is cut in the chart (whole in its tooltip and the table)


@dataclass
class Shape:
    tag: str  # rect | text | line
    attrs: dict[str, float | str]
    text: str = ""
    href: str | None = None  # the shape is a link
    tip: str | None = None  # its <title>: a tooltip, and its name for screen readers


@dataclass
class Cell:
    text: str
    href: str | None = None
    anchor: str | None = None  # the row's id (a link target: `#manifest-12`)
    raw: bool = False  # machine text (a manifest line), shown as such


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric: list[bool] = field(default_factory=list)  # per column: right-aligned
    type: str = "table"


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    shapes: list[Shape]
    table: Table
    type: str = "chart"


@dataclass
class Bar:
    label: str
    value: float
    shown: str  # the value as written beside the bar
    href: str | None = None
    cells: list[str] = field(default_factory=list)  # more columns of its table row


@dataclass
class Column:
    label: str
    values: list[float]  # one per series, stacked from the bottom
    href: str | None = None
    cells: list[str] = field(default_factory=list)  # more columns of its table row


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: float) -> str:
    """A count as people read it: 12,345; a fraction with one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bars(chart_id: str, title: str, description: str, items: list[Bar], columns: list[str],
         numeric: list[bool] | None = None) -> Chart:
    """Horizontal bars, one row per item in the order given, each labelled and linked when it has a href."""
    label_w, plot_w, value_w, row_h, top = 290, 360, 110, 22, 6
    width = label_w + plot_w + value_w
    height = top * 2 + row_h * max(1, len(items))
    top_value = max((b.value for b in items), default=0) or 1
    shapes: list[Shape] = [Shape("line", {"x1": label_w, "y1": 0, "x2": label_w, "y2": height, "class": "axis"})]
    for i, item in enumerate(items):
        y = top + i * row_h
        length = max(1.0, plot_w * item.value / top_value) if item.value > 0 else 0.0
        tip = f"{item.label}: {item.shown}"
        shapes.append(Shape("text", {"x": label_w - 8, "y": y + row_h * 0.68, "class": "label end"}, short(item.label),
                            tip=tip))
        shapes.append(Shape("rect", {"x": label_w, "y": y + 3, "width": round(length, 1), "height": row_h - 6,
                                     "class": "bar s0"}, href=item.href, tip=tip))
        shapes.append(Shape("text", {"x": label_w + length + 6, "y": y + row_h * 0.68, "class": "value"}, item.shown))
    rows = [[Cell(b.label, b.href), Cell(b.shown), *(Cell(c) for c in b.cells)] for b in items]
    table = Table(title, columns, rows, numeric or [False] + [True] * (len(columns) - 1))
    return Chart(chart_id, title, description, width, height, shapes, table)


def _ticks(top: float) -> list[float]:
    """Whole round values (1, 2 or 5 times a power of ten apart, at most six) from 0 up to `top` (a count)."""
    if top < 1:
        return [0.0]
    magnitude = 10 ** math.floor(math.log10(top))
    step = next(s for s in (m * magnitude for m in (0.1, 0.2, 0.5, 1, 2, 5, 10)) if s >= 1 and top / s <= 5)
    return [float(i * step) for i in range(int(top // step) + 1)]


def columns(chart_id: str, title: str, description: str, items: list[Column], series: list[str],
            first_column: str, more_columns: list[str] | None = None) -> Chart:
    """Vertical columns (stacked when there are several series), labelled below; a click follows the href."""
    left, bottom, top_pad = 48, 44, 10
    plot_h = 180
    step = max(6.0, min(44.0, 640 / max(1, len(items))))
    width = int(left + step * max(1, len(items)) + 16)
    height = top_pad + plot_h + bottom
    top_value = max((sum(c.values) for c in items), default=0) or 1
    shapes: list[Shape] = []
    for tick in _ticks(top_value):
        y = round(top_pad + plot_h - plot_h * tick / top_value, 1)
        shapes.append(Shape("line", {"x1": left, "y1": y, "x2": width - 8, "y2": y, "class": "grid"}))
        shapes.append(Shape("text", {"x": left - 6, "y": y + 4, "class": "tick end"}, number(tick)))
    base = top_pad + plot_h
    every = max(1, round(len(items) / 12))  # no more than about a dozen labels under the axis
    for i, item in enumerate(items):
        x = left + i * step
        y = base
        total = sum(item.values)
        tip = f"{item.label}: " + ", ".join(f"{number(v)} {name}" for v, name in zip(item.values, series) if v) \
            if len(series) > 1 else f"{item.label}: {number(total)}"
        for s, value in enumerate(item.values):
            if value <= 0:
                continue
            h = plot_h * value / top_value
            y -= h
            shapes.append(Shape("rect", {"x": round(x + 1, 1), "y": round(y, 1), "width": round(step - 2, 1),
                                         "height": round(max(h, 1.0), 1), "class": f"bar s{s}"}, href=item.href, tip=tip))
        if i % every == 0:
            shapes.append(Shape("text", {"x": round(x + step / 2, 1), "y": base + 16, "class": "tick middle"},
                                short(item.label, 10)))
    shapes.append(Shape("line", {"x1": left, "y1": base, "x2": width - 8, "y2": base, "class": "axis"}))
    if len(series) > 1:
        for s, name in enumerate(series):
            x = left + s * 130
            shapes.append(Shape("rect", {"x": x, "y": height - 14, "width": 10, "height": 10, "class": f"bar s{s}"}))
            shapes.append(Shape("text", {"x": x + 14, "y": height - 5, "class": "tick"}, name))
    more = more_columns or []
    rows = [[Cell(c.label, c.href), *(Cell(number(v)) for v in c.values), *(Cell(x) for x in c.cells)] for c in items]
    table = Table(title, [first_column, *series, *more], rows, [False] + [True] * (len(series) + len(more)))
    return Chart(chart_id, title, description, width, height, shapes, table)
