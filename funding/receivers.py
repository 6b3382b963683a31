"""Signal receivers: they only mark rollups stale (STYLE §2: signals refresh derived data).

What marks what:
- a requirement, contribution, intervention or objective saved or deleted: its plan, and the
  plan it belonged to before when the edit moved it (looked up before the save);
- a plan saved (status change, publishing, unpublishing, countries) or deleted: the group
  rollups, which cover published plans only; a new plan also gets its (empty) rollup rows.
- an exchange rate saved or deleted: nothing. DESIGN fixes a contribution's USD amount when it
  is recorded, with the rate used stored on it, so a later rate edit changes no recorded
  contribution and no total (it applies to contributions recorded from then on). Re-converting
  past contributions would silently change published figures; a correction of one
  contribution is made by recording it again (`contribution_record(contribution=...)`).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from crp_portal import pagecache
from interventions.models import Intervention
from objectives.models import Objective
from plans.models import Plan

from . import services
from .models import Contribution, Donor, Requirement

# Public pages and cached API answers list requirements, contributions and donors. Connected
# before the rollup triggers below, as when crp_portal connected them, so the bump runs first.
pagecache.retire_pages_on_change(Requirement, Contribution, Donor)


def _plan_of_intervention(intervention_id: int | None) -> int | None:
    if intervention_id is None:
        return None
    return (
        Intervention.objects.filter(pk=intervention_id)
        .values_list("objective__plan_id", flat=True)
        .first()
    )


def _plan_of_objective(objective_id: int | None) -> int | None:
    if objective_id is None:
        return None
    return Objective.objects.filter(pk=objective_id).values_list("plan_id", flat=True).first()


# The plan a row belongs to, read from the row itself (before a save: the stored row).
_PLAN_OF = {
    Requirement: lambda obj: _plan_of_intervention(obj.intervention_id),
    Contribution: lambda obj: obj.plan_id,
    Intervention: lambda obj: _plan_of_objective(obj.objective_id),
    Objective: lambda obj: obj.plan_id,
}


@receiver(pre_save, sender=Requirement, dispatch_uid="rollup_requirement_pre")
@receiver(pre_save, sender=Contribution, dispatch_uid="rollup_contribution_pre")
@receiver(pre_save, sender=Intervention, dispatch_uid="rollup_intervention_pre")
@receiver(pre_save, sender=Objective, dispatch_uid="rollup_objective_pre")
def remember_plan_before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    # An edit may move a row to another plan; the plan it leaves changes too.
    instance._rollup_plan_before = None
    if instance.pk is not None and not raw:
        stored = sender._base_manager.filter(pk=instance.pk).first()
        if stored is not None:
            instance._rollup_plan_before = _PLAN_OF[sender](stored)


@receiver([post_save, post_delete], sender=Requirement, dispatch_uid="rollup_requirement")
@receiver([post_save, post_delete], sender=Contribution, dispatch_uid="rollup_contribution")
@receiver([post_save, post_delete], sender=Intervention, dispatch_uid="rollup_intervention")
@receiver([post_save, post_delete], sender=Objective, dispatch_uid="rollup_objective")
def source_row_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_rollup_plan_before", None)
    services.plans_mark_dirty(plan_ids=[_PLAN_OF[sender](instance), before])


@receiver(post_save, sender=Plan, dispatch_uid="rollup_plan")
def plan_changed(sender, instance: Plan, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if created:
        services.plan_mark_dirty(plan_id=instance.pk)
    # Group rollups cover published plans only: publishing or unpublishing changes them. Any
    # plan save counts (the status it had is not known here); the group recompute is debounced.
    services.group_rollups_mark_dirty_on_commit()


@receiver(post_delete, sender=Plan, dispatch_uid="rollup_plan_deleted")
def plan_deleted(sender, instance: Plan, **kwargs) -> None:
    services.group_rollups_mark_dirty_on_commit()


@receiver(m2m_changed, sender=Plan.countries.through, dispatch_uid="rollup_plan_countries")
def plan_countries_changed(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Plan):
        services.group_rollups_mark_dirty_on_commit()
