"""The figures the public pages show: from the stored rollups (funding.selectors_shown), and
under the dashboard's filters from source rows (funding.summary), where each dimension's groups
add up to the chosen plans' total (money not earmarked down to a level is "not specified") and
the unfiltered stored groups agree."""

from decimal import Decimal

from funding import services
from funding.figures import ZERO
from funding.models import GroupRollup
from funding.selectors_shown import (
    published_totals,
    required_of,
    stored_figures,
    year_required,
)
from funding.summary import SummaryFilters, summarise_each
from funding.tests.factories import ContributionFactory, RequirementFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

Dimension = GroupRollup.Dimension


def _summed(**filters) -> dict[str, list]:
    """Every chart's groups as the filtered dashboard computes them (funding.summary)."""
    found = summarise_each([(d,) for d in Dimension.values], SummaryFilters(**filters))
    return {grouping[0]: groups for grouping, groups in found.items()}


def test_every_dimension_adds_up_to_the_plans_received_and_pledged(demo):
    plans = list(Plan.objects.published().select_related("rollup"))
    groups = _summed()
    received = sum((stored_figures(p).received for p in plans), ZERO)
    pledged = sum((stored_figures(p).pledged for p in plans), ZERO)
    assert received == Decimal("662550.98")  # Tajikistan's 596,934.18 and Pakistan's 65,616.80
    for dimension in Dimension.values:
        figures = [g.figures for g in groups[dimension]]
        assert sum((f.received for f in figures), ZERO) == received, dimension
        assert sum((f.pledged for f in figures), ZERO) == pledged, dimension


def test_the_computed_groups_of_all_published_plans_match_the_stored_groups(demo):
    services.group_rollups_recompute()
    groups = _summed()
    for dimension in Dimension.values:
        stored = {
            r.key: (r.label, r.required_usd, r.received_usd, r.pledged_usd, r.gap_usd)
            for r in GroupRollup.objects.filter(dimension=dimension)
        }
        computed = {
            g.keys[0]: (
                g.labels[0],
                g.figures.required,
                g.figures.received,
                g.figures.pledged,
                g.figures.gap,
            )
            for g in groups[dimension]
        }
        assert computed == stored, dimension


def test_money_of_a_plan_left_out_by_the_filters_is_left_out(demo):
    tajikistan = Plan.objects.get(slug="tajikistan-crp-2020")
    groups = _summed(plan="tajikistan-crp-2020")
    assert [g.keys[0] for g in groups[Dimension.COUNTRY]] == ["TJK"]
    assert (
        sum((g.figures.received for g in groups[Dimension.DONOR]), ZERO)
        == stored_figures(tajikistan).received
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
