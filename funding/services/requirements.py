"""An intervention's yearly requirements (money in USD), replaced as a whole."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from interventions.models import Intervention
from plans.services import plan_content_lock

from ..models import Requirement


@transaction.atomic
def requirements_replace(*, intervention: Intervention, rows: Iterable[dict], actor) -> None:
    """Set an intervention's yearly requirements to `rows` ({year, amount_usd}); years not given
    are removed. Only editors of the plan's countries may."""
    plan_content_lock(
        plan_id=intervention.objective.plan_id,
        actor=actor,
        reason=_("Requirements changed: %(title)s") % {"title": intervention.title},
    )
    rows = list(rows)
    years = [row["year"] for row in rows]
    if len(set(years)) != len(years):
        raise ValidationError({"requirements": _("Give each year at most once.")})
    keep = []
    existing = {r.year: r for r in Requirement.objects.filter(intervention=intervention)}
    for row in rows:
        requirement = existing.get(row["year"]) or Requirement(
            intervention=intervention, year=row["year"]
        )
        requirement.amount_usd = Decimal(row["amount_usd"])
        try:
            requirement.full_clean()
        except ValidationError as error:
            raise ValidationError({"requirements": error.messages}) from None
        requirement.save()  # the receiver marks the plan's rollups dirty
        keep.append(requirement.pk)
    for stale in Requirement.objects.filter(intervention=intervention).exclude(pk__in=keep):
        stale.delete()
