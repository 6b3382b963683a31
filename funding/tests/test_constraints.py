"""Named database constraints reject bad data, and validation explains it in plain words."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding.models import Contribution, ExchangeRate, Requirement
from funding.tests.factories import ContributionFactory, RequirementFactory
from interventions.tests.factories import InterventionFactory
from objectives.models import Objective, StrategicObjective
from objectives.tests.factories import ObjectiveFactory
from plans.models import Country, Plan
from plans.tests.factories import PlanFactory


def _violates(constraint: str, fn) -> None:
    # PostgreSQL names the constraint; SQLite names only the columns of a unique one.
    pattern = f"{constraint}|UNIQUE constraint failed"
    with pytest.raises(IntegrityError, match=pattern), transaction.atomic():
        fn()


def test_plan_end_year_before_start_year(db):
    plan = PlanFactory.build(start_year=2020, end_year=2019)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert error.value.message_dict["end_year"] == ["End year 2019 is before start year 2020."]
    _violates("plan_end_year_not_before_start_year", plan.save)


def test_amounts_are_not_negative(db):
    intervention = InterventionFactory()
    _violates(
        "requirement_amount_not_negative",
        lambda: Requirement.objects.create(intervention=intervention, year=2020, amount_usd=-1),
    )
    contribution = ContributionFactory()
    _violates(
        "contribution_amount_not_negative",
        lambda: Contribution.objects.filter(pk=contribution.pk).update(amount=-5),
    )
    _violates(
        "exchange_rate_positive",
        lambda: ExchangeRate.objects.create(
            currency_id="EUR", rate_on="2020-01-01", units_per_usd=0
        ),
    )


def test_one_objective_per_strategic_objective_per_plan(db):
    objective = ObjectiveFactory()
    duplicate = Objective(plan=objective.plan, strategic_objective=objective.strategic_objective)
    with pytest.raises(ValidationError, match="already has an objective under that strategic"):
        duplicate.full_clean()
    _violates("objective_one_per_strategic_objective", duplicate.save)


def test_requirement_year_must_be_in_the_plan(db):
    intervention = InterventionFactory(
        objective=ObjectiveFactory(plan=PlanFactory(start_year=2020, end_year=2021))
    )
    requirement = Requirement(intervention=intervention, year=2022, amount_usd=1)
    with pytest.raises(ValidationError) as error:
        requirement.full_clean()
    assert error.value.message_dict["year"] == ["Year 2022 is outside the plan's period 2020–2021."]
    RequirementFactory(intervention=intervention, year=2021)
    _violates(
        "requirement_one_per_intervention_year",
        lambda: Requirement.objects.create(intervention=intervention, year=2021, amount_usd=1),
    )


def test_iso_codes_are_valid(db):
    _violates(
        "country_iso3_format", lambda: Country.objects.create(iso3="pk1", iso2="PX", name="Nope")
    )
    from funding.models import Currency

    _violates("currency_code_iso", lambda: Currency.objects.create(code="us$", name="Nope"))


def test_an_earmark_to_an_intervention_implies_its_objective(db):
    intervention = InterventionFactory()
    contribution = ContributionFactory(plan=intervention.objective.plan, intervention=intervention)
    assert contribution.objective == contribution.intervention.objective
    _violates(
        "contribution_intervention_implies_objective",
        lambda: Contribution.objects.filter(pk=contribution.pk).update(objective=None),
    )


def test_an_earmark_must_belong_to_the_plan(db):
    other_plan_objective = ObjectiveFactory()
    with pytest.raises(ValidationError, match="belongs to another plan"):
        ContributionFactory(plan=PlanFactory(), objective=other_plan_objective)


def test_strategic_objectives_are_a_catalog(db):
    numbers = list(StrategicObjective.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert Plan._meta.get_field("countries").related_model is Country
    assert Country.objects.get(iso3="PAK").region.name == "Asia and the Pacific"
