"""Reads of funding figures computed from source rows (requirements and contributions).

Each figure is one aggregate over one table grouped by one key: never several Sum()s across a
join, which would multiply a sum by the number of joined rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from plans.models import Plan

from .figures import ZERO, Figures
from .models import Contribution, Requirement

_RECEIVED = Q(status__in=Contribution.RECEIVED_STATUSES)
_PLEDGED = Q(status=Contribution.Status.PLEDGED)


def _money_sums(queryset, key: str | None) -> dict:
    """{key: (received, pledged)} of contributions, in one grouped query."""
    sums = {
        "received": Sum("amount_usd", filter=_RECEIVED, default=ZERO),
        "pledged": Sum("amount_usd", filter=_PLEDGED, default=ZERO),
    }
    if key is None:
        row = queryset.aggregate(**sums)
        return {None: (row["received"], row["pledged"])}
    rows = queryset.order_by().values(key).annotate(**sums).values_list(key, "received", "pledged")
    return {k: (received, pledged) for k, received, pledged in rows}


def _required_sums(queryset, key: str | None) -> dict:
    if key is None:
        total = queryset.aggregate(total=Sum("amount_usd"))["total"]
        return {None: total} if total is not None else {}
    rows = (
        queryset.order_by().values(key).annotate(total=Sum("amount_usd")).values_list(key, "total")
    )
    return dict(rows)


@dataclass
class PlanFigures:
    """Every funding figure of one plan, computed from its source rows."""

    plan: Figures
    by_year: dict[int, Figures] = field(default_factory=dict)
    by_objective: dict[int, Figures] = field(default_factory=dict)
    by_intervention: dict[int, Figures] = field(default_factory=dict)


def _combine(required: dict, money: dict, keys: Iterable) -> dict:
    result = {}
    for key in keys:
        received, pledged = money.get(key, (ZERO, ZERO))
        result[key] = Figures(required=required.get(key), received=received, pledged=pledged)
    return result


def plan_figures(*, plan: Plan) -> PlanFigures:
    """Compute a plan's figures at every level from requirements and contributions (8 queries)."""
    requirements = Requirement.objects.filter(intervention__objective__plan=plan)
    contributions = Contribution.objects.filter(plan=plan)
    objective_ids = list(plan.objectives.values_list("pk", flat=True))
    intervention_ids = list(
        plan.objectives.values_list("interventions__pk", flat=True).exclude(interventions__pk=None)
    )

    plan_required = _required_sums(requirements, None).get(None)
    received, pledged = _money_sums(contributions, None)[None]

    year_required = _required_sums(requirements, "year")
    year_money = _money_sums(contributions.annotate(y=ExtractYear("contributed_on")), "y")

    return PlanFigures(
        plan=Figures(required=plan_required, received=received, pledged=pledged),
        by_year=_combine(year_required, year_money, plan.years),
        by_objective=_combine(
            _required_sums(requirements, "intervention__objective"),
            _money_sums(contributions.exclude(objective=None), "objective"),
            objective_ids,
        ),
        by_intervention=_combine(
            _required_sums(requirements, "intervention"),
            _money_sums(contributions.exclude(intervention=None), "intervention"),
            intervention_ids,
        ),
    )


def requirement_total(*, plan: Plan) -> Decimal | None:
    """Σ intervention requirements of a plan; None when nothing is costed."""
    return _required_sums(Requirement.objects.filter(intervention__objective__plan=plan), None).get(
        None
    )


# --- Across published plans, grouped by a dimension ------------------------------------------

NOT_SPECIFIED = ""  # the group key of money not earmarked down to the level asked for


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    figures: Figures


def _published_requirements():
    return Requirement.objects.filter(intervention__objective__plan__status=Plan.Status.PUBLISHED)


def _published_contributions():
    return Contribution.objects.filter(plan__status=Plan.Status.PUBLISHED)


def _groups(
    required: dict, money: dict, labels: dict, *, with_required: bool = True
) -> list[Group]:
    keys = set(required) | set(money)
    groups = []
    for key in keys:
        received, pledged = money.get(key, (ZERO, ZERO))
        skey = NOT_SPECIFIED if key is None else str(key)
        label = labels.get(key) or ("Not specified" if key is None else skey)
        groups.append(
            Group(
                key=skey,
                label=label,
                figures=Figures(
                    required=required.get(key) if with_required else None,
                    received=received,
                    pledged=pledged,
                ),
            )
        )
    return sorted(groups, key=lambda g: (g.key == NOT_SPECIFIED, g.label))


def group_figures(dimension: str) -> list[Group]:
    """Funding figures across published plans grouped by one dimension, from source rows.

    A plan counts once in each of its countries' groups and once in each region it touches;
    money not earmarked down to the level asked for is the "not specified" group (key "").
    """
    from interventions.models import Sector
    from objectives.models import StrategicObjective
    from plans.models import Country, Region

    from .models import Donor

    requirements, contributions = _published_requirements(), _published_contributions()
    if dimension == "country":
        key_r, key_c = "intervention__objective__plan__countries__iso3", "plan__countries__iso3"
        labels = dict(Country.objects.values_list("iso3", "name"))
        return _groups(
            _required_sums(requirements, key_r), _money_sums(contributions, key_c), labels
        )
    if dimension == "region":
        # Per region, filter by plan membership so a plan with two countries in one region
        # counts once there.
        groups = []
        for region in Region.objects.filter(
            countries__plans__status=Plan.Status.PUBLISHED
        ).distinct():
            plans = Plan.objects.filter(countries__region=region).values("pk")
            required = _required_sums(
                requirements.filter(intervention__objective__plan__in=plans), None
            )
            money = _money_sums(contributions.filter(plan__in=plans), None)
            groups += _groups(
                {region.slug: required.get(None)} if required else {},
                {region.slug: money[None]},
                {region.slug: region.name},
            )
        return sorted(groups, key=lambda g: g.label)
    if dimension == "year":
        return _groups(
            _required_sums(requirements, "year"),
            _money_sums(contributions.annotate(y=ExtractYear("contributed_on")), "y"),
            {},
        )
    if dimension == "strategic_objective":
        labels = {so.number: so.title for so in StrategicObjective.objects.all()}
        return _groups(
            _required_sums(requirements, "intervention__objective__strategic_objective__number"),
            _money_sums(contributions, "objective__strategic_objective__number"),
            labels,
        )
    if dimension == "sector":
        labels = dict(Sector.objects.values_list("slug", "name"))
        return _groups(
            _required_sums(requirements, "intervention__sector__slug"),
            _money_sums(contributions, "intervention__sector__slug"),
            labels,
        )
    if dimension == "donor":
        labels = {d.pk: d.name for d in Donor.objects.all()}
        return _groups({}, _money_sums(contributions, "donor"), labels, with_required=False)
    raise ValueError(f"unknown dimension {dimension!r}")
