"""Moving an intervention under another objective, with its earmarked money."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from interventions.models import Intervention
from objectives.models import Objective
from plans.models import year_outside_period
from plans.services import plan_check_not_archived

from ..models import Contribution
from .bounds import plan_totals_check
from .dirty import plans_mark_dirty


@transaction.atomic
def intervention_move(*, intervention: Intervention, objective: Objective) -> Intervention:
    """Move an intervention under another objective (possibly of another plan).

    Its earmarked contributions follow it (their plan and objective change with it, so that the
    money still counts at its destination and every level above it, once), and both plans' rollups
    are marked stale.
    """
    old_objective = Objective.objects.select_related("plan").get(pk=intervention.objective_id)
    if old_objective.pk == objective.pk:
        return intervention
    intervention_move_check(intervention=intervention, objective=objective)
    new_plan = objective.plan
    intervention.objective = objective
    intervention.save(update_fields=["objective", "updated_at"])
    Contribution.objects.filter(intervention=intervention).update(
        plan=new_plan, objective=objective, updated_at=timezone.now()
    )
    plan_totals_check(plan_id=new_plan.pk, field="objective")  # its money joins the new plan's
    plans_mark_dirty(plan_ids=[old_objective.plan_id, new_plan.pk])
    return intervention


def intervention_move_check(*, intervention: Intervention, objective: Objective) -> None:
    """Raise ValidationError if the intervention cannot move under `objective` (forms call it)."""
    new_plan = objective.plan
    outside = sorted(
        intervention.requirements.exclude(
            year__gte=new_plan.start_year, year__lte=new_plan.end_year
        ).values_list("year", flat=True)
    )
    if outside:  # the period rule, in its one message (plans.models.year_outside_period)
        raise year_outside_period(year=outside[0], plan=new_plan, field="objective")
    plan_check_not_archived(plan=new_plan, field="objective")
