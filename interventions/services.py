"""Writes of interventions, their activities and yearly requirements (STYLE §4).

The permission check is inside each service, so the admin and the API cannot skip it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from objectives.models import Objective
from plans.services import plan_content_lock

from .models import Activity, Intervention, PlanType, Sector

INTERVENTION_FIELDS = ("title", "position", "sector", "narrative", "people_targeted")


def _replace_activities(intervention: Intervention, texts: Sequence[str]) -> None:
    intervention.activities.all().delete()
    activities = [
        Activity(intervention=intervention, position=i, text=t) for i, t in enumerate(texts)
    ]
    for activity in activities:
        activity.full_clean(exclude=["intervention"])
    # With their history records: a plan's past (as-of pages, restore) must know these lines.
    bulk_create_with_history(activities, Activity)


@transaction.atomic
def intervention_create(
    *,
    objective: Objective,
    title: str,
    actor,
    plan_types: Iterable[PlanType] = (),
    activities: Sequence[str] = (),
    sector: Sector | None = None,
    **fields,
) -> Intervention:
    """Add an intervention with its activities under an objective of a plan the actor edits.

    Yearly requirements are money: funding.services.requirements_replace writes them.
    """
    plan_content_lock(
        plan_id=objective.plan_id, actor=actor, reason=_("Intervention added: %s") % title
    )
    intervention = Intervention(objective=objective, title=title, sector=sector, **fields)
    intervention.full_clean()
    intervention.save()
    intervention.plan_types.set(list(plan_types))
    _replace_activities(intervention, activities)
    return intervention


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    actor,
    plan_types: Iterable[PlanType] | None = None,
    activities: Sequence[str] | None = None,
    expected_version: int | None = None,
    **fields,
) -> Intervention:
    """Change an intervention; activities, when given, replace the current ones.
    `expected_version` is its plan's version the change was made on (None: not checked).

    Moving it to another objective needs the right to edit both plans; both get a new version.
    """
    intervention = Intervention.objects.select_related("objective").get(pk=intervention.pk)
    objective = fields.pop("objective", None)
    moving = objective is not None and objective.pk != intervention.objective_id
    plan_ids = {intervention.objective.plan_id, objective.plan_id if moving else None} - {None}
    for pk in sorted(plan_ids):  # in id order: two moves between the same plans never deadlock
        plan_content_lock(
            plan_id=pk,
            actor=actor,
            reason=_("Intervention changed: %s") % intervention.title,
            expected_version=expected_version if pk == intervention.objective.plan_id else None,
            row=intervention,
            yours=fields,
        )
    if moving:  # with its earmarked money, as the admin moves it (one rule for both)
        from funding.services import intervention_move  # deferred: funding needs us

        intervention = intervention_move(intervention=intervention, objective=objective)
    for name in INTERVENTION_FIELDS:
        if name in fields:
            setattr(intervention, name, fields[name])
    intervention.full_clean()
    intervention.save()  # auto_now: children have no timestamp, the intervention dates them
    if plan_types is not None:
        intervention.plan_types.set(list(plan_types))
    if activities is not None:
        _replace_activities(intervention, activities)
    return intervention
