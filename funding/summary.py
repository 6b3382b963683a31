"""Funding across published plans grouped by one or two dimensions, under filters, computed by
the database from source rows (requirements and contributions' year shares) when asked: what
`/api/v1/funding/summary/` answers when filtered or grouped two ways, and what the filtered
dashboard draws (issue #12, item 2). The unfiltered one-dimension groups are the stored
GroupRollup rows (funding.selectors.group_figures); this module follows the same rules, and a
test holds the two equal:

- A filter narrows requirements and money alike, at the finest line each is known at: a
  requirement is an intervention's for one year; money is a contribution's share for one year,
  earmarked to a plan, an objective or an intervention. `sector=health` keeps the requirements of
  health interventions and the money earmarked to them; money given to the whole plan is not
  known to be for health, so it is not counted.
- Country and region follow funding.grouping: a part counts once, in the country its
  intervention names or in the multi-country row of its plan. `country=AFG` is what the AFG row
  of `group_by=country` shows.
- A requirement has no donor: grouping or filtering by donor gives money only (required, gap and
  coverage null). A contribution status narrows the money counted; requirements stay.
- Coverage counts only money received by costed scopes (funding.selectors.group_figures): the
  plan's part in the group, and its objective or intervention when grouped by strategic
  objective or sector.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from crp_portal.translated_columns import translated_text
from interventions.models import Intervention, Sector
from objectives.models import StrategicObjective
from plans.models import Plan

from .figures import ZERO, Figures
from .grouping import Place, costed_received, figures_add, group_of
from .models import Contribution, ContributionYear, Donor, Requirement

DIMENSIONS = ("country", "region", "year", "strategic_objective", "sector", "donor", "plan")
NOT_SPECIFIED_LABEL = "Not specified"  # the stored groups' label of key ""

# Each cell column as reached from a requirement and from a contribution's year share.
_REQUIREMENT_PATHS = {
    "plan": "intervention__objective__plan_id",
    "objective": "intervention__objective_id",
    "intervention": "intervention_id",
    "placed": "intervention__country__iso3",
    "year": "year",
    "strategic_objective": "intervention__objective__strategic_objective__number",
    "sector": "intervention__sector__slug",
}
_MONEY_PATHS = {
    "plan": "contribution__plan_id",
    "objective": "contribution__objective_id",
    "intervention": "contribution__intervention_id",
    "placed": "contribution__intervention__country__iso3",
    "year": "year",
    "strategic_objective": "contribution__objective__strategic_objective__number",
    "sector": "contribution__intervention__sector__slug",
    "donor": "contribution__donor_id",
}
# The columns a grouping reads, and the scope whose requirement makes its money count in
# coverage (besides the plan and the group).
_COLUMNS = {
    "country": ("placed",),
    "region": ("placed",),
    "year": ("year",),
    "strategic_objective": ("strategic_objective", "objective"),
    "sector": ("sector", "intervention"),
    "donor": ("donor",),
    "plan": (),
    "intervention": ("intervention",),  # the dashboard's unmet requirements, not in the API
}
_RECEIVED = Q(contribution__status__in=Contribution.RECEIVED_STATUSES)
_PLEDGED = Q(contribution__status=Contribution.Status.PLEDGED)


@dataclass(frozen=True)
class SummaryFilters:
    """What a summary covers; empty means any. Each narrows requirements and money alike."""

    countries: tuple[str, ...] = ()  # ISO3
    regions: tuple[str, ...] = ()  # slugs
    year: int | None = None
    kinds: tuple[str, ...] = ()  # Plan.Kind
    strategic_objective: int | None = None  # number
    sector: str | None = None  # slug
    plan_type: str | None = None  # slug
    donors: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()  # Contribution.Status
    plan: str | None = None  # slug
    # Plans chosen by the caller (the dashboard's search and funding band): a queryset of pks.
    plans_in: QuerySet | None = None

    @property
    def money_only(self) -> bool:
        return bool(self.donors)


@dataclass(frozen=True)
class SummaryGroup:
    """One group: a key and label per dimension asked for (key "" is "not specified")."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    figures: Figures


@dataclass
class _Scope:
    required: Decimal | None = None
    received: Decimal = ZERO
    pledged: Decimal = ZERO


@dataclass
class _Labels:
    places: dict[int, list[Place]] = field(default_factory=dict)
    plans: dict[int, tuple[str, str]] = field(default_factory=dict)
    objectives: dict[int, str] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    donors: dict[int, str] = field(default_factory=dict)


def _plans(filters: SummaryFilters):
    plans = Plan.objects.public()
    if filters.plans_in is not None:
        plans = plans.filter(pk__in=filters.plans_in)
    if filters.plan:
        plans = plans.filter(slug=filters.plan)
    if filters.kinds:
        plans = plans.filter(kind__in=filters.kinds)
    # A place filter can only match parts of plans in that place (the rest is placed below).
    if filters.countries:
        plans = plans.filter(
            pk__in=Plan.countries.through.objects.filter(
                country__iso3__in=filters.countries
            ).values("plan_id")
        )
    if filters.regions:
        plans = plans.filter(
            pk__in=Plan.countries.through.objects.filter(
                country__region__slug__in=filters.regions
            ).values("plan_id")
        )
    return plans.values("pk")


def _narrowed(queryset, paths: dict, filters: SummaryFilters):
    """Source rows of the chosen plans, narrowed by the filters known at their line."""
    queryset = queryset.filter(**{f"{paths['plan']}__in": _plans(filters)})
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    if filters.strategic_objective is not None:
        queryset = queryset.filter(**{paths["strategic_objective"]: filters.strategic_objective})
    if filters.sector:
        queryset = queryset.filter(**{paths["sector"]: filters.sector})
    if filters.plan_type:
        typed = Intervention.objects.filter(plan_types__slug=filters.plan_type).values("pk")
        queryset = queryset.filter(**{f"{paths['intervention']}__in": typed})
    return queryset


def _requirement_cells(columns: Sequence[str], filters: SummaryFilters) -> Iterable[tuple]:
    """(column values…, required) per distinct cell, in one grouped query."""
    if filters.money_only:
        return []  # a requirement has no donor
    queryset = _narrowed(Requirement.objects.all(), _REQUIREMENT_PATHS, filters)
    paths = [_REQUIREMENT_PATHS[c] for c in columns]
    return (
        queryset.order_by()
        .values(*paths)
        .annotate(total=Sum("amount_usd"))
        .values_list(*paths, "total")
    )


def _money_cells(columns: Sequence[str], filters: SummaryFilters) -> Iterable[tuple]:
    """(column values…, received, pledged) per distinct cell, in one grouped query."""
    queryset = _narrowed(ContributionYear.objects.all(), _MONEY_PATHS, filters)
    if filters.donors:
        queryset = queryset.filter(contribution__donor_id__in=filters.donors)
    if filters.statuses:
        queryset = queryset.filter(contribution__status__in=filters.statuses)
    paths = [_MONEY_PATHS[c] for c in columns]
    return (
        queryset.order_by()
        .values(*paths)
        .annotate(
            received=Sum("amount_usd", filter=_RECEIVED, default=ZERO),
            pledged=Sum("amount_usd", filter=_PLEDGED, default=ZERO),
        )
        .values_list(*paths, "received", "pledged")
    )


def _columns(group_by: Sequence[str], filters: SummaryFilters) -> list[str]:
    columns = ["plan"]
    if filters.countries or filters.regions:
        columns.append("placed")
    for dimension in group_by:
        columns += [c for c in _COLUMNS[dimension] if c not in columns]
    return columns


def summarise(
    group_by: Sequence[str], filters: SummaryFilters = SummaryFilters()
) -> list[SummaryGroup]:
    """The groups of `group_by` (one or two of DIMENSIONS) under `filters`, in label order with
    "not specified" last. Two grouped queries over the source rows, and one per catalog whose
    names the groups show."""
    group_by = tuple(group_by)
    return summarise_each([group_by], filters)[group_by]


def summarise_each(
    groupings: Sequence[tuple[str, ...]], filters: SummaryFilters = SummaryFilters()
) -> dict[tuple[str, ...], list[SummaryGroup]]:
    """Several groupings under the same filters from the same two grouped queries (the
    dashboard's charts): the cells are read once, at the grain the finest grouping needs."""
    columns: list[str] = []
    for group_by in groupings:
        columns += [c for c in _columns(group_by, filters) if c not in columns]
    cells = _cells(columns, filters)
    labels = _labels({d for g in groupings for d in g}, filters, [cell for cell, _s in cells])
    return {
        group_by: _fold(group_by, _columns(group_by, filters), cells, labels, filters)
        for group_by in groupings
    }


def _cells(columns: list[str], filters: SummaryFilters) -> list[tuple[dict, _Scope]]:
    """(column values, figures) per distinct cell of requirements and money."""
    width = len(columns)
    scopes: dict[tuple, _Scope] = {}
    # A requirement has no donor: its cells are read without the column, which stays None.
    required_columns = [c for c in columns if c != "donor"]
    donor_at = columns.index("donor") if "donor" in columns else None
    for row in _requirement_cells(required_columns, filters):
        values = list(row[: len(required_columns)])
        if donor_at is not None:
            values.insert(donor_at, None)
        scope = scopes.setdefault(tuple(values), _Scope())
        scope.required = row[len(required_columns)]
    for row in _money_cells(columns, filters):
        scope = scopes.setdefault(tuple(row[:width]), _Scope())
        scope.received, scope.pledged = row[width], row[width + 1]
    return [(dict(zip(columns, key, strict=True)), scope) for key, scope in scopes.items()]


def _fold(
    group_by: tuple[str, ...],
    columns: list[str],
    cells: list[tuple[dict, _Scope]],
    labels: _Labels,
    filters: SummaryFilters,
) -> list[SummaryGroup]:
    """Cells into the groups of `group_by`; `columns` are the ones this grouping reads."""
    money_only = filters.money_only or "donor" in group_by
    groups: dict[tuple[tuple[str, str], ...], dict[tuple, _Scope]] = {}
    for cell, scope in cells:
        if money_only and not scope.received and not scope.pledged:
            continue  # a requirement's cell, where only money counts
        if not _in_places(cell, filters, labels):
            continue
        found = [_group(dimension, cell, labels) for dimension in group_by]
        placed = tuple(p for p in found if p is not None)
        if len(placed) < len(found):
            continue  # e.g. a plan of no region, by region: in no group, as stored
        # The scope that coverage judges: the plan's part in this group (and, by strategic
        # objective or sector, its objective or intervention).
        scope_key = tuple(cell[c] for c in columns if c != "placed")
        part = groups.setdefault(placed, {}).setdefault(scope_key, _Scope())
        if scope.required is not None and not money_only:
            part.required = (part.required or ZERO) + scope.required
        part.received += scope.received
        part.pledged += scope.pledged

    result = []
    for placed, parts in groups.items():
        total = None
        for part in parts.values():
            total = figures_add(
                total,
                Figures(required=part.required, received=part.received, pledged=part.pledged),
            )
        assert total is not None
        if total.required is None and not total.received and not total.pledged:
            continue  # a group exists only where money is needed or given, as stored
        result.append(
            SummaryGroup(
                keys=tuple(key for key, _label in placed),
                labels=tuple(label for _key, label in placed),
                figures=Figures(
                    required=total.required,
                    received=total.received,
                    pledged=total.pledged,
                    covered=costed_received(total),
                ),
            )
        )
    return sorted(result, key=_label_order)


def _label_order(group: SummaryGroup) -> tuple:
    """By label, dimension after dimension, each's "not specified" last."""
    pairs = zip(group.keys, group.labels, strict=True)
    return tuple(item for key, label in pairs for item in (key == "", label))


def _in_places(cell: dict, filters: SummaryFilters, labels: _Labels) -> bool:
    """Whether a cell is in the countries and regions filtered for, as grouping places it."""
    if filters.countries:
        placed = _group("country", cell, labels)
        if placed is None or placed[0] not in filters.countries:
            return False
    if filters.regions:
        placed = _group("region", cell, labels)
        if placed is None or placed[0] not in filters.regions:
            return False
    return True


def _group(dimension: str, cell: dict, labels: _Labels) -> tuple[str, str] | None:
    if dimension in ("country", "region"):
        return group_of(cell["placed"], labels.places.get(cell["plan"], []), dimension)
    if dimension == "plan":
        return labels.plans[cell["plan"]]
    if dimension == "year":
        return str(cell["year"]), str(cell["year"])
    if dimension == "strategic_objective":
        number = cell["strategic_objective"]
        if number is None:
            return "", NOT_SPECIFIED_LABEL
        return str(number), labels.objectives.get(number, str(number))
    if dimension == "sector":
        slug = cell["sector"]
        return (slug, labels.sectors.get(slug, slug)) if slug else ("", NOT_SPECIFIED_LABEL)
    if dimension == "donor":
        return str(cell["donor"]), labels.donors.get(cell["donor"], str(cell["donor"]))
    if dimension == "intervention":
        pk = cell["intervention"]
        return (str(pk), str(pk)) if pk else ("", NOT_SPECIFIED_LABEL)  # the caller names them
    raise ValueError(f"unknown dimension {dimension!r}")


def _labels(wanted: set[str], filters: SummaryFilters, cells: list[dict]) -> _Labels:
    """The names the groups show and the places of the plans, one query per catalog needed."""
    labels = _Labels()
    plan_ids = {cell["plan"] for cell in cells}
    if wanted & {"country", "region"} or filters.countries or filters.regions:
        through = Plan.countries.through.objects.filter(plan_id__in=plan_ids)
        for plan_id, *place in through.values_list(
            "plan_id",
            "country__iso3",
            "country__name",
            "country__region__slug",
            translated_text("country__region__name"),
        ).order_by("plan_id", "country__iso3"):
            labels.places.setdefault(plan_id, []).append(Place(*place))
    if "plan" in wanted:
        labels.plans = {
            pk: (slug, title)
            for pk, slug, title in Plan.objects.filter(pk__in=plan_ids).values_list(
                "pk", "slug", "title"
            )
        }
    if "strategic_objective" in wanted:
        labels.objectives = dict(StrategicObjective.objects.values_list("number", "title"))
    if "sector" in wanted:
        labels.sectors = dict(Sector.objects.values_list("slug", "name"))
    if "donor" in wanted:
        ids = {cell["donor"] for cell in cells}
        labels.donors = dict(Donor.objects.filter(pk__in=ids).values_list("pk", "name"))
    return labels
