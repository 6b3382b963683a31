"""The figure rules of DESIGN.md, through the services that store rollups."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding import services
from funding.figures import Figures, coverage_percent, whole_percent
from funding.models import Contribution, Currency, InterventionRollup, ObjectiveRollup, PlanRollup
from funding.tests.factories import ContributionFactory, ExchangeRateFactory, RequirementFactory
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.tests.factories import PlanFactory, PlanYearFactory


def _recompute(plan):
    services.plan_rollup_recompute(plan_id=plan.pk)


def test_requirements_add_up_from_interventions_to_plan(db):
    plan = PlanFactory()
    first, second = ObjectiveFactory.create_batch(2, plan=plan)
    for amount in ("150000.00", "700000.00", "100000.00"):
        RequirementFactory(
            intervention=InterventionFactory(objective=first), amount_usd=Decimal(amount)
        )
    RequirementFactory(
        intervention=InterventionFactory(objective=second), amount_usd=Decimal("125000.00")
    )
    _recompute(plan)
    assert ObjectiveRollup.objects.get(objective=first).required_usd == Decimal("950000.00")
    assert ObjectiveRollup.objects.get(objective=second).required_usd == Decimal("125000.00")
    assert PlanRollup.objects.get(plan=plan).required_usd == Decimal("1075000.00")


def test_multi_year_requirements_add_up_per_year_and_over_the_period(db):
    plan = PlanFactory(start_year=2020, end_year=2021)
    intervention = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    RequirementFactory(intervention=intervention, year=2020, amount_usd=Decimal("10.00"))
    RequirementFactory(intervention=intervention, year=2021, amount_usd=Decimal("32.50"))
    _recompute(plan)
    assert PlanRollup.objects.get(plan=plan).required_usd == Decimal("42.50")
    by_year = dict(plan.year_rollups.values_list("year", "required_usd"))
    assert by_year == {2020: Decimal("10.00"), 2021: Decimal("32.50")}


def test_people_targeted_do_not_add_up(db):
    plan = PlanFactory()
    PlanYearFactory(plan=plan, people_targeted=10350)
    ObjectiveFactory(plan=plan, people_targeted=10350)
    ObjectiveFactory(plan=plan, people_targeted=150)
    from objectives.selectors import people_targeted_warnings

    # 10,350 + 150 would be 10,500: the plan states its own figure, and it is not a warning.
    assert people_targeted_warnings(plan=plan) == []
    plan.plan_years.update(people_targeted=100)
    assert len(people_targeted_warnings(plan=plan)) == 2


def test_unknown_is_not_zero(db):
    plan = PlanFactory()
    costed = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    uncosted = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    ContributionFactory(plan=plan, amount=Decimal("50.00"))
    _recompute(plan)
    rollup = PlanRollup.objects.get(plan=plan)
    assert rollup.required_usd is None and rollup.gap_usd is None
    assert rollup.coverage_percent is None
    assert rollup.received_usd == Decimal("50.00")

    RequirementFactory(intervention=costed, amount_usd=Decimal("200.00"))
    _recompute(plan)
    assert InterventionRollup.objects.get(intervention=uncosted).required_usd is None
    assert PlanRollup.objects.get(plan=plan).required_usd == Decimal("200.00")


def test_a_zero_requirement_has_no_coverage(db):
    assert coverage_percent(Decimal("0.00"), Decimal("10.00")) is None
    assert Figures(required=Decimal("0"), received=Decimal("0")).gap == Decimal("0.00")


def test_pledges_are_shown_beside_received_never_in_it(db):
    plan = PlanFactory()
    RequirementFactory(
        intervention=InterventionFactory(objective=ObjectiveFactory(plan=plan)),
        amount_usd=Decimal("1000.00"),
    )
    ContributionFactory(plan=plan, amount=Decimal("100.00"), status=Contribution.Status.PAID)
    ContributionFactory(plan=plan, amount=Decimal("200.00"), status=Contribution.Status.COMMITTED)
    ContributionFactory(plan=plan, amount=Decimal("400.00"), status=Contribution.Status.PLEDGED)
    _recompute(plan)
    rollup = PlanRollup.objects.get(plan=plan)
    assert rollup.received_usd == Decimal("300.00")
    assert rollup.pledged_usd == Decimal("400.00")
    assert rollup.gap_usd == Decimal("700.00")
    assert rollup.coverage_percent == Decimal("30.00")


def test_earmarked_money_counts_at_its_destination_and_above_once(db):
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan)
    intervention = InterventionFactory(objective=objective)
    other = InterventionFactory(objective=objective)
    ContributionFactory(plan=plan, intervention=intervention, amount=Decimal("10.00"))
    ContributionFactory(plan=plan, objective=objective, amount=Decimal("20.00"))
    ContributionFactory(plan=plan, amount=Decimal("40.00"))  # unearmarked: plan level only
    _recompute(plan)
    assert InterventionRollup.objects.get(intervention=intervention).received_usd == Decimal(
        "10.00"
    )
    assert InterventionRollup.objects.get(intervention=other).received_usd == Decimal("0.00")
    assert ObjectiveRollup.objects.get(objective=objective).received_usd == Decimal("30.00")
    assert PlanRollup.objects.get(plan=plan).received_usd == Decimal("70.00")


def test_overfunding_is_shown_not_capped(db):
    plan = PlanFactory()
    RequirementFactory(
        intervention=InterventionFactory(objective=ObjectiveFactory(plan=plan)),
        amount_usd=Decimal("100.00"),
    )
    ContributionFactory(plan=plan, amount=Decimal("111.00"))
    _recompute(plan)
    rollup = PlanRollup.objects.get(plan=plan)
    assert rollup.coverage_percent == Decimal("111.00")
    assert rollup.gap_usd == Decimal("0.00")


@pytest.mark.parametrize(
    "percent, shown", [("10.50", 11), ("10.49", 10), ("0.50", 1), ("111.00", 111)]
)
def test_pages_round_coverage_half_up(percent, shown):
    assert whole_percent(Decimal(percent)) == shown


def test_api_coverage_has_two_decimals_half_up():
    assert coverage_percent(Decimal("3"), Decimal("1")) == Decimal("33.33")
    assert coverage_percent(Decimal("200"), Decimal("21.01")) == Decimal("10.51")
    assert coverage_percent(Decimal("80000"), Decimal("8.4")) == Decimal("0.01")  # 0.0105 → 0.01


def test_exchange_rate_is_units_per_usd(db):
    ExchangeRateFactory(units_per_usd=Decimal("0.999"), rate_on=datetime.date(2020, 1, 1))
    contribution = ContributionFactory(
        amount=Decimal("1000000.00"),
        currency=Currency.objects.get(code="CHF"),
        contributed_on=datetime.date(2020, 5, 1),
    )
    assert contribution.amount_usd == Decimal("1001001.00")
    assert contribution.units_per_usd == Decimal("0.999")


def test_the_rate_in_force_on_the_date_is_used_and_kept(db):
    chf = Currency.objects.get(code="CHF")
    ExchangeRateFactory(
        currency=chf, rate_on=datetime.date(2020, 1, 1), units_per_usd=Decimal("0.5")
    )
    ExchangeRateFactory(
        currency=chf, rate_on=datetime.date(2020, 6, 1), units_per_usd=Decimal("0.8")
    )
    early = ContributionFactory(
        currency=chf, amount=Decimal("100.00"), contributed_on=datetime.date(2020, 5, 31)
    )
    late = ContributionFactory(
        currency=chf, amount=Decimal("100.00"), contributed_on=datetime.date(2020, 6, 1)
    )
    assert (early.amount_usd, late.amount_usd) == (Decimal("200.00"), Decimal("125.00"))


def test_no_rate_is_a_clear_error_and_writes_nothing(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="No exchange rate for EUR on or before 2020-03-01"):
        ContributionFactory(currency=Currency.objects.get(code="EUR"))
    assert Contribution.objects.count() == 0


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4),
)
def test_usd_amount_rounds_half_up_to_the_cent(amount, rate):
    result = services.usd_amount(amount=amount, units_per_usd=rate)
    assert result == result.quantize(Decimal("0.01"))
    assert abs(result - amount / rate) <= Decimal("0.005")
