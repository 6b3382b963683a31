"""Test data for the public pages: many published plans with full content and stored rollups."""

from __future__ import annotations

import datetime
from decimal import Decimal

from funding import services
from funding.tests.factories import ContributionFactory, RequirementFactory
from interventions.tests.factories import ActivityFactory, InterventionFactory
from objectives.models import StrategicObjective
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import OperationalPresenceFactory, PlanFactory, PlanYearFactory

COUNTRIES = ["TJK", "PAK", "AFG", "UKR", "SDN", "HTI", "YEM", "SOM"]


def many_plans(count: int = 24, *, objectives: int = 2, interventions: int = 2) -> list[Plan]:
    """`count` published plans (two years each), each fully written, funded and rolled up."""
    strategic = list(StrategicObjective.objects.order_by("number")[:objectives])
    plans = []
    for n in range(count):
        plan = PlanFactory(
            start_year=2020 + n % 3,
            end_year=2021 + n % 3,
            countries=[COUNTRIES[n % len(COUNTRIES)], COUNTRIES[(n + 1) % len(COUNTRIES)]],
            vision_statement=f"Vision {n}",
        )
        for year in plan.years:
            PlanYearFactory(plan=plan, year=year, people_targeted=1000 + n, people_in_need=5000)
        OperationalPresenceFactory(
            plan=plan,
            international_staff=n,
            national_staff=2 * n,
            field_offices=1,
            as_of_on=datetime.date(2024, 11, 1),
        )
        for so in strategic:
            objective = ObjectiveFactory(plan=plan, strategic_objective=so, people_targeted=100)
            for _ in range(interventions):
                intervention = InterventionFactory(objective=objective)
                ActivityFactory(intervention=intervention)
                ActivityFactory(intervention=intervention)
                for year in plan.years:
                    RequirementFactory(
                        intervention=intervention, year=year, amount_usd=Decimal(10000 + n)
                    )
            ContributionFactory(
                plan=plan,
                objective=objective,
                amount=Decimal("5000.00"),
                donor__name=f"Donor {n % 4}",
            )
        plans.append(plan)
    for plan in plans:
        services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_recompute()
    return plans
