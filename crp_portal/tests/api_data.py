"""Data builders shared by the API tests."""

from __future__ import annotations

from decimal import Decimal

from funding import services
from funding.models import Currency
from funding.tests.factories import ContributionFactory, DonorFactory, RequirementFactory
from interventions.tests.factories import ActivityFactory, InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import OperationalPresenceFactory, PlanFactory, PlanYearFactory


def plan_with_everything(*, slug: str, countries=("TJK",), status=Plan.Status.PUBLISHED) -> Plan:
    """A plan with a year, presence, two objectives, interventions, activities, requirements and
    contributions, and its rollups computed."""
    plan = PlanFactory(slug=slug, countries=list(countries), status=status)
    PlanYearFactory(plan=plan, people_targeted=100)
    OperationalPresenceFactory(plan=plan, country=plan.countries.first(), field_offices=2)
    donor = DonorFactory(name="Donor of tests")
    for _ in range(2):
        objective = ObjectiveFactory(plan=plan)
        for _ in range(2):
            intervention = InterventionFactory(objective=objective)
            ActivityFactory(intervention=intervention)
            RequirementFactory(intervention=intervention, amount_usd=Decimal("1000.00"))
            ContributionFactory(
                plan=plan,
                donor=donor,
                intervention=intervention,
                amount=Decimal("100.00"),
                currency=Currency.objects.get(code="USD"),
            )
    ContributionFactory(plan=plan, donor=donor, amount=Decimal("50.00"))
    services.plan_rollup_recompute(plan_id=plan.pk)
    return plan
