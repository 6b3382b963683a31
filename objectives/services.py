"""Writes of plans' objectives, with the actor's permission checked inside (STYLE §4)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from plans.models import Plan
from plans.services import plan_content_lock

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
    plan = plan_content_lock(
        plan_id=plan.pk,
        actor=actor,
        reason=_("Objective added: %s") % strategic_objective,
    )
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
    expected_version: int | None = None,
    **fields,
) -> Objective:
    """Change an objective of a plan the actor edits (its plan never changes).
    `expected_version` is the plan's version the change was made on (None: not checked)."""
    objective = Objective.objects.get(pk=objective.pk)
    yours = {**fields, "strategic_objective": strategic_objective}
    objective.plan = plan_content_lock(
        plan_id=objective.plan_id,
        actor=actor,
        reason=_("Objective changed: %s") % objective.strategic_objective,
        expected_version=expected_version,
        row=objective,
        yours={k: v for k, v in yours.items() if v is not None},
    )
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
