"""An intervention's yearly requirements (money in USD), replaced as a whole."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from interventions.models import Intervention
from plans.models import Plan
from plans.services import plan_content_lock

from ..models import MAX_MONEY_USD, Requirement, money_bound_message
from .bounds import plan_requirements_check


@transaction.atomic
def requirements_replace(
    *, intervention: Intervention, rows: Iterable[dict], actor, edit: Plan | None = None
) -> None:
    """Set an intervention's yearly requirements to `rows` ({year, amount_usd}); years not given
    are removed. Only editors of the plan's countries may; `edit` as in plans.services."""
    plan = plan_content_lock(
        plan_id=intervention.objective.plan_id,
        actor=actor,
        reason=_("Requirements changed: %(title)s") % {"title": intervention.title},
        edit=edit,
    )
    rows = list(rows)
    years = [row["year"] for row in rows]
    if len(set(years)) != len(years):
        raise ValidationError({"requirements": _("Give each year at most once.")})
    keep = []
    existing = {r.year: r for r in Requirement.objects.filter(intervention=intervention)}
    intervention.objective.plan = plan  # the locked plan: clean() checks against its period
    for row in rows:
        requirement = existing.get(row["year"]) or Requirement(
            intervention=intervention, year=row["year"]
        )
        try:
            amount = Decimal(row["amount_usd"])
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError(
                {"requirements": _("Give the amount in USD as a number, e.g. 150000.00.")}
            ) from None
        if amount > MAX_MONEY_USD:  # one message naming the limit, not the column's digits
            raise ValidationError({"requirements": money_bound_message()})
        if requirement.pk is not None and requirement.amount_usd == amount:
            keep.append(requirement.pk)
            continue  # unchanged: no write, so no recompute
        requirement.amount_usd = amount
        requirement.intervention = intervention
        try:
            requirement.full_clean()
        except ValidationError as error:
            raise ValidationError({"requirements": error.messages}) from None
        requirement.save()  # the receiver marks the plan's rollups dirty
        keep.append(requirement.pk)
    for stale in Requirement.objects.filter(intervention=intervention).exclude(pk__in=keep):
        stale.delete()
    plan_requirements_check(plan_id=plan.pk)
