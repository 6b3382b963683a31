"""The figures the public pages show under filters come from funding.selectors_shown: each
dimension's groups add up to the chosen plans' total (money not earmarked down to a level is
"not specified" there), and the unfiltered stored groups agree."""

from decimal import Decimal

from funding import services
from funding.figures import ZERO
from funding.models import GroupRollup, InterventionRollup
from funding.selectors_shown import (
    filtered_group_figures,
    published_totals,
    required_of,
    stored_figures,
    year_required,
)
from funding.tests.factories import ContributionFactory, RequirementFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

Dimension = GroupRollup.Dimension


def _chosen(demo):
    plans = list(Plan.objects.published().select_related("rollup").prefetch_related("countries"))
    rows = list(
        InterventionRollup.objects.filter(intervention__objective__plan__in=plans).select_related(
            "intervention__sector"
        )
    )
    return plans, rows


def test_every_dimension_adds_up_to_the_plans_received_and_pledged(demo):
    plans, rows = _chosen(demo)
    groups = filtered_group_figures(plans=plans, intervention_rows=rows)
    received = sum((stored_figures(p).received for p in plans), ZERO)
    pledged = sum((stored_figures(p).pledged for p in plans), ZERO)
    assert received == Decimal("662550.98")  # Tajikistan's 596,934.18 and Pakistan's 65,616.80
    for dimension in (Dimension.STRATEGIC_OBJECTIVE, Dimension.SECTOR, Dimension.DONOR):
        figures = [fig for _key, _label, fig in groups[dimension]]
        assert sum((f.received for f in figures), ZERO) == received, dimension
        assert sum((f.pledged for f in figures), ZERO) == pledged, dimension
    # One country each: countries add up too.
    countries = [fig for _key, _label, fig in groups[Dimension.COUNTRY]]
    assert sum((f.received for f in countries), ZERO) == received


def test_filtered_groups_of_all_published_plans_match_the_stored_groups(demo):
    services.group_rollups_recompute()
    plans, rows = _chosen(demo)
    groups = filtered_group_figures(plans=plans, intervention_rows=rows)
    for dimension in (Dimension.COUNTRY, Dimension.STRATEGIC_OBJECTIVE, Dimension.SECTOR):
        stored = {
            r.key: (r.required_usd, r.received_usd, r.pledged_usd)
            for r in GroupRollup.objects.filter(dimension=dimension)
        }
        filtered = {
            key: (fig.required, fig.received, fig.pledged) for key, _label, fig in groups[dimension]
        }
        assert filtered == stored, dimension


def test_money_of_an_unlisted_plan_is_left_out(demo):
    plans, rows = _chosen(demo)
    tajikistan = [p for p in plans if p.slug == "tajikistan-crp-2020"]
    groups = filtered_group_figures(
        plans=tajikistan,
        intervention_rows=[r for r in rows if r.intervention.objective.plan_id == tajikistan[0].pk],
    )
    assert [key for key, _label, _fig in groups[Dimension.COUNTRY]] == ["TJK"]
    assert (
        sum((f.received for _k, _l, f in groups[Dimension.DONOR]), ZERO)
        == stored_figures(tajikistan[0]).received
    )


def test_a_years_required_is_unknown_until_typed(db):
    requirement = RequirementFactory(year=2020, amount_usd=Decimal("10.00"))
    rows = [requirement]
    assert year_required(requirements=rows, year=2020) == Decimal("10.00")
    assert year_required(requirements=rows, year=2021) is None  # not costed, never zero
    assert required_of([]).required is None


def test_headline_totals_count_published_plans_only(demo):
    draft = PlanFactory(status=Plan.Status.DRAFT)
    ContributionFactory(plan=draft, amount=Decimal("999.00"))
    services.plan_rollup_recompute(plan_id=draft.pk)
    totals = published_totals()
    assert totals["received"] == Decimal("662550.98")
    assert totals["required"] == Decimal("1075000.00")  # Pakistan is not yet costed
