"""Fast representations: the dicts the big read paths build by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from .fields import FIGURES

# --- Fast representations ------------------------------------------------------------------
# The big read paths (plan list and detail, interventions) build their dicts by hand: DRF's
# generic field machinery costs ~15x the raw SQL floor on a 100-plan page (bench/api.py). The
# declared serializer fields stay the schema; schemathesis checks responses against it.


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField renders it (UTC, a trailing Z)."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def figures_of(row) -> dict[str, str | None]:
    """The five figures of a stored rollup row (None: no rollup → all null, never 0)."""
    if row is None:
        return dict.fromkeys(FIGURES)
    return {name: money_text(getattr(row, figure)) for name, figure in FIGURES.items()}


def choice_labels(choices) -> dict[str, str]:
    """{value: translated label} once per response rather than per row."""
    return {value: str(label) for value, label in choices}
