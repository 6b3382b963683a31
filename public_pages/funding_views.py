"""The public funding gap dashboard: required against received, and coverage, by dimension.

Without filters it reads the stored cross-plan rollups (GroupRollup: one query). With the
filters shared with /plans/, it adds up the stored per-plan rollups of the plans that match,
with the grouping rules of funding.selectors.group_figures (funding.grouping: nothing counts
twice by country or region; money not earmarked down to a level is "not specified").
"""

from __future__ import annotations

from collections import defaultdict

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from crp_portal.pagecache import cached_page
from funding.figures import Figures
from funding.models import (
    GroupRollup,
    InterventionRollup,
)
from funding.selectors_shown import filtered_group_figures
from plans.models import Plan
from public_pages.downloads import FORMATS, table_response
from public_pages.filters import PlanFilter
from public_pages.plan_views import published_plans

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


_INTERVENTION_DETAIL = (
    "intervention__sector",
    "intervention__country",
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
        groups = {
            dimension: _sorted(rows)
            for dimension, rows in filtered_group_figures(
                plans=plans, intervention_rows=intervention_rows
            ).items()
        }
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
