"""The public funding gap dashboard: required against received, and coverage, by dimension.

Without filters it reads the stored cross-plan rollups (GroupRollup: one query). With the
filters shared with /plans/ (public_pages.filters), every chart and table is narrowed to what
they select, computed from source rows by funding.summary, which applies each filter to
requirements and money alike by the stored groups' rules (issue #12, item 2). Each chart shows
the largest gaps first, 15 groups, with a link to all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from crp_portal.pagecache import cached_page
from funding.figures import Figures
from funding.models import GroupRollup, InterventionRollup
from funding.summary import summarise_each
from interventions.models import Intervention
from plans.models import PUBLIC_STATUSES
from public_pages.downloads import FORMATS, table_response
from public_pages.filters import PlanFilter
from public_pages.plan_views import public_plans

from .charts import bar_chart
from .country_names import country_name

Dimension = GroupRollup.Dimension
TOP_UNMET = 10
TOP_GROUPS = 15  # per chart; "show all" lists every group
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


def _named(dimension: str, key: str, label: str) -> str:
    """A country group's name in the page's language (its key is the ISO3 code; the groups of
    regional plans, "Multi-country: …", keep theirs)."""
    if dimension == Dimension.COUNTRY and len(key) == 3:
        return country_name(iso3=key, name=label)
    return label


def _by_gap(groups: list[tuple[str, str, Figures]]) -> list[tuple[str, Figures, bool]]:
    """(label, figures, unspecified), largest gap first; groups of no known gap (not costed,
    donors) by what they received; then by label, "not specified" last among equals."""

    def order(group):
        key, label, fig = group
        gap = fig.gap
        return (gap is None, -(gap or 0), -fig.received, key == "", label)

    return [(_label(key, label), fig, key == "") for key, label, fig in sorted(groups, key=order)]


def _stored_groups() -> dict[str, list[tuple[str, Figures, bool]]]:
    """Every dimension's groups across all published plans, from GroupRollup (one query)."""
    groups = defaultdict(list)
    for row in GroupRollup.objects.all():
        label = _named(row.dimension, row.key, row.label)
        groups[row.dimension].append((row.key, label, Figures.from_row(row)))
    return {dimension: _by_gap(groups[dimension]) for dimension in Dimension.values}


@dataclass(frozen=True)
class UnmetRow:
    """An intervention with a gap, and its figures under the filters (as a rollup reads)."""

    intervention: Intervention
    required_usd: Decimal | None
    received_usd: Decimal
    pledged_usd: Decimal
    gap_usd: Decimal | None
    coverage_percent: Decimal | None


_INTERVENTION_DETAIL = (
    "intervention__sector",
    "intervention__country",
    "intervention__objective__plan",
    "intervention__objective__strategic_objective",
)


def _top_unmet_of_all() -> list[InterventionRollup]:
    """The interventions of published plans with the largest gaps."""
    rows = InterventionRollup.objects.filter(
        intervention__objective__plan__status__in=PUBLIC_STATUSES, gap_usd__gt=0
    )
    return list(
        rows.select_related(*_INTERVENTION_DETAIL).order_by("-gap_usd", "intervention__title")[
            :TOP_UNMET
        ]
    )


def _filtered(plan_filter: PlanFilter):
    """Every chart's groups and the unmet requirements under the filters (funding.summary)."""
    groupings = [(dimension,) for dimension in Dimension.values] + [("intervention",)]
    found = summarise_each(groupings, plan_filter.summary_filters())
    groups = {
        dimension: _by_gap(
            [
                (g.keys[0], _named(dimension, g.keys[0], g.labels[0]), g.figures)
                for g in found[(dimension,)]
            ]
        )
        for dimension in Dimension.values
    }
    unmet = sorted(
        (g for g in found[("intervention",)] if g.keys[0] and (g.figures.gap or 0) > 0),
        key=lambda g: -(g.figures.gap or 0),
    )[:TOP_UNMET]
    interventions = Intervention.objects.select_related("sector", "objective__plan").in_bulk(
        [int(g.keys[0]) for g in unmet]
    )
    top_unmet = [
        UnmetRow(
            intervention=interventions[int(g.keys[0])],
            required_usd=g.figures.required,
            received_usd=g.figures.received,
            pledged_usd=g.figures.pledged,
            gap_usd=g.figures.gap,
            coverage_percent=g.figures.coverage_percent,
        )
        for g in unmet
    ]
    top_unmet.sort(key=lambda row: (-(row.gap_usd or 0), row.intervention.title))
    return groups, top_unmet


@require_safe
@cached_page
def dashboard(request):
    """The funding gap dashboard, for all public plans (past ones too, for the years they
    covered) or what the filters select."""
    plan_filter = PlanFilter(request.GET or None, queryset=public_plans())
    if plan_filter.is_bound and plan_filter.is_filtered:
        groups, top_unmet = _filtered(plan_filter)
    else:
        groups = _stored_groups()
        top_unmet = _top_unmet_of_all()
    shown_in_full = request.GET.get("show")
    charts = []
    for dimension in Dimension.values:
        rows = groups[dimension]
        in_full = shown_in_full == dimension or len(rows) <= TOP_GROUPS
        charts.append(
            {
                "dimension": dimension,
                "title": CHART_TITLES[dimension],
                "dimension_label": Dimension(dimension).label,
                "chart": bar_chart(rows if in_full else rows[:TOP_GROUPS]),
                "all_rows": rows,
                "count": len(rows),
                "cut": not in_full,
                "expanded": shown_in_full == dimension and len(rows) > TOP_GROUPS,
                "money_only": dimension == Dimension.DONOR,
            }
        )
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return _dashboard_download(charts, top_unmet, fmt)
    context = {
        "filter": plan_filter,
        "charts": charts,
        "top_unmet": top_unmet,
        "top_groups": TOP_GROUPS,
    }
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
        for label, fig, _unspecified in chart["all_rows"]:  # every group, not the 15 drawn
            rows.append(
                [
                    str(chart["title"]),
                    label,
                    fig.required,
                    fig.received,
                    fig.pledged,
                    fig.gap,
                    fig.coverage_percent,
                ]
            )
    for unmet in top_unmet:
        intervention = unmet.intervention
        rows.append(
            [
                _("Top unmet requirements"),
                f"{intervention.title} — {intervention.objective.plan.title}",
                unmet.required_usd,
                unmet.received_usd,
                unmet.pledged_usd,
                unmet.gap_usd,
                unmet.coverage_percent,
            ]
        )
    return table_response(filename="crp-funding", fmt=fmt, headers=headers, rows=rows)
