"""Signal receivers: they only mark plans' rollups stale (STYLE §2: signals refresh derived data)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from interventions.models import Intervention
from objectives.models import Objective
from plans.models import Plan

from . import services
from .models import Contribution, Requirement


def _plan_id_of_intervention(intervention_id: int | None) -> int | None:
    if intervention_id is None:
        return None
    return (
        Intervention.objects.filter(pk=intervention_id)
        .values_list("objective__plan_id", flat=True)
        .first()
    )


@receiver([post_save, post_delete], sender=Requirement, dispatch_uid="rollup_requirement")
def requirement_changed(sender, instance: Requirement, **kwargs) -> None:
    plan_id = _plan_id_of_intervention(instance.intervention_id)
    if plan_id is not None:
        services.plan_mark_dirty(plan_id=plan_id)


@receiver([post_save, post_delete], sender=Contribution, dispatch_uid="rollup_contribution")
def contribution_changed(sender, instance: Contribution, **kwargs) -> None:
    services.plan_mark_dirty(plan_id=instance.plan_id)


@receiver([post_save, post_delete], sender=Intervention, dispatch_uid="rollup_intervention")
def intervention_changed(sender, instance: Intervention, **kwargs) -> None:
    # Moving an intervention changes two plans' figures when it crosses plans.
    plan_id = Objective.objects.filter(pk=instance.objective_id).values_list("plan_id", flat=True)
    for pid in plan_id:
        services.plan_mark_dirty(plan_id=pid)


@receiver([post_save, post_delete], sender=Objective, dispatch_uid="rollup_objective")
def objective_changed(sender, instance: Objective, **kwargs) -> None:
    if Plan.objects.filter(pk=instance.plan_id).exists():
        services.plan_mark_dirty(plan_id=instance.plan_id)


@receiver(post_save, sender=Plan, dispatch_uid="rollup_plan")
def plan_changed(sender, instance: Plan, created: bool, **kwargs) -> None:
    if created:
        services.plan_mark_dirty(plan_id=instance.pk)
