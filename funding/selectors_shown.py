"""Figures of a chosen set of published plans, added up from their stored rollups: what the
public pages and their downloads show under filters or for one year of a plan. The rules live
here, never in a view (the unfiltered groups are the stored GroupRollup rows, recomputed from
source rows by funding.selectors and cross-checked by the audit)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from plans.models import Plan

from .figures import NOT_COSTED, ZERO, Figures
from .grouping import Place, figures_add, plan_groups
from .models import (
    Contribution,
    GroupRollup,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
)

Dimension = GroupRollup.Dimension


def published_totals() -> dict:
    """Headline totals across published plans, from their stored rollups (one query)."""
    return PlanRollup.objects.filter(plan__status=Plan.Status.PUBLISHED).aggregate(
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


def _placed_parts(intervention_rows: list[InterventionRollup]) -> dict[int, dict]:
    """{plan id: {ISO3: figures}} of the interventions that name their country, from their
    stored rollups, and the requirement of those that name none under key None."""
    placed: dict[int, dict] = {}
    for row in intervention_rows:
        plan_parts = placed.setdefault(row.intervention.objective.plan_id, {})
        country = row.intervention.country
        iso3 = country.iso3 if country is not None else None
        plan_parts[iso3] = figures_add(plan_parts.get(iso3), Figures.from_row(row))
    return placed


def _rest(plan: Figures, parts: dict) -> Figures:
    """The part of a plan that names no country: the requirement of its interventions that name
    none, and the money not earmarked to one that names one."""
    unplaced = parts.get(None)
    named = [fig for iso3, fig in parts.items() if iso3 is not None]
    return Figures(
        required=unplaced.required if unplaced else None,
        received=plan.received - sum((f.received for f in named), ZERO),
        pledged=plan.pledged - sum((f.pledged for f in named), ZERO),
    )


def filtered_group_figures(
    *, plans: list[Plan], intervention_rows: list[InterventionRollup]
) -> dict[str, list[tuple[str, str, Figures]]]:
    """The groups of `group_figures` for some published plans only (the public filters), added
    up from their stored rollups (3 queries): (key, label, figures) per dimension; key "" is
    "not specified". By country and region a plan's parts count once each (funding.grouping);
    money not earmarked down to a level is "not specified", so every dimension adds up to the
    plans' total."""
    plan_ids = [p.pk for p in plans]
    by: dict[str, dict[str, tuple[str, Figures]]] = {d: {} for d in Dimension.values}

    def put(dimension: str, key: str, label: str, fig: Figures) -> None:
        if fig.required is None and not fig.received and not fig.pledged:
            return  # like the stored groups: a group exists only where money is needed or given
        previous = by[dimension].get(key)
        by[dimension][key] = (label, figures_add(previous[1] if previous else None, fig))

    plan_money = {}
    placed = _placed_parts(intervention_rows)
    for plan in plans:
        fig = stored_figures(plan)
        plan_money[plan.pk] = fig
        plan_parts = placed.get(plan.pk, {})
        parts = [(iso3, f) for iso3, f in plan_parts.items() if iso3 is not None]
        parts.append((None, _rest(fig, plan_parts)))
        places = [
            Place(
                c.iso3,
                c.name,
                c.region.slug if c.region else None,
                c.region.name if c.region else None,
            )
            for c in plan.countries.all()
        ]
        for dimension in (Dimension.COUNTRY, Dimension.REGION):
            groups = plan_groups(dimension=dimension, places=places, parts=parts)
            for (key, label), group_fig in groups.items():
                put(dimension, key, label, group_fig)

    for row in PlanYearRollup.objects.filter(plan_id__in=plan_ids):
        put(Dimension.YEAR, str(row.year), str(row.year), Figures.from_row(row))

    _earmarked_groups(
        put,
        Dimension.STRATEGIC_OBJECTIVE,
        plan_money,
        (
            (str(r.objective.strategic_objective.number), r.objective.strategic_objective.title, r)
            for r in ObjectiveRollup.objects.filter(objective__plan_id__in=plan_ids).select_related(
                "objective__strategic_objective"
            )
        ),
    )
    _earmarked_groups(
        put,
        Dimension.SECTOR,
        plan_money,
        (
            (r.intervention.sector.slug, r.intervention.sector.name, r)
            if r.intervention.sector
            else ("", "", r)
            for r in intervention_rows
        ),
    )

    donors = (
        Contribution.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values("donor_id", "donor__name")
        .annotate(
            received=Sum("amount_usd", filter=Q(status__in=Contribution.RECEIVED_STATUSES)),
            pledged=Sum("amount_usd", filter=Q(status=Contribution.Status.PLEDGED)),
        )
    )
    for donor in donors:
        put(
            Dimension.DONOR,
            str(donor["donor_id"]),
            donor["donor__name"],
            _money_only(donor["received"] or ZERO, donor["pledged"] or ZERO),
        )
    return {
        dimension: [(key, label, fig) for key, (label, fig) in groups.items()]
        for dimension, groups in by.items()
    }


def _earmarked_groups(put, dimension: str, plan_money: dict, rows) -> None:
    """Groups of one earmarking level; money not earmarked down to it is "not specified"."""
    earmarked_received, earmarked_pledged = ZERO, ZERO
    unspecified_required = None
    for key, label, row in rows:
        fig = Figures.from_row(row)
        if key:
            put(dimension, key, label, fig)
            earmarked_received += fig.received
            earmarked_pledged += fig.pledged
        elif fig.required is not None:
            unspecified_required = (unspecified_required or ZERO) + fig.required
            # Money earmarked to a line without this dimension is "not specified" too: it stays
            # in the remainder below, so it is not subtracted here.
    received = sum((f.received for f in plan_money.values()), ZERO) - earmarked_received
    pledged = sum((f.pledged for f in plan_money.values()), ZERO) - earmarked_pledged
    if received or pledged or unspecified_required is not None:
        put(
            dimension,
            "",
            "",
            Figures(required=unspecified_required, received=received, pledged=pledged),
        )


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
