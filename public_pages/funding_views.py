"""The public funding gap dashboard: required against received, and coverage, by dimension.

Without filters it reads the stored cross-plan rollups (GroupRollup: one query). With the
filters shared with /plans/, it adds up the stored per-plan rollups of the plans that match,
with the grouping rules of funding.selectors.group_figures (a plan counts once per country and
once per region; money not earmarked down to a level is "not specified").
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from crp_portal.pagecache import cached_page
from funding.figures import ZERO, Figures
from funding.models import (
    Contribution,
    GroupRollup,
    InterventionRollup,
    ObjectiveRollup,
    PlanYearRollup,
)
from plans.models import Plan
from public_pages.downloads import FORMATS, table_response
from public_pages.filters import PlanFilter
from public_pages.plan_views import published_plans
from public_pages.templatetags.public import figures as figures_of

from .charts import bar_chart

Dimension = GroupRollup.Dimension
TOP_UNMET = 10
CHART_TITLES = {
    Dimension.COUNTRY: gettext_lazy("By country"),
    Dimension.REGION: gettext_lazy("By region"),
    Dimension.YEAR: gettext_lazy("By year"),
    Dimension.STRATEGIC_OBJECTIVE: gettext_lazy("By strategic objective"),
    Dimension.SECTOR: gettext_lazy("By sector"),
    Dimension.DONOR: gettext_lazy("By donor"),
}


def _label(key: str, label: str) -> str:
    return _("Not specified") if key == "" else label


def _sorted(groups: list[tuple[str, str, Figures]]) -> list[tuple[str, Figures, bool]]:
    """(label, figures, unspecified) in label order (years in year order), "not specified" last."""
    ordered = sorted(groups, key=lambda g: (g[0] == "", g[1]))
    return [(_label(key, label), fig, key == "") for key, label, fig in ordered]


def _stored_groups() -> dict[str, list[tuple[str, Figures, bool]]]:
    """Every dimension's groups across all published plans, from GroupRollup (one query)."""
    groups = defaultdict(list)
    for row in GroupRollup.objects.all():
        groups[row.dimension].append((row.key, row.label, Figures.from_row(row)))
    return {dimension: _sorted(groups[dimension]) for dimension in Dimension.values}


def _costed_received(fig: Figures) -> Decimal:
    """The money of `fig` that coverage may count: none of it when its scope is not costed."""
    if fig.covered is not None:
        return fig.covered
    return fig.received if fig.required is not None else ZERO


def _add(total: Figures | None, fig: Figures) -> Figures:
    """Add two scopes' figures the way the stored group rollups do (funding.selectors)."""
    if total is None:
        return fig
    required = (
        None
        if total.required is None and fig.required is None
        else (total.required or ZERO) + (fig.required or ZERO)
    )
    return Figures(
        required=required,
        received=total.received + fig.received,
        pledged=total.pledged + fig.pledged,
        covered=_costed_received(total) + _costed_received(fig),
    )


def _money_only(received: Decimal, pledged: Decimal) -> Figures:
    return Figures(required=None, received=received, pledged=pledged)


def _filtered_groups(
    plans: list[Plan], intervention_rows: list[InterventionRollup]
) -> dict[str, list[tuple[str, Figures, bool]]]:
    """The same groups for some plans only, added up from their stored rollups (3 queries)."""
    plan_ids = [p.pk for p in plans]
    by: dict[str, dict[str, tuple[str, Figures]]] = {d: {} for d in Dimension.values}

    def put(dimension: str, key: str, label: str, fig: Figures) -> None:
        if fig.required is None and not fig.received and not fig.pledged:
            return  # like the stored groups: a group exists only where money is needed or given
        previous = by[dimension].get(key)
        by[dimension][key] = (label, _add(previous[1] if previous else None, fig))

    plan_money = {}
    for plan in plans:
        fig = figures_of(plan)
        plan_money[plan.pk] = fig
        regions = {}
        for country in plan.countries.all():
            put(Dimension.COUNTRY, country.iso3, country.name, fig)
            if country.region is not None:
                regions[country.region.slug] = country.region.name
        for slug, name in regions.items():  # once per region, however many of its countries
            put(Dimension.REGION, slug, name, fig)

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
    for row in donors:
        put(
            Dimension.DONOR,
            str(row["donor_id"]),
            row["donor__name"],
            _money_only(row["received"] or ZERO, row["pledged"] or ZERO),
        )
    return {
        dimension: _sorted([(key, label, fig) for key, (label, fig) in groups.items()])
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


_INTERVENTION_DETAIL = (
    "intervention__sector",
    "intervention__objective__plan",
    "intervention__objective__strategic_objective",
)


def _top_unmet_of_all() -> list[InterventionRollup]:
    """The interventions of published plans with the largest gaps."""
    rows = InterventionRollup.objects.filter(
        intervention__objective__plan__status=Plan.Status.PUBLISHED, gap_usd__gt=0
    )
    return list(
        rows.select_related(*_INTERVENTION_DETAIL).order_by("-gap_usd", "intervention__title")[
            :TOP_UNMET
        ]
    )


def _top_unmet_of(rows: list[InterventionRollup]) -> list[InterventionRollup]:
    """The same, among rollups already read (the filtered plans' interventions)."""
    unmet = [r for r in rows if r.gap_usd and r.gap_usd > 0]
    return sorted(unmet, key=lambda r: (-r.gap_usd, r.intervention.title))[:TOP_UNMET]


@require_safe
@cached_page
def dashboard(request):
    """The funding gap dashboard, for all published plans or those the filters select."""
    plan_filter = PlanFilter(request.GET or None, queryset=published_plans())
    if plan_filter.is_bound and plan_filter.is_filtered:
        plans = list(plan_filter.qs)
        intervention_rows = list(
            InterventionRollup.objects.filter(
                intervention__objective__plan_id__in=[p.pk for p in plans]
            ).select_related(*_INTERVENTION_DETAIL)
        )
        groups = _filtered_groups(plans, intervention_rows)
        top_unmet = _top_unmet_of(intervention_rows)
    else:
        groups = _stored_groups()
        top_unmet = _top_unmet_of_all()
    charts = [
        {
            "dimension": dimension,
            "title": CHART_TITLES[dimension],
            "dimension_label": Dimension(dimension).label,
            "chart": bar_chart(groups[dimension]),
            "money_only": dimension == Dimension.DONOR,
        }
        for dimension in Dimension.values
    ]
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return _dashboard_download(charts, top_unmet, fmt)
    context = {"filter": plan_filter, "charts": charts, "top_unmet": top_unmet}
    return render(request, "funding/dashboard.html", context)


def _dashboard_download(charts, top_unmet, fmt):
    headers = [
        "chart",
        "group",
        "required_usd",
        "received_usd",
        "pledged_usd",
        "gap_usd",
        "coverage_percent",
    ]
    rows = []
    for chart in charts:
        for row in chart["chart"].rows:
            fig = row.figures
            rows.append(
                [
                    str(chart["title"]),
                    row.label,
                    fig.required,
                    fig.received,
                    fig.pledged,
                    fig.gap,
                    fig.coverage_percent,
                ]
            )
    for rollup in top_unmet:
        fig = Figures.from_row(rollup)
        intervention = rollup.intervention
        rows.append(
            [
                _("Top unmet requirements"),
                f"{intervention.title} — {intervention.objective.plan.title}",
                fig.required,
                fig.received,
                fig.pledged,
                fig.gap,
                fig.coverage_percent,
            ]
        )
    return table_response(filename="crp-funding", fmt=fmt, headers=headers, rows=rows)
