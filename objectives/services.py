"""Writes of plans' objectives, with the actor's permission checked inside (STYLE §4)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from plans.models import Plan
from plans.services import plan_check_editable

from .models import Objective, StrategicObjective, TargetGroup

OBJECTIVE_FIELDS = ("people_description", "narrative", "people_targeted", "entities_targeted")


@transaction.atomic
def objective_create(
    *,
    plan: Plan,
    strategic_objective: StrategicObjective,
    actor,
    target_groups: Iterable[TargetGroup] = (),
    **fields,
) -> Objective:
    """Add an objective to a plan the actor edits; one per strategic objective."""
    plan_check_editable(plan=plan, actor=actor)
    objective = Objective(plan=plan, strategic_objective=strategic_objective, **fields)
    objective.full_clean()
    objective.save()
    objective.target_groups.set(list(target_groups))
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    actor,
    strategic_objective: StrategicObjective | None = None,
    target_groups: Iterable[TargetGroup] | None = None,
    **fields,
) -> Objective:
    """Change an objective of a plan the actor edits (its plan never changes)."""
    objective = Objective.objects.select_related("plan").get(pk=objective.pk)
    plan_check_editable(plan=objective.plan, actor=actor)
    if strategic_objective is not None:
        objective.strategic_objective = strategic_objective
    for name in OBJECTIVE_FIELDS:
        if name in fields:
            setattr(objective, name, fields[name])
    objective.full_clean()
    objective.save()
    if target_groups is not None:
        objective.target_groups.set(list(target_groups))
    return objective
