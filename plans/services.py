"""Writes of plans. Every service checks the actor's permission itself (STYLE §2, §4)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Plan

PLAN_CONTENT_FIELDS = ("title", "vision_statement", "vision_narrative", "start_year", "end_year")


def plan_check_editable(*, plan: Plan, actor) -> None:
    """Raise PermissionDenied unless the actor edits this plan's countries (or is a superuser)."""
    if not Plan.objects.editable_by(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("You may not change the plans of this country."))


@transaction.atomic
def plan_update(*, plan: Plan, actor, **changes) -> Plan:
    """Change a plan's content (title, vision, years); status moves by its own workflow."""
    unknown = set(changes) - set(PLAN_CONTENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan_check_editable(plan=plan, actor=actor)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.full_clean()
    outside = plan.plan_years.exclude(year__gte=plan.start_year, year__lte=plan.end_year)
    if outside.exists():
        raise ValidationError(
            {
                "end_year": _("The plan has figures for years outside %(period)s.")
                % {"period": plan.period_label}
            }
        )
    plan.save(update_fields=[*changes, "updated_at"])
    return plan
