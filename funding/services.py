"""Writes of funding data: contributions, exchange conversion and the stored rollups."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions.models import Intervention
from objectives.models import Objective
from plans.models import Plan

from . import selectors
from .figures import CENT, Figures
from .models import (
    Contribution,
    Currency,
    Donor,
    ExchangeRate,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
    Requirement,
)

logger = logging.getLogger(__name__)
USD = "USD"


def exchange_rate_in_force(*, currency: Currency, on: datetime.date) -> Decimal:
    """Units of `currency` per USD in force on a date: the latest rate dated on or before it."""
    if currency.pk == USD:
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(currency=currency, rate_on__lte=on)
        .order_by("-rate_on")
        .values_list("units_per_usd", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "currency": _(
                    "No exchange rate for %(code)s on or before %(date)s; record one first."
                )
                % {"code": currency.pk, "date": on.isoformat()}
            }
        )
    return rate


def usd_amount(*, amount: Decimal, units_per_usd: Decimal) -> Decimal:
    """original ÷ units per USD, rounded half-up to the cent (CHF 1,000,000 at 0.999 → 1,001,001.00)."""
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def contribution_check_recordable(*, plan: Plan, actor) -> None:
    """PermissionDenied unless the actor is a funding officer of one of the plan's countries."""
    from plans.roles import Role, user_countries

    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Log in as a funding officer to record contributions."))
    if actor.is_superuser:
        return
    officer_of = user_countries(actor, roles=[Role.FUNDING_OFFICER])
    if not plan.countries.filter(pk__in=officer_of.values("pk")).exists():
        raise PermissionDenied(_("You are not a funding officer for this plan's countries."))


def _destination(
    *, plan: Plan, objective: Objective | None, intervention: Intervention | None
) -> tuple[Objective | None, Intervention | None]:
    """Check an earmark belongs to the plan; an intervention implies its objective."""
    if intervention is not None:
        if objective is not None and intervention.objective_id != objective.pk:
            raise ValidationError(
                {"intervention": _("This intervention is not under the chosen objective.")}
            )
        objective = intervention.objective
    if objective is not None and objective.plan_id != plan.pk:
        raise ValidationError({"objective": _("This objective belongs to another plan.")})
    return objective, intervention


@transaction.atomic
def contribution_record(
    *,
    donor: Donor,
    plan: Plan,
    amount: Decimal,
    currency: Currency,
    status: str,
    contributed_on: datetime.date,
    objective: Objective | None = None,
    intervention: Intervention | None = None,
    reference: str = "",
    recorded_by=None,
    contribution: Contribution | None = None,
    actor=None,
) -> Contribution:
    """Record (or correct) a contribution: fix its USD amount at the rate in force on its date.

    `actor`, when given (the API and the admin always give it), must be a funding officer of one
    of the plan's countries (and of the corrected contribution's plan), or a superuser. Internal
    callers (demo loader, imports) pass no actor.
    """
    if actor is not None:
        contribution_check_recordable(plan=plan, actor=actor)
        if contribution is not None and contribution.plan_id != plan.pk:
            contribution_check_recordable(plan=contribution.plan, actor=actor)
        if recorded_by is None:
            recorded_by = actor
    if plan.status == Plan.Status.ARCHIVED and contribution is None:
        raise ValidationError({"plan": _("This plan is archived; it takes no new funding.")})
    objective, intervention = _destination(
        plan=plan, objective=objective, intervention=intervention
    )
    rate = exchange_rate_in_force(currency=currency, on=contributed_on)
    if contribution is None:
        contribution = Contribution(recorded_by=recorded_by)
    contribution.donor = donor
    contribution.plan = plan
    contribution.objective = objective
    contribution.intervention = intervention
    contribution.amount = amount
    contribution.currency = currency
    contribution.status = status
    contribution.contributed_on = contributed_on
    contribution.reference = reference
    contribution.units_per_usd = rate
    contribution.amount_usd = usd_amount(amount=amount, units_per_usd=rate)
    contribution.full_clean()
    contribution.save()  # the receiver marks the plan dirty and schedules its rollup
    return contribution


@transaction.atomic
def requirements_replace(*, intervention: Intervention, rows: Iterable[dict], actor) -> None:
    """Set an intervention's yearly requirements to `rows` ({year, amount_usd}); years not given
    are removed. Only editors of the plan's countries may."""
    from plans.services import plan_check_editable

    plan_check_editable(plan=intervention.objective.plan, actor=actor)
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


@transaction.atomic
def contribution_delete(*, contribution: Contribution) -> None:
    contribution.delete()


# --- Rollups -------------------------------------------------------------------------------


def _changed(existing, figures: Figures) -> bool:
    if existing is None:
        return True
    row = figures.as_row()
    return any(getattr(existing, name) != value for name, value in row.items())


def _store(model, existing: dict, key_fields: dict, figures: Figures, now) -> bool:
    """Write one rollup row only when a figure differs; return whether it wrote."""
    current = existing.get(tuple(key_fields.values()))
    if not _changed(current, figures):
        return False
    model.objects.update_or_create(**key_fields, defaults={**figures.as_row(), "computed_at": now})
    return True


@transaction.atomic
def plan_rollup_recompute(*, plan_id: int) -> bool:
    """Recompute a plan's stored rollups from source rows (never increment). Idempotent.

    Returns whether any stored figure changed. A recompute with nothing changed writes nothing.
    """
    # Lock the plan first: recomputes of one plan then run in turn, and the later one reads every
    # committed row, so a stale total never overwrites a fresh one.
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        return False  # deleted after the task was queued
    dirty_since = plan.rollup_dirty_since
    figures = selectors.plan_figures(plan=plan)
    now = timezone.now()
    wrote = False

    plan_rows = {(r.plan_id,): r for r in PlanRollup.objects.filter(plan=plan)}
    wrote |= _store(PlanRollup, plan_rows, {"plan_id": plan.pk}, figures.plan, now)

    year_rows = {(r.plan_id, r.year): r for r in PlanYearRollup.objects.filter(plan=plan)}
    for year, fig in figures.by_year.items():
        wrote |= _store(PlanYearRollup, year_rows, {"plan_id": plan.pk, "year": year}, fig, now)
    stale_years = PlanYearRollup.objects.filter(plan=plan).exclude(year__in=list(figures.by_year))
    wrote |= stale_years.delete()[0] > 0

    objective_rows = {
        (r.objective_id,): r for r in ObjectiveRollup.objects.filter(objective__plan=plan)
    }
    for objective_id, fig in figures.by_objective.items():
        wrote |= _store(ObjectiveRollup, objective_rows, {"objective_id": objective_id}, fig, now)

    intervention_rows = {
        (r.intervention_id,): r
        for r in InterventionRollup.objects.filter(intervention__objective__plan=plan)
    }
    for intervention_id, fig in figures.by_intervention.items():
        wrote |= _store(
            InterventionRollup, intervention_rows, {"intervention_id": intervention_id}, fig, now
        )

    # Clear the dirty mark only if no edit re-marked the plan since we read it.
    updates = {}
    if dirty_since is not None:
        updates["rollup_dirty_since"] = None
    if wrote or plan.funding_updated_at is None:
        updates["funding_updated_at"] = now
    if updates:
        Plan.objects.filter(pk=plan.pk, rollup_dirty_since=dirty_since).update(**updates)
    return wrote


def plan_mark_dirty(*, plan_id: int) -> None:
    """Mark a plan's rollups stale in the caller's transaction; schedule a recompute on commit.

    Only the edit that turns a clean plan dirty enqueues, so a burst of edits coalesces into few
    recomputes; a plan left dirty (queue down, worker killed) is picked up by the beat sweep.
    """
    from . import tasks  # tasks import services: import as a module, at call time

    turned_dirty = Plan.objects.filter(pk=plan_id, rollup_dirty_since__isnull=True).update(
        rollup_dirty_since=timezone.now()
    )
    if turned_dirty:
        transaction.on_commit(lambda: tasks.enqueue_plan_rollup(plan_id=plan_id))


@transaction.atomic
def group_rollups_recompute() -> int:
    """Rebuild the cross-plan grouped rollups from source rows; write only what changed."""
    from .models import GroupRollup

    now = timezone.now()
    written = 0
    for dimension in GroupRollup.Dimension.values:
        groups = selectors.group_figures(dimension)
        existing = {r.key: r for r in GroupRollup.objects.filter(dimension=dimension)}
        for group in groups:
            row = existing.pop(group.key, None)
            if row is not None and row.label == group.label and not _changed(row, group.figures):
                continue
            GroupRollup.objects.update_or_create(
                dimension=dimension,
                key=group.key,
                defaults={**group.figures.as_row(), "label": group.label, "computed_at": now},
            )
            written += 1
        if existing:
            GroupRollup.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
            written += len(existing)
    return written
