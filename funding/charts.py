"""Server-drawn bar charts (inline SVG) for the public pages: no JavaScript, nothing remote.

Geometry only: the templates draw the shapes; every chart also has a data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .figures import Figures

WIDTH = 640
LABEL_WIDTH = 210
BAR_SPACE = WIDTH - LABEL_WIDTH - 90  # room on the right for the value label
ROW_HEIGHT = 34
LABEL_CHARS = 30


@dataclass(frozen=True)
class ChartRow:
    label: str
    short_label: str
    figures: Figures
    y: int
    required_width: int
    received_width: int
    coverage_width: int
    coverage_whole: int | None


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    width: int
    height: int
    bar_x: int
    coverage_100_x: int
    coverage_scale: int  # percent drawn at the right end of the coverage bars


def _scaled(value: Decimal | None, top: Decimal) -> int:
    if not value or not top:
        return 0
    return max(1, round(BAR_SPACE * value / top))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(items: list[tuple[str, Figures]]) -> Chart:
    """Rows of required/received bars (one money scale) and coverage bars (one percent scale)."""
    top = max(
        [f.required or Decimal(0) for _l, f in items] + [f.received for _l, f in items],
        default=Decimal(0),
    )
    # Over-funding is drawn past the 100 % mark, not capped: the scale grows to fit it.
    coverage_scale = max([100] + [f.coverage_whole_percent or 0 for _l, f in items])
    rows = []
    for index, (label, figures) in enumerate(items):
        coverage = figures.coverage_whole_percent
        rows.append(
            ChartRow(
                label=label,
                short_label=_short(label),
                figures=figures,
                y=index * ROW_HEIGHT,
                required_width=_scaled(figures.required, top),
                received_width=_scaled(figures.received, top),
                coverage_width=round(BAR_SPACE * (coverage or 0) / coverage_scale),
                coverage_whole=coverage,
            )
        )
    return Chart(
        rows=rows,
        width=WIDTH,
        height=max(1, len(rows)) * ROW_HEIGHT + 6,
        bar_x=LABEL_WIDTH,
        coverage_100_x=LABEL_WIDTH + round(BAR_SPACE * 100 / coverage_scale),
        coverage_scale=coverage_scale,
    )
