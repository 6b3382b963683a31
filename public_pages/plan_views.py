"""Public pages for donors: the home page, the plan list and a plan as a published CRP reads.

Every figure comes from the stored rollups (funding.models) through funding.figures, so pages,
downloads and the API apply the same rules. Each page runs a fixed number of queries, whatever
the number of plans (select_related / prefetch_related, no per-row reads).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from crp_portal.pagecache import cached_page
from crp_portal.translated_columns import translated_text
from funding.figures import NOT_COSTED, Figures, coverage_percent, whole_percent
from funding.selectors import PlanDonors, plan_donors
from funding.selectors_shown import not_specified, published_totals, required_of, year_required
from funding.selectors_shown import stored_figures as figures_of
from interventions.models import Intervention, PlanType
from objectives.models import Objective, TargetGroup
from plans.models import (
    PUBLIC_STATUSES,
    ContextIndicator,
    Country,
    OperationalPresence,
    Plan,
    PlanDocument,
    is_regional,
)
from plans.translated import (
    ACTIVITY_TEXTS,
    INTERVENTION_TEXTS,
    OBJECTIVE_TEXTS,
    PLAN_TEXTS,
    fallback_state,
)
from public_pages.downloads import FORMATS, table_response

from . import pdf
from .filters import PlanListFilter

PAGE_SIZE = 20
HOME_LIST_SIZE = 5


def _download_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in FORMATS else None


def published_plans():
    """Current (published) plans with what a list row shows: rollup and countries."""
    return public_plans().filter(status=Plan.Status.PUBLISHED)


def public_plans():
    """Public plans, current and past, with what a list row shows: rollup and countries, in two
    queries."""
    return (
        Plan.objects.public()
        .select_related("rollup")
        .prefetch_related(Prefetch("countries", queryset=Country.objects.select_related("region")))
    )


def _plan_row(plan: Plan) -> list:
    fig = figures_of(plan)
    return [
        plan.title,
        plan.slug,
        "; ".join(c.name for c in plan.countries.all()),
        plan.get_kind_display(),
        plan.period_label,
        fig.required,
        fig.received,
        fig.pledged,
        fig.gap,
        fig.coverage_percent,
        plan.last_updated_on.isoformat(),
    ]


PLAN_HEADERS = [
    "title",
    "slug",
    "countries",
    "kind",
    "period",
    "required_usd",
    "received_usd",
    "pledged_usd",
    "gap_usd",
    "coverage_percent",
    "last_updated",
]


@require_safe
@cached_page
def home(request):
    """Headline totals across published plans, the largest gaps, the latest updated plans."""
    totals = published_totals()
    counts = Plan.objects.public().aggregate(
        plans=Count("pk", distinct=True), countries=Count("countries", distinct=True)
    )
    coverage = coverage_percent(totals["required"], totals["received_costed"])
    context = {
        "totals": totals,
        "total_figures": Figures(
            required=totals["required"], received=totals["received"], pledged=totals["pledged"]
        ),
        "coverage_whole": whole_percent(coverage),
        "plan_count": counts["plans"],
        "country_count": counts["countries"],
        "largest_gaps": list(
            published_plans()
            .filter(rollup__gap_usd__gt=0)
            .order_by("-rollup__gap_usd", "slug")[:HOME_LIST_SIZE]
        ),
        "latest": list(
            published_plans().order_by("-last_updated_on", "-updated_at", "slug")[:HOME_LIST_SIZE]
        ),
    }
    return render(request, "plans/home.html", context)


@require_safe
@cached_page
def plan_list(request):
    """Public plans, filtered and sorted by GET parameters (shareable), paginated: the current
    ones unless `status` asks for past plans (archived) or both."""
    plan_filter = PlanListFilter(request.GET, queryset=public_plans())
    fmt = _download_format(request)
    if fmt:
        return table_response(
            filename="crp-plans",
            fmt=fmt,
            headers=PLAN_HEADERS,
            rows=[_plan_row(plan) for plan in plan_filter.qs],
        )
    paginator = Paginator(plan_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"filter": plan_filter, "page": page, "paginator": paginator}
    return render(request, "plans/plan_list.html", context)


def _selected_year(request, plan: Plan) -> tuple[int | None, bool]:
    """The year tab asked for, or None for the whole period; and whether the ask was invalid."""
    raw = request.GET.get("year")
    if not raw or plan.start_year == plan.end_year:
        return None, False
    try:
        year = int(raw)
    except ValueError:
        return None, True
    if year not in plan.years:
        return None, True
    return year, False


@require_safe
@cached_page
def plan_detail(request, slug: str):
    """One published plan, as a published CRP page reads; one tab per year when multi-year."""
    return _plan_page(request, slug)


@require_safe
@cached_page
def plan_pdf(request, slug: str):
    """The plan page as a PDF (WeasyPrint), from the same template; cached like the page.
    Without WeasyPrint's system libraries: 503 with a page saying what to install."""
    missing = pdf.weasyprint_missing()
    if missing:
        get_object_or_404(Plan.objects.public(), slug=slug)
        return render(request, "plans/plan_pdf_missing.html", {"message": missing}, status=503)
    page = _plan_page(request, slug, as_pdf=True)
    if page.status_code != 200:
        return page
    response = HttpResponse(pdf.html_to_pdf(page.content.decode()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slug}.pdf"'
    return response


def _plan_page(request, slug: str, as_pdf: bool = False):
    plan = get_object_or_404(
        Plan.objects.public()
        .select_related("rollup")
        .prefetch_related(
            "countries",
            "plan_years",
            "year_rollups",
            "documents",
            "indicators",
            "modalities",
            "priorities",
            Prefetch("presences", queryset=OperationalPresence.objects.select_related("country")),
            Prefetch(
                "objectives",
                queryset=plan_objectives(),
            ),
        ),
        slug=slug,
    )
    year, bad_year = _selected_year(request, plan)
    plan_years = {py.year: py for py in plan.plan_years.all()}
    year_rollups = {r.year: r for r in plan.year_rollups.all()}
    objectives = list(plan.objectives.all())

    if year is None:
        headline = figures_of(plan)
        people = _whole_period_people(plan, plan_years)
    else:
        row = year_rollups.get(year)
        headline = Figures.from_row(row) if row else NOT_COSTED
        people = plan_years.get(year)
    for objective in objectives:
        interventions = list(objective.interventions.all())
        for intervention in interventions:
            intervention.shown = (
                figures_of(intervention)
                if year is None
                else Figures(
                    required=year_required(requirements=intervention.requirements.all(), year=year)
                )
            )
        if year is None:
            objective.shown = figures_of(objective)
            # Money earmarked to the objective, not to one of its interventions.
            objective.not_specified = not_specified(
                whole=objective.shown, parts=[i.shown for i in interventions]
            )
        else:
            objective.shown = required_of([i.shown for i in interventions])
            objective.not_specified = None  # received is kept for the whole period below plans
        objective.shown_interventions = interventions
    # Money given to the plan, not earmarked to one of its objectives: so the objectives add up.
    plan_not_specified = (
        not_specified(whole=headline, parts=[o.shown for o in objectives]) if year is None else None
    )
    donors = plan_donors(plan=plan, year=year)
    first_required = plan.first_published_required_usd
    revised_from = (
        first_required
        if year is None and first_required is not None and first_required != headline.required
        else None
    )

    fmt = None if as_pdf else _download_format(request)
    if fmt:
        table = request.GET.get("table")
        return _plan_download(
            plan, year, headline, objectives, plan_not_specified, donors, fmt, table
        )
    tabs = []
    if plan.start_year != plan.end_year:
        tabs = [
            {"year": None, "label": _("Whole period %(period)s") % {"period": plan.period_label}}
        ]
        tabs += [{"year": y, "label": str(y)} for y in plan.years]
    context = {
        "plan": plan,
        "year": year,
        "bad_year": bad_year,
        "tabs": tabs,
        "headline": headline,
        "people": people,
        "objectives": objectives,
        "not_specified": plan_not_specified,
        "donors": donors,
        "revised_from": revised_from,
        "presences": list(plan.presences.all()),
        "documents": sorted(plan.documents.all(), key=PlanDocument.reading_order),
        "indicators": sorted(plan.indicators.all(), key=ContextIndicator.reading_order),
        "modalities": list(plan.modalities.all()),
        "priorities": list(plan.priorities.all()),
        "countries": list(plan.countries.all()),
        "pdf_missing": pdf.weasyprint_missing(),
        "content_language": fallback_state(_plan_texts(plan, objectives)),
        "pdf_page_footer": pdf.page_footer_css() if as_pdf else "",
    }
    context["regional"] = is_regional(kind=plan.kind, country_count=len(context["countries"]))
    context["other_plans"] = other_public_plans(plan=plan, countries=context["countries"])
    return render(request, "plans/plan_detail.html", context)


def _plan_texts(plan: Plan, objectives: list[Objective]) -> list[tuple]:
    """The plan page's translatable texts as (instance, field), for its language notice."""
    texts: list[tuple] = [(plan, f) for f in PLAN_TEXTS]
    for objective in objectives:
        texts += [(objective, f) for f in OBJECTIVE_TEXTS]
        for intervention in objective.shown_interventions:
            texts += [(intervention, f) for f in INTERVENTION_TEXTS]
            texts += [(a, f) for a in intervention.activities.all() for f in ACTIVITY_TEXTS]
    return texts


def other_public_plans(*, plan: Plan, countries: list[Country]) -> list[tuple[Country, list]]:
    """For each of the plan's countries, its other public plans (current and past), newest
    first: "Other plans for Tajikistan". One query, whatever the number of countries."""
    links = (
        Plan.countries.through.objects.filter(
            country__in=countries, plan__status__in=PUBLIC_STATUSES
        )
        .exclude(plan=plan)
        .select_related("plan")
        .order_by("-plan__start_year", "-plan__end_year", "plan__slug")
    )
    by_country: dict[int, list[Plan]] = {}
    for link in links:
        by_country.setdefault(link.country_id, []).append(link.plan)
    return [(c, by_country[c.pk]) for c in countries if c.pk in by_country]


def plan_objectives():
    """A plan's objectives with everything the plan page shows under them, in six queries."""
    # Tags in the order of the names shown: by the page language's column alone, the names not
    # translated would come last (crp_portal.translated_columns.translated_text).
    by_name = (translated_text("name"), "id")
    interventions = Intervention.objects.select_related("sector", "rollup").prefetch_related(
        Prefetch("plan_types", queryset=PlanType.objects.order_by(*by_name)),
        "activities",
        "requirements",
    )
    return Objective.objects.select_related("strategic_objective", "rollup").prefetch_related(
        Prefetch("target_groups", queryset=TargetGroup.objects.order_by(*by_name)),
        Prefetch("interventions", queryset=interventions),
    )


def _whole_period_people(plan: Plan, plan_years: dict) -> dict:
    """People figures of the whole period. They overlap across years, so they are never added:
    a single-year plan states its year's figures; a multi-year plan lists them year by year."""
    if plan.start_year == plan.end_year:
        row = plan_years.get(plan.start_year)
        return {
            "people_targeted": row.people_targeted if row else None,
            "people_in_need": row.people_in_need if row else None,
            "entities_targeted": row.entities_targeted if row else None,
            "by_year": [],
            "entities_by_year": [],
        }
    stated = [plan_years[y] for y in plan.years if y in plan_years]
    return {
        "people_targeted": None,
        "people_in_need": None,
        "entities_targeted": None,
        "by_year": [py for py in stated if py.people_targeted is not None],
        "entities_by_year": [py for py in stated if py.entities_targeted is not None],
    }


CONTRIBUTION_HEADERS = [
    "level",
    "donor",
    "status",
    "date",
    "year_for",
    "amount",
    "currency",
    "amount_usd",
    "received_usd",
    "pledged_usd",
    "earmarked_to",
]


def _earmark(contribution) -> str:
    if contribution.intervention is not None:
        return contribution.intervention.title
    if contribution.objective is not None:
        so = contribution.objective.strategic_objective
        return _("Objective %(n)s – %(title)s") % {"n": so.number, "title": so.title}
    return _("Not specified")


def contribution_rows(donors: PlanDonors) -> list[list]:
    """Who gave what, as the page's table lists it: each donor's total, then its contributions
    (received_usd or pledged_usd filled by status, so each column adds up), then the plan's."""
    rows: list[list] = []
    for giving in donors.donors:
        rows.append(
            ["donor", giving.name, "", "", "", None, "", None, giving.received, giving.pledged, ""]
        )
        for c in giving.contributions:
            pledged = c.status == c.Status.PLEDGED
            rows.append(
                [
                    "contribution",
                    giving.name,
                    c.status,
                    c.contributed_on.isoformat(),
                    c.year_for,
                    c.amount_for,
                    c.currency_id,
                    c.usd_for,
                    None if pledged else c.usd_for,
                    c.usd_for if pledged else None,
                    _earmark(c),
                ]
            )
    rows.append(["total", "", "", "", "", None, "", None, donors.received, donors.pledged, ""])
    return rows


def _plan_download(plan, year, headline, objectives, plan_not_specified, donors, fmt, table):
    headers = [
        "level",
        "strategic_objective",
        "title",
        "sector",
        "period",
        "required_usd",
        "received_usd",
        "pledged_usd",
        "gap_usd",
        "coverage_percent",
    ]
    period = str(year) if year else plan.period_label

    def figures_cells(fig: Figures, whole_period_only: bool) -> list:
        if year is not None and whole_period_only:
            # Received money is kept for the whole period below plan level: no yearly column.
            return [fig.required, None, None, None, None]
        return [fig.required, fig.received, fig.pledged, fig.gap, fig.coverage_percent]

    def not_specified_row(fig: Figures, so_number) -> list:
        # Money only: a requirement is always an intervention's, so it needs nothing.
        label = _("Not specified")
        return [
            "not_specified",
            so_number,
            label,
            "",
            period,
            None,
            fig.received,
            fig.pledged,
            None,
            None,
        ]

    rows = [["plan", "", plan.title, "", period, *figures_cells(headline, False)]]
    for objective in objectives:
        so = objective.strategic_objective
        rows.append(
            ["objective", so.number, so.title, "", period, *figures_cells(objective.shown, True)]
        )
        for intervention in objective.shown_interventions:
            rows.append(
                [
                    "intervention",
                    so.number,
                    intervention.title,
                    intervention.sector.name if intervention.sector else "",
                    period,
                    *figures_cells(intervention.shown, True),
                ]
            )
        if objective.not_specified is not None:
            rows.append(not_specified_row(objective.not_specified, so.number))
    if plan_not_specified is not None:
        rows.append(not_specified_row(plan_not_specified, ""))
    suffix = f"-{year}" if year else ""
    contributions = (_("contributions"), CONTRIBUTION_HEADERS, contribution_rows(donors))
    if table == "contributions":
        return table_response(
            filename=f"{plan.slug}{suffix}-contributions",
            fmt=fmt,
            headers=contributions[1],
            rows=contributions[2],
        )
    return table_response(
        filename=f"{plan.slug}{suffix}",
        fmt=fmt,
        headers=headers,
        rows=rows,
        more_sheets=[contributions],
    )
