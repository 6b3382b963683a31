"""Reads across plans and objectives."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.models import Plan


def people_targeted_warnings(*, plan: Plan) -> list[str]:
    """People targeted overlap, so they never add up; but a plan's figure below one of its
    objectives' is almost always a typing error, and the editor should be told."""
    plan_figures = [
        y.people_targeted for y in plan.plan_years.all() if y.people_targeted is not None
    ]
    if not plan_figures:
        return []
    plan_max = max(plan_figures)
    return [
        _(
            "People targeted by the plan (%(plan)s) are fewer than by objective %(number)s "
            "(%(objective)s). People targeted overlap and do not add up, but a plan targets at "
            "least as many people as each of its objectives."
        )
        % {
            "plan": f"{plan_max:,}",
            "number": objective.strategic_objective.number,
            "objective": f"{objective.people_targeted:,}",
        }
        for objective in plan.objectives.select_related("strategic_objective")
        if objective.people_targeted is not None and objective.people_targeted > plan_max
    ]
