"""Figures the public pages show from the stored rollups: headline totals, a plan's levels, one
year of a plan and its "not specified" lines. The rules live here, never in a view (figures
under the dashboard's filters are funding.summary's, from source rows)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from plans.models import PUBLIC_STATUSES

from .figures import NOT_COSTED, ZERO, Figures
from .models import PlanRollup


def published_totals() -> dict:
    """Headline totals across published plans, from their stored rollups (one query)."""
    return PlanRollup.objects.filter(plan__status__in=PUBLIC_STATUSES).aggregate(
        required=Sum("required_usd"),
        received=Sum("received_usd", default=ZERO),
        # Coverage leaves uncosted plans out: only money against a known requirement counts.
        received_costed=Sum("received_usd", filter=Q(required_usd__isnull=False), default=ZERO),
        pledged=Sum("pledged_usd", default=ZERO),
        # The sum of each plan's own gap: one plan's surplus never fills another's gap.
        gap=Sum("gap_usd"),
    )


def stored_figures(obj) -> Figures:
    """The stored rollup of a plan, objective or intervention; "not yet costed" if none yet."""
    try:
        row = obj.rollup
    except Exception:  # RelatedObjectDoesNotExist: never recomputed yet
        return NOT_COSTED
    return Figures.from_row(row)


def year_required(*, requirements, year: int) -> Decimal | None:
    """Σ of the requirements typed for one year (already read); None when none is typed (not
    yet costed)."""
    amounts = [r.amount_usd for r in requirements if r.year == year]
    return sum(amounts, ZERO) if amounts else None


def required_of(figures: list[Figures]) -> Figures:
    """An objective's required for a year: Σ of its interventions' (None if none is costed)."""
    known = [f.required for f in figures if f.required is not None]
    return Figures(required=sum(known, ZERO) if known else None)


def _money_only(received: Decimal, pledged: Decimal) -> Figures:
    return Figures(required=None, received=received, pledged=pledged)


def not_specified(*, whole: Figures, parts: list[Figures]) -> Figures | None:
    """Money of a scope not earmarked to any of its parts (a plan's objectives, an objective's
    interventions): the "not specified" line that makes the parts add up to the whole, from the
    same stored rollups the page shows. None when every cent is earmarked. It needs nothing: a
    requirement is always an intervention's."""
    received = whole.received - sum((p.received for p in parts), ZERO)
    pledged = whole.pledged - sum((p.pledged for p in parts), ZERO)
    if not received and not pledged:
        return None
    return _money_only(received, pledged)
