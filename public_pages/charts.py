"""Server-drawn bar charts (inline SVG) for the public pages: no JavaScript, nothing remote.

Geometry only: the templates draw the shapes; every chart also has a data table beside it.
Each row puts its label on a line of its own above the bars, so labels stay readable when the
chart shrinks to a phone's width.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from funding.figures import Figures

WIDTH = 480
BAR_SPACE = WIDTH - 84  # room on the right for the value label
ROW_HEIGHT = 50
LABEL_CHARS = 52


@dataclass(frozen=True)
class ChartRow:
    label: str
    short_label: str
    figures: Figures
    unspecified: bool  # the "not specified" group: money not earmarked, no requirement of its own
    y: int
    required_width: int
    received_width: int
    coverage_whole: int | None


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    width: int
    height: int


def _scaled(value: Decimal | None, top: Decimal) -> int:
    if not value or not top:
        return 0
    return max(1, round(BAR_SPACE * value / top))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(items: list[tuple[str, Figures, bool]]) -> Chart:
    """Rows of required and received bars on one money scale, labelled with the coverage.

    `items` are (label, figures, unspecified). Over-funding shows as a received bar longer
    than the required one, and its coverage is printed as is (111 %), never capped.
    """
    top = max(
        [f.required or Decimal(0) for _l, f, _u in items] + [f.received for _l, f, _u in items],
        default=Decimal(0),
    )
    rows = [
        ChartRow(
            label=label,
            short_label=_short(label),
            figures=figures,
            unspecified=unspecified,
            y=index * ROW_HEIGHT,
            required_width=_scaled(figures.required, top),
            received_width=_scaled(figures.received, top),
            coverage_whole=figures.coverage_whole_percent,
        )
        for index, (label, figures, unspecified) in enumerate(items)
    ]
    return Chart(rows=rows, width=WIDTH, height=max(1, len(rows)) * ROW_HEIGHT + 4)
