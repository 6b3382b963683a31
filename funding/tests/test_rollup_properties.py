"""Property: after any sequence of edits, every stored rollup equals a fresh computation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding import selectors, services
from funding.models import (
    Contribution,
    Currency,
    GroupRollup,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
    Requirement,
)
from funding.tests.factories import DonorFactory, ExchangeRateFactory
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

AMOUNTS = st.decimals(min_value=Decimal("1000"), max_value=Decimal("1000000"), places=2)
SLOTS = 8  # interventions across the two plans; ops pick one by index

OPS = st.one_of(
    st.tuples(st.just("require"), st.integers(0, SLOTS - 1), st.integers(0, 1), AMOUNTS),
    st.tuples(st.just("unrequire"), st.integers(0, SLOTS - 1)),
    st.tuples(
        st.just("give"),
        st.integers(0, SLOTS - 1),
        st.sampled_from(["plan", "objective", "intervention"]),
        st.sampled_from(list(Contribution.Status.values)),
        AMOUNTS,
        st.sampled_from(["USD", "CHF"]),
    ),
    st.tuples(st.just("restatus"), st.integers(0, 50), st.sampled_from(["pledged", "paid"])),
    st.tuples(st.just("withdraw"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, SLOTS - 1), st.integers(0, 3)),
    st.tuples(st.just("status"), st.integers(0, 1), st.sampled_from(["draft", "published"])),
)


class Rollback(Exception):
    pass


def _world():
    plans = [
        PlanFactory(start_year=2020, end_year=2021, countries=["TJK", "PAK"]),
        PlanFactory(start_year=2020, end_year=2020, status=Plan.Status.DRAFT, countries=["TJK"]),
    ]
    objectives = [ObjectiveFactory(plan=p) for p in plans for _ in range(2)]
    interventions = [InterventionFactory(objective=o) for o in objectives for _ in range(2)]
    return plans, objectives, interventions


def _apply(op, plans, objectives, interventions, donor) -> None:
    kind = op[0]
    if kind == "require":
        intervention = interventions[op[1]]
        intervention.refresh_from_db()
        plan = intervention.objective.plan
        year = min(plan.start_year + op[2], plan.end_year)
        Requirement.objects.update_or_create(
            intervention=intervention, year=year, defaults={"amount_usd": op[3]}
        )
    elif kind == "unrequire":
        for requirement in Requirement.objects.filter(intervention=interventions[op[1]]):
            requirement.delete()
    elif kind == "give":
        intervention = interventions[op[1]]
        intervention.refresh_from_db()
        plan = intervention.objective.plan
        services.contribution_record(
            donor=donor,
            plan=plan,
            objective=intervention.objective if op[2] != "plan" else None,
            intervention=intervention if op[2] == "intervention" else None,
            amount=op[4],
            currency=Currency.objects.get(code=op[5]),
            status=op[3],
            contributed_on=datetime.date(plan.end_year, 6, 1),
        )
    elif kind in {"restatus", "withdraw"}:
        contributions = list(Contribution.objects.order_by("pk"))
        if not contributions:
            return
        contribution = contributions[op[1] % len(contributions)]
        if kind == "withdraw":
            services.contribution_delete(contribution=contribution)
        else:
            contribution.status = op[2]
            contribution.save()
    elif kind == "move":
        intervention = interventions[op[1]]
        intervention.refresh_from_db()
        target = objectives[op[2]]
        # A requirement outside the target plan's period is refused: drop it first.
        for requirement in intervention.requirements.exclude(
            year__gte=target.plan.start_year, year__lte=target.plan.end_year
        ):
            requirement.delete()
        services.intervention_move(intervention=intervention, objective=target)
    elif kind == "status":
        plan = plans[op[1]]
        plan.refresh_from_db()
        plan.status = op[2]
        plan.save()


def _assert_stored_equals_fresh(plans) -> None:
    for plan in plans:
        plan.refresh_from_db()
        assert plan.rollup_dirty_since is None
        fresh = selectors.plan_figures(plan=plan)
        assert _row(PlanRollup.objects.get(plan=plan)) == fresh.plan.as_row()
        stored_years = {r.year: r for r in PlanYearRollup.objects.filter(plan=plan)}
        assert set(stored_years) == set(fresh.by_year)
        for year, figures in fresh.by_year.items():
            assert _row(stored_years[year]) == figures.as_row()
        for objective_id, figures in fresh.by_objective.items():
            assert _row(ObjectiveRollup.objects.get(objective_id=objective_id)) == figures.as_row()
        for intervention_id, figures in fresh.by_intervention.items():
            stored = InterventionRollup.objects.get(intervention_id=intervention_id)
            assert _row(stored) == figures.as_row()
    for dimension in GroupRollup.Dimension.values:
        fresh_groups = {g.key: g.figures.as_row() for g in selectors.group_figures(dimension)}
        stored_groups = {r.key: _row(r) for r in GroupRollup.objects.filter(dimension=dimension)}
        assert stored_groups == fresh_groups, dimension


def _row(row) -> dict:
    return {name: getattr(row, name) for name in row.FIGURE_FIELDS}


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=10))
def test_stored_rollups_equal_a_fresh_computation_after_any_edits(
    ops, django_capture_on_commit_callbacks
):
    try:
        with transaction.atomic():  # each example starts from the same empty world
            with django_capture_on_commit_callbacks(execute=True):
                plans, objectives, interventions = _world()
                donor = DonorFactory()
                ExchangeRateFactory()
            for op in ops:
                # One transaction per edit, as in the admin or the API; its on-commit hooks
                # (the enqueued recomputes, inline here) run when it ends.
                with django_capture_on_commit_callbacks(execute=True):
                    _apply(op, plans, objectives, interventions, donor)
            _assert_stored_equals_fresh(plans)
            raise Rollback
    except Rollback:
        pass
