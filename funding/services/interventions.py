"""An intervention with its money: the one write of an intervention that the API and the
admin's intervention page call, because its yearly requirements are funding's rows and moving
it takes its earmarked contributions along."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from interventions import services as intervention_services
from interventions.models import Intervention
from objectives.models import Objective
from plans.models import Plan
from plans.services import plan_content_check, plan_content_lock

from .moves import intervention_move
from .requirements import requirements_replace


@transaction.atomic
def intervention_save(
    *,
    actor,
    intervention: Intervention | None = None,
    objective: Objective | None = None,
    requirements: Iterable[dict] | None = None,
    expected_version: int | None = None,
    edit: Plan | None = None,
    **fields,
) -> Intervention:
    """Create (without `intervention`) or change an intervention and, when given, its yearly
    requirements, as one version of its plan. A new `objective` moves it there with its
    earmarked money; that needs the right to edit both plans, and both get a new version.
    `expected_version` is its plan's version the change was made on (None: not checked);
    `edit` as in plans.services."""
    if intervention is None:
        missing = [
            name
            for name, value in (("objective", objective), ("title", fields.get("title")))
            if not value
        ]
        if missing:
            raise ValidationError({name: _("This field is required.") for name in missing})
        assert objective is not None  # refused just above when missing
        plan = plan_content_lock(
            plan_id=objective.plan_id,
            actor=actor,
            reason=_("Intervention added: %s") % fields["title"],
            edit=edit,
        )
        intervention = intervention_services.intervention_create(
            objective=objective, actor=actor, edit=plan, **fields
        )
        locked = [plan]
    else:
        intervention = Intervention.objects.select_related("objective").get(pk=intervention.pk)
        source = intervention.objective.plan_id
        # The objective it moves to (None: it stays where it is).
        moving = (
            objective
            if objective is not None and objective.pk != intervention.objective_id
            else None
        )
        plan_ids = sorted({source, moving.plan_id if moving is not None else source})
        locked = []
        for pk in plan_ids:  # in id order: two moves between the same plans never deadlock
            locked.append(
                plan_content_lock(
                    plan_id=pk,
                    actor=actor,
                    reason=_("Intervention changed: %s") % intervention.title,
                    expected_version=expected_version if pk == source else None,
                    row=intervention,
                    yours=fields,
                    edit=edit if edit is not None and edit.pk == pk else None,
                )
            )
        if moving is not None:
            intervention = intervention_move(intervention=intervention, objective=moving)
        plan = next(p for p in locked if p.pk == intervention.objective.plan_id)
        intervention = intervention_services.intervention_update(
            intervention=intervention, actor=actor, edit=plan, **fields
        )
        if moving is not None:  # in its new plan it chooses its sector and plan types anew
            intervention_services.intervention_catalog_check(
                intervention=intervention, plan=plan, plan_types=None, moved=True
            )
    if requirements is not None:
        requirements_replace(intervention=intervention, rows=requirements, actor=actor, edit=plan)
    if edit is None:
        for each in locked:
            plan_content_check(plan=each)
    return intervention
