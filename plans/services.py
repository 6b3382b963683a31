"""Writes of plans. Every service checks the actor's permission itself (STYLE §2, §4).

A plan's `version` guards all of its content — the plan's own fields, its objectives,
interventions, activities and yearly requirements — as the admin's plan page edits them all at
once. Every content write begins with `plan_content_lock` (lock the plan row, check permission,
refuse a stale version, bump it), so edits from the admin, the API and imports never cross.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crp_portal.concurrency import version_check, version_next

from .models import Plan

PLAN_CONTENT_FIELDS = ("title", "vision_statement", "vision_narrative", "start_year", "end_year")


def plan_check_editable(*, plan: Plan, actor) -> None:
    """Raise PermissionDenied unless the actor edits this plan's countries (or is a superuser)."""
    if not Plan.objects.editable_by(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("You may not change the plans of this country."))


def plan_content_lock(
    *,
    plan_id: int,
    actor,
    reason: str,
    expected_version: int | None = None,
    row=None,
    yours: dict | None = None,
) -> Plan:
    """Begin a content edit of a plan by `actor` (inside a transaction): lock the plan row,
    check permission first (an outsider learns nothing of versions), refuse a stale
    `expected_version` (a conflict describes `row`, the edited objective or intervention, or
    the plan itself), then record the plan's next version with `reason` in its history.

    The version moves before the edit writes anything, so the history can tell what a row was
    at any version (crp_portal.concurrency.changed_fields_since), and open admin pages and API
    clients holding the old version are refused."""
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    plan_check_editable(plan=plan, actor=actor)
    version_check(
        row if row is not None else plan,
        current=plan.version,
        expected=expected_version,
        yours=yours,
        guard=plan,
    )
    version_next(plan, reason=reason)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor, expected_version: int | None = None, **changes) -> Plan:
    """Change a plan's content (title, vision, years); status moves by its own workflow."""
    unknown = set(changes) - set(PLAN_CONTENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan_check_editable(plan=plan, actor=actor)
    version_check(plan, current=plan.version, expected=expected_version, yours=changes)
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
    plan.version += 1
    plan.save(update_fields=[*changes, "version", "updated_at"])
    return plan
