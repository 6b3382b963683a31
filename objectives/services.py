"""Writes of plans' objectives, with the actor's permission checked inside (STYLE §4).

Each service is a whole edit of its plan (locked, version-checked, recorded as the plan's next
version), or, given `edit=` (plans.services.plan_content_lock), one part of the caller's edit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.history_records import record_as
from plans.models import Plan
from plans.services import catalog_entries_check, fields_check, plan_content_lock
from plans.translated import OBJECTIVE_TEXTS, translation_fields

from .models import Objective, StrategicObjective, TargetGroup

OBJECTIVE_FIELDS = (
    "people_description",
    "narrative",
    "people_targeted",
    "entities_targeted",
    *translation_fields(*OBJECTIVE_TEXTS),  # objectives/translation.py
)


def _objective_save(objective: Objective, target_groups, actor) -> Objective:
    record_as(objective, user=actor)
    objective.full_clean()
    objective.save()
    if target_groups is not None:
        target_groups = list(target_groups)
        if {t.pk for t in target_groups} != set(
            objective.target_groups.values_list("pk", flat=True)
        ):
            objective.target_groups.set(target_groups)
    return objective


@transaction.atomic
def objective_create(
    *,
    plan: Plan,
    strategic_objective: StrategicObjective,
    actor,
    target_groups: Iterable[TargetGroup] = (),
    edit: Plan | None = None,
    **fields,
) -> Objective:
    """Add an objective to a plan the actor edits; one per strategic objective."""
    fields_check(fields, OBJECTIVE_FIELDS)
    plan = plan_content_lock(
        plan_id=plan.pk,
        actor=actor,
        reason=_("Objective added: %s") % strategic_objective,
        edit=edit,
    )
    catalog_entries_check(plan=plan, field="strategic_objective", entries=[strategic_objective])
    objective = Objective(plan=plan, strategic_objective=strategic_objective, **fields)
    return _objective_save(objective, target_groups, actor)


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    actor,
    strategic_objective: StrategicObjective | None = None,
    target_groups: Iterable[TargetGroup] | None = None,
    expected_version: int | None = None,
    edit: Plan | None = None,
    **fields,
) -> Objective:
    """Change an objective of a plan the actor edits (its plan never changes).
    `expected_version` is the plan's version the change was made on (None: not checked)."""
    fields_check(fields, OBJECTIVE_FIELDS)
    objective = Objective.objects.get(pk=objective.pk)
    yours = {**fields, "strategic_objective": strategic_objective}
    objective.plan = plan_content_lock(
        plan_id=objective.plan_id,
        actor=actor,
        reason=_("Objective changed: %s") % objective.strategic_objective,
        expected_version=expected_version,
        row=objective,
        yours={k: v for k, v in yours.items() if v is not None},
        edit=edit,
    )
    if strategic_objective is not None:
        if strategic_objective.pk != objective.strategic_objective_id:
            catalog_entries_check(
                plan=objective.plan, field="strategic_objective", entries=[strategic_objective]
            )
        objective.strategic_objective = strategic_objective
    for name, value in fields.items():
        setattr(objective, name, value)
    return _objective_save(objective, target_groups, actor)


@transaction.atomic
def objective_delete(
    *,
    objective: Objective,
    actor,
    expected_version: int | None = None,
    edit: Plan | None = None,
) -> None:
    """Delete an objective with its interventions, unless money is earmarked to it or to them
    (correct or move those contributions first: money is never deleted with content)."""
    objective = Objective.objects.select_related("strategic_objective").get(pk=objective.pk)
    plan_content_lock(
        plan_id=objective.plan_id,
        actor=actor,
        reason=_("Objective deleted: %s") % objective.strategic_objective,
        expected_version=expected_version,
        row=objective,
        edit=edit,
    )
    # Contributions are funding's rows, read through their reverse relation (domain order).
    if objective.contributions.exists():
        raise ValidationError(
            _(
                "Objective “%(objective)s” has contributions earmarked to it or to its "
                "interventions; correct or move them before deleting it."
            )
            % {"objective": objective.strategic_objective}
        )
    record_as(objective, user=actor)
    objective.delete()
