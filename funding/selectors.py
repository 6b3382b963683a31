"""Reads of funding figures computed from source rows (requirements and contributions).

Each figure is one aggregate over one table grouped by one key: never several Sum()s across a
join, which would multiply a sum by the number of joined rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value, Window
from django.db.models.functions import Coalesce

from crp_portal.translated_columns import translated_text
from interventions.models import Sector
from objectives.models import Objective, StrategicObjective
from plans.models import PUBLIC_STATUSES, Plan

from .figures import ZERO, Figures
from .grouping import Place, costed_received, figures_add, plan_groups
from .models import Contribution, ContributionYear, Donor, Requirement

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


def _year_shares(**contribution_lookups):
    """The shares of the contributions matching the lookups, each for one year (its `year`) with
    its USD (`amount_usd`) and its contribution's `status` and `plan`: what a year's money sums,
    whatever the contributions' dates (issue #12, item 4). The shares of one contribution add up
    to it, so years add up to their plans' totals."""
    lookups = {f"contribution__{name}": value for name, value in contribution_lookups.items()}
    return ContributionYear.objects.filter(**lookups).annotate(
        status=F("contribution__status"), plan=F("contribution__plan")
    )


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
        plan.objectives.values_list("interventions__pk", flat=True).exclude(
            interventions__pk__isnull=True
        )
    )

    plan_required = _required_sums(requirements, None).get(None)
    received, pledged = _money_sums(contributions, None)[None]

    year_required = _required_sums(requirements, "year")
    year_money = _money_sums(_year_shares(plan=plan), "year")

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


# --- Across published plans, grouped by a dimension ------------------------------------------

NOT_SPECIFIED = ""  # the group key of money not earmarked down to the level asked for


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    figures: Figures


def _published_requirements():
    return Requirement.objects.filter(intervention__objective__plan__status__in=PUBLIC_STATUSES)


def _published_contributions():
    return Contribution.objects.filter(plan__status__in=PUBLIC_STATUSES)


def _group_money(queryset, key: str, covered: Q) -> dict:
    """{key: (received, pledged, received by costed scopes)} in one grouped query.

    `covered` is a plain `IN (SELECT …)` condition, which PostgreSQL runs as one hashed subplan,
    not as a lookup per contribution.
    """
    sums = {
        "received": Sum("amount_usd", filter=_RECEIVED, default=ZERO),
        "pledged": Sum("amount_usd", filter=_PLEDGED, default=ZERO),
        "covered": Sum("amount_usd", filter=_RECEIVED & covered, default=ZERO),
    }
    rows = queryset.order_by().values(key).annotate(**sums)
    return {r[key]: (r["received"], r["pledged"], r["covered"]) for r in rows}


def _money_by(queryset, *keys: str) -> dict:
    """{keys: (received, pledged)} of contributions grouped by small keys (plans, objectives)."""
    sums = {
        "received": Sum("amount_usd", filter=_RECEIVED, default=ZERO),
        "pledged": Sum("amount_usd", filter=_PLEDGED, default=ZERO),
    }
    rows = queryset.order_by().values(*keys).annotate(**sums).values_list(*keys, *sums)
    return {tuple(r[: len(keys)]) if len(keys) > 1 else r[0]: r[len(keys) :] for r in rows}


def _required_sums_by(queryset, *keys: str) -> dict:
    rows = queryset.order_by().values(*keys).annotate(total=Sum("amount_usd"))
    return {tuple(r[k] for k in keys): r["total"] for r in rows}


def _roll_up(members: dict, required: dict, money: dict, costed) -> tuple[dict, dict]:
    """Sum per-scope figures into groups: members {scope: [group keys]} → (required, money).

    A scope counts once in each of its groups; its received money counts in coverage only when
    `costed(scope)`. A scope without members is in the "not specified" group (key None).
    """
    group_required: dict = {}
    group_money: dict = {}
    for scope in set(required) | set(money):
        received, pledged = money.get(scope, (ZERO, ZERO))
        for key in members.get(scope, [None]):
            if required.get(scope) is not None:
                group_required[key] = group_required.get(key, ZERO) + required[scope]
            r, p, c = group_money.get(key, (ZERO, ZERO, ZERO))
            group_money[key] = (
                r + received,
                p + pledged,
                c + (received if costed(scope) else ZERO),
            )
    return group_required, group_money


def _groups(
    required: dict, money: dict, labels: dict, *, with_required: bool = True
) -> list[Group]:
    keys = set(required) | set(money)
    groups = []
    for key in keys:
        received, pledged, covered = money.get(key, (ZERO, ZERO, ZERO))
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
                    covered=covered,
                ),
            )
        )
    return sorted(groups, key=lambda g: (g.key == NOT_SPECIFIED, g.label))


def group_figures(dimension: str) -> list[Group]:
    """Funding figures across published plans grouped by one dimension, from source rows.

    A plan counts once in each of its countries' groups and once in each region it touches;
    money not earmarked down to the level asked for is the "not specified" group (key "").

    Coverage and gap of a group count only money received by *costed* scopes: unknown is not
    zero, and a requirement left out of coverage must take its money out too, or an uncosted
    plan's funding would inflate the group's coverage (plan A needs 100 and got 50, uncosted plan
    B got 1,000: the country is 50 % covered, not 1,050 %). The scope is the one the group is
    keyed by: the plan for country, region and donor; the plan's requirements of that year for
    year; the objective for strategic objective; the intervention for sector. `received` still
    shows all the money received; `covered` is the part that counts.
    """
    requirements, contributions = _published_requirements(), _published_contributions()
    # Dimensions of plans (country, region), of years and of objectives are summed from per-plan,
    # per-(plan, year) and per-objective aggregates: a few thousand rows. Joining a million
    # contributions to countries or regions instead would multiply the work (and a join that
    # repeats a contribution per country is exactly how sums get multiplied).
    if dimension in {"country", "region"}:
        return _place_groups(dimension, requirements, contributions)
    if dimension == "year":
        required_pairs = _required_sums_by(requirements, "intervention__objective__plan", "year")
        money = _money_by(_year_shares(plan__status__in=PUBLIC_STATUSES), "plan", "year")
        members = {pair: [pair[1]] for pair in set(required_pairs) | set(money)}
        group_required, group_money = _roll_up(
            members, required_pairs, money, lambda pair: required_pairs.get(pair) is not None
        )
        return _groups(group_required, group_money, {})
    if dimension == "strategic_objective":
        # Keyed by strategic objective number here, by sector slug or donor pk below.
        labels: dict = {so.number: so.title for so in StrategicObjective.objects.all()}
        required = _required_sums(requirements, "intervention__objective")
        money = _money_by(contributions, "objective")
        members = {
            pk: [number]
            for pk, number in Objective.objects.filter(
                plan__status__in=PUBLIC_STATUSES
            ).values_list("pk", "strategic_objective__number")
        }
        group_required, group_money = _roll_up(
            members, required, money, lambda pk: required.get(pk) is not None
        )
        return _groups(group_required, group_money, labels)
    if dimension == "sector":
        labels = dict(Sector.objects.values_list("slug", "name"))
        costed = Q(intervention__in=Requirement.objects.values("intervention"))
        return _groups(
            _required_sums(requirements, "intervention__sector__slug"),
            _group_money(contributions, "intervention__sector__slug", costed),
            labels,
        )
    if dimension == "donor":
        labels = {d.pk: d.name for d in Donor.objects.all()}
        costed = Q(plan__in=Requirement.objects.values("intervention__objective__plan"))
        return _groups(
            {}, _group_money(contributions, "donor", costed), labels, with_required=False
        )
    raise ValueError(f"unknown dimension {dimension!r}")


def _place_groups(dimension: str, requirements, contributions) -> list[Group]:
    """By country or region (funding.grouping): each published plan's parts per country its
    interventions name, summed by (plan, country named) in two grouped queries, then placed."""
    required = _required_sums_by(
        requirements, "intervention__objective__plan", "intervention__country__iso3"
    )
    money = _money_by(contributions, "plan", "intervention__country__iso3")
    places: dict[int, list[Place]] = {}
    through = Plan.countries.through.objects.filter(plan__status__in=PUBLIC_STATUSES)
    for plan_id, *place in through.values_list(
        "plan_id",
        "country__iso3",
        "country__name",
        "country__region__slug",
        translated_text("country__region__name"),
    ).order_by("plan_id", "country__iso3"):
        places.setdefault(plan_id, []).append(Place(*place))
    parts: dict[int, list] = {}
    for plan_id, iso3 in set(required) | set(money):
        received, pledged = money.get((plan_id, iso3), (ZERO, ZERO))
        fig = Figures(required=required.get((plan_id, iso3)), received=received, pledged=pledged)
        parts.setdefault(plan_id, []).append((iso3, fig))
    totals: dict[tuple[str, str], Figures] = {}
    for plan_id, plan_parts in parts.items():
        groups = plan_groups(dimension=dimension, places=places.get(plan_id, []), parts=plan_parts)
        for group, fig in groups.items():
            totals[group] = figures_add(totals.get(group), fig)
    ordered = sorted(totals.items(), key=lambda item: (item[0][0] == NOT_SPECIFIED, item[0][1]))
    return [
        Group(
            key=key,
            label=label,
            figures=Figures(
                required=fig.required,
                received=fig.received,
                pledged=fig.pledged,
                covered=costed_received(fig),
            ),
        )
        for (key, label), fig in ordered
    ]


# --- Who gave what to one plan (its page and downloads) --------------------------------------


@dataclass(frozen=True)
class DonorGiving:
    """One donor's contributions to a plan, with their totals (computed by the database)."""

    donor_id: int
    name: str
    received: Decimal
    pledged: Decimal
    # One row per contribution and year it is for (a split one is a row a year, as FTS lists
    # its child flows): `year_for`, `amount_for` (its currency) and `usd_for` annotated.
    contributions: list[Contribution]

    @property
    def count(self) -> int:
        """How many contributions (not rows: a split contribution is one)."""
        return len({c.pk for c in self.contributions})


@dataclass(frozen=True)
class PlanDonors:
    """Every counted and pledged contribution of a plan, grouped by donor, with totals."""

    donors: list[DonorGiving]
    received: Decimal
    pledged: Decimal


def _window_sum(condition: Q, *partition: str):
    """Σ usd_for of the rows meeting `condition` in each row's partition (all rows: none)."""
    return Coalesce(
        Window(
            Sum("usd_for", filter=condition),
            partition_by=[F(p) for p in partition] or None,
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=24, decimal_places=2),
    )


def plan_donors(*, plan: Plan, year: int | None = None) -> PlanDonors:
    """Who gave what to a plan (or for one year of it): every contribution with its donor,
    status, date, and for each year it is for (`year_for`) that year's original amount
    (`amount_for`, in its currency) and USD (`usd_for`); donors
    ordered by received, then pledged money, then name. One query, whatever the number of
    contributions and donors: the donors' and the plan's totals are window sums over the rows,
    so they are computed by the database from exactly the rows listed."""
    rows = Contribution.objects.filter(plan=plan).annotate(
        year_for=F("years__year"), amount_for=F("years__amount"), usd_for=F("years__amount_usd")
    )
    if year is not None:
        rows = rows.filter(year_for=year)
    rows = (
        rows.select_related("donor", "currency", "objective__strategic_objective", "intervention")
        .annotate(
            donor_received=_window_sum(_RECEIVED, "donor_id"),
            donor_pledged=_window_sum(_PLEDGED, "donor_id"),
            plan_received=_window_sum(_RECEIVED),
            plan_pledged=_window_sum(_PLEDGED),
        )
        .order_by(
            "-donor_received",
            "-donor_pledged",
            "donor__name",
            "donor_id",
            "contributed_on",
            "pk",
            "year_for",
        )
    )
    donors: list[DonorGiving] = []
    received, pledged = ZERO, ZERO
    for contribution in rows:
        received, pledged = contribution.plan_received, contribution.plan_pledged
        if not donors or donors[-1].donor_id != contribution.donor_id:
            donors.append(
                DonorGiving(
                    donor_id=contribution.donor_id,
                    name=contribution.donor.name,
                    received=contribution.donor_received,
                    pledged=contribution.donor_pledged,
                    contributions=[],
                )
            )
        donors[-1].contributions.append(contribution)
    return PlanDonors(donors=donors, received=received, pledged=pledged)
