from decimal import Decimal

from django.apps import apps
from django.core.management import call_command

from funding.models import ObjectiveRollup, PlanRollup
from interventions.models import Activity, Intervention
from objectives.models import Objective
from plans.models import OperationalPresence, Plan


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("plans", "objectives", "interventions", "funding", "auth")
        for model in apps.get_app_config(app).get_models()
    }


def test_tajikistan_figures_are_exact(demo):
    plan = demo["tajikistan-crp-2020"]
    rollup = PlanRollup.objects.get(plan=plan)
    assert rollup.required_usd == Decimal("1075000.00")
    objectives = {o.strategic_objective.number: o for o in plan.objectives.all()}
    assert ObjectiveRollup.objects.get(objective=objectives[2]).required_usd == Decimal("950000.00")
    assert ObjectiveRollup.objects.get(objective=objectives[3]).required_usd == Decimal("125000.00")
    required = [
        (i.title, i.requirements.get().amount_usd)
        for i in Intervention.objects.filter(objective=objectives[2]).order_by("position")
    ]
    assert [amount for _, amount in required] == [
        Decimal("150000.00"),
        Decimal("700000.00"),
        Decimal("100000.00"),
    ]
    assert plan.plan_years.get(year=2020).people_targeted == 10350
    assert objectives[2].people_targeted == 10350
    assert objectives[3].people_targeted == 150
    presence = OperationalPresence.objects.get(plan=plan)
    assert (presence.international_staff, presence.national_staff, presence.field_offices) == (
        3,
        37,
        2,
    )
    assert presence.as_of_on.isoformat() == "2023-12-31"
    assert plan.vision_statement == (
        "A stable Tajikistan, resilient against internal and external threats and risks"
    )
    assert Activity.objects.filter(intervention__objective__plan=plan).count() == 4 + 3 + 5


def test_demo_funding_shows_gap_and_coverage(demo):
    rollup = PlanRollup.objects.get(plan=demo["tajikistan-crp-2020"])
    # CHF 250,000 / 0.965 + EUR 100,000 / 0.886 + USD 150,000 + USD 75,000; the JPY pledge not.
    assert rollup.received_usd == Decimal("596934.18")
    assert rollup.pledged_usd == Decimal("92165.90")
    assert rollup.gap_usd == Decimal("478065.82")
    assert rollup.coverage_percent == Decimal("55.53")
    currencies = set(demo["tajikistan-crp-2020"].contributions.values_list("currency", flat=True))
    assert len(currencies) >= 3


def test_pakistan_is_not_yet_costed(demo):
    plan = demo["pakistan-crp-2020-2021"]
    assert list(plan.years) == [2020, 2021]
    assert [o.strategic_objective.number for o in plan.objectives.all()] == [1, 2, 3, 4]
    assert Intervention.objects.filter(objective__plan=plan).count() == 6
    rollup = PlanRollup.objects.get(plan=plan)
    assert rollup.required_usd is None  # "not yet costed", never $0
    assert rollup.gap_usd is None and rollup.coverage_percent is None
    assert all(r.required_usd is None for r in ObjectiveRollup.objects.filter(objective__plan=plan))


def test_load_demo_is_idempotent(db):
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    assert Plan.objects.count() == 2
    assert Objective.objects.count() == 6
