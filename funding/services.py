"""Writes of funding data: contributions, exchange conversion and the stored rollups."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from crp_portal import pagecache
from crp_portal.concurrency import lock_version, version_check
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
    GroupRollupState,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
    Requirement,
    RollupAudit,
    RollupDiscrepancy,
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


CONTRIBUTION_CONTENT = (
    "donor_id",
    "plan_id",
    "objective_id",
    "intervention_id",
    "amount",
    "currency_id",
    "status",
    "contributed_on",
    "reference",
    "units_per_usd",
    "amount_usd",
)


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
    expected_version: int | None = None,
) -> Contribution:
    """Record (or correct) a contribution: fix its USD amount at the rate in force on its date.

    `actor`, when given (the API and the admin always give it), must be a funding officer of one
    of the plan's countries (and of the corrected contribution's plan), or a superuser. Internal
    callers (demo loader, imports) pass no actor. A correction locks the row, refuses a stale
    `expected_version` (None: not checked) and bumps the version.
    """
    if actor is not None:
        contribution_check_recordable(plan=plan, actor=actor)
        if contribution is not None and contribution.plan_id != plan.pk:
            contribution_check_recordable(plan=contribution.plan, actor=actor)
        if recorded_by is None:
            recorded_by = actor
    current_version, before = None, None
    if contribution is not None:
        # The row as saved (the admin's form has already changed the instance), locked.
        current_version, *before = (
            Contribution.objects.select_for_update()
            .values_list("version", *CONTRIBUTION_CONTENT)
            .get(pk=contribution.pk)
        )
        version_check(
            contribution,
            current=current_version,
            expected=expected_version,
            yours={
                "donor": donor,
                "plan": plan,
                "objective": objective,
                "intervention": intervention,
                "amount": amount,
                "currency": currency,
                "status": status,
                "contributed_on": contributed_on,
                "reference": reference,
            },
        )
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
    if current_version is not None and before != [
        getattr(contribution, name) for name in CONTRIBUTION_CONTENT
    ]:
        contribution.version = current_version + 1  # recording it unchanged is not a version
    contribution.full_clean()
    contribution.save()  # the receiver marks the plan dirty and schedules its rollup
    return contribution


@transaction.atomic
def requirements_replace(*, intervention: Intervention, rows: Iterable[dict], actor) -> None:
    """Set an intervention's yearly requirements to `rows` ({year, amount_usd}); years not given
    are removed. Only editors of the plan's countries may."""
    from plans.services import plan_content_lock

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


@transaction.atomic
def contribution_delete(
    *, contribution: Contribution, actor=None, expected_version: int | None = None
) -> None:
    """Delete a contribution recorded in error (a tombstone tells syncing partners). `actor`,
    when given, must be a funding officer of its plan; `expected_version` as in
    contribution_record."""
    if actor is not None:
        contribution_check_recordable(plan=contribution.plan, actor=actor)
    current = lock_version(Contribution, contribution.pk)
    version_check(contribution, current=current, expected=expected_version)
    contribution.delete()


# --- Rollups -------------------------------------------------------------------------------


def _changed(existing, figures: Figures) -> bool:
    if existing is None:
        return True
    row = figures.as_row()
    return any(getattr(existing, name) != value for name, value in row.items())


def _text(value) -> str:
    return "" if value is None else str(value)


class _Diffs:
    """Collects stored-vs-fresh differences for the audit (RollupDiscrepancy rows)."""

    def __init__(self, audit: RollupAudit, plan: Plan | None, plan_was_dirty: bool) -> None:
        self.audit, self.plan, self.plan_was_dirty = audit, plan, plan_was_dirty
        self.rows: list[RollupDiscrepancy] = []
        self.checked = 0

    def compare(self, scope: str, key: str, existing, row: dict) -> None:
        self.checked += 1
        for field, fresh in row.items():
            stored = None if existing is None else getattr(existing, field)
            if existing is None or stored != fresh:
                self.rows.append(
                    RollupDiscrepancy(
                        audit=self.audit,
                        scope=scope,
                        scope_key=key,
                        plan=self.plan,
                        plan_was_dirty=self.plan_was_dirty,
                        field=field,
                        stored="(no row)" if existing is None else _text(stored),
                        fresh=_text(fresh),
                    )
                )


def _store(model, existing: dict, key_fields: dict, figures: Figures, now, diffs=None) -> bool:
    """Write one rollup row only when a figure differs; return whether it wrote."""
    current = existing.get(tuple(key_fields.values()))
    if diffs is not None:
        scope = {
            PlanRollup: RollupDiscrepancy.Scope.PLAN,
            PlanYearRollup: RollupDiscrepancy.Scope.PLAN_YEAR,
            ObjectiveRollup: RollupDiscrepancy.Scope.OBJECTIVE,
            InterventionRollup: RollupDiscrepancy.Scope.INTERVENTION,
        }[model]
        key = " ".join(f"{k.removesuffix('_id')}={v}" for k, v in key_fields.items())
        diffs.compare(scope, key, current, figures.as_row())
    if not _changed(current, figures):
        return False
    if current is None:
        model.objects.create(**key_fields, **figures.as_row(), computed_at=now)
    else:
        model.objects.filter(**key_fields).update(**figures.as_row(), computed_at=now)
    return True


@transaction.atomic
def plan_rollup_recompute(*, plan_id: int, audit: RollupAudit | None = None) -> bool:
    """Recompute a plan's stored rollups from source rows (never increment). Idempotent.

    Returns whether any stored figure changed. A recompute with nothing changed writes nothing.
    With `audit`, every stored figure that differs from the fresh one is recorded first.
    """
    # Lock the plan first: recomputes of one plan then run in turn, and the later one reads every
    # committed row, so a stale total never overwrites a fresh one. The lock is a row lock, so it
    # dies with the transaction: a worker killed mid-task leaves no lock behind.
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        return False  # deleted after the task was queued
    _count_recompute(plan_id)
    dirty_since = plan.rollup_dirty_since
    now = timezone.now()
    if connection.vendor == "postgresql" and audit is None:
        # The same set-based SQL as the full recompute, scoped to this plan, in one statement:
        # one round trip instead of ~20. The audit keeps the ORM path below as its independent check.
        from . import rollup_sql

        wrote = rollup_sql.plan_recompute(plan_id=plan.pk, now=now)
        _plan_mark_clean(plan, dirty_since, wrote, now)
        return wrote
    figures = selectors.plan_figures(plan=plan)
    wrote = False
    diffs = _Diffs(audit, plan, dirty_since is not None) if audit is not None else None

    plan_rows = {(r.plan_id,): r for r in PlanRollup.objects.filter(plan=plan)}
    wrote |= _store(PlanRollup, plan_rows, {"plan_id": plan.pk}, figures.plan, now, diffs)

    year_rows = {(r.plan_id, r.year): r for r in PlanYearRollup.objects.filter(plan=plan)}
    for year, fig in figures.by_year.items():
        wrote |= _store(
            PlanYearRollup, year_rows, {"plan_id": plan.pk, "year": year}, fig, now, diffs
        )
    stale_years = PlanYearRollup.objects.filter(plan=plan).exclude(year__in=list(figures.by_year))
    if diffs is not None:
        for row in stale_years:
            diffs.compare(
                RollupDiscrepancy.Scope.PLAN_YEAR,
                f"plan={plan.pk} year={row.year}",
                row,
                dict.fromkeys(Figures.ROW_FIELDS),
            )
    wrote |= stale_years.delete()[0] > 0

    objective_rows = {
        (r.objective_id,): r for r in ObjectiveRollup.objects.filter(objective__plan=plan)
    }
    for objective_id, fig in figures.by_objective.items():
        wrote |= _store(
            ObjectiveRollup, objective_rows, {"objective_id": objective_id}, fig, now, diffs
        )

    intervention_rows = {
        (r.intervention_id,): r
        for r in InterventionRollup.objects.filter(intervention__objective__plan=plan)
    }
    for intervention_id, fig in figures.by_intervention.items():
        wrote |= _store(
            InterventionRollup,
            intervention_rows,
            {"intervention_id": intervention_id},
            fig,
            now,
            diffs,
        )
    if diffs is not None:
        RollupDiscrepancy.objects.bulk_create(diffs.rows)
        RollupAudit.objects.filter(pk=audit.pk).update(
            rows_checked=F("rows_checked") + diffs.checked,
            discrepancy_count=F("discrepancy_count") + len(diffs.rows),
        )

    _plan_mark_clean(plan, dirty_since, wrote, now)
    return wrote


def _plan_mark_clean(plan: Plan, dirty_since, wrote: bool, now) -> None:
    # The plan is locked, so nothing re-marked it since we read it: clear the mark.
    updates = {}
    if dirty_since is not None:
        updates["rollup_dirty_since"] = None
    if wrote or plan.funding_updated_at is None:
        updates["funding_updated_at"] = now
    if updates:
        Plan.objects.filter(pk=plan.pk).update(**updates)
    if wrote:  # public pages show these figures; retire their cached copies once committed
        transaction.on_commit(pagecache.pages_bump)


def _count_recompute(plan_id: int) -> None:
    """Count recomputes per plan in the cache (Redis in production): how well bursts coalesce.

    Read with `recompute_count`; a cache outage never fails a recompute.
    """
    key = f"rollup:recomputes:{plan_id}"
    try:
        if cache.add(key, 1, timeout=RECOMPUTE_COUNT_TTL):
            return
        cache.incr(key)
    except Exception:  # the count is a diagnostic; Redis being down must not stop the recompute
        logger.debug("could not count the recompute of plan %s", plan_id)


RECOMPUTE_COUNT_TTL = 24 * 3600


def recompute_count(*, plan_id: int) -> int:
    return int(cache.get(f"rollup:recomputes:{plan_id}") or 0)


def plans_rollup_recompute_all(*, progress=None) -> dict[str, int]:
    """Recompute every plan's rollups, then the group rollups. Idempotent.

    On PostgreSQL: set-based (funding.rollup_sql), a few big statements whatever the number of
    plans. Elsewhere (SQLite on a laptop): plan by plan. `progress(n)` is called as plans are done.
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        from . import rollup_sql

        with transaction.atomic():
            counts = rollup_sql.full_recompute(now=now)
        if progress is not None:
            progress(counts["plans"])
    else:
        counts = {"plans": 0, "changed": 0}
        for plan_id in Plan.objects.order_by("pk").values_list("pk", flat=True).iterator():
            counts["plans"] += 1
            counts["changed"] += plan_rollup_recompute(plan_id=plan_id)
            if progress is not None:
                progress(1)
    if counts.get("changed"):
        pagecache.pages_bump()
    counts["groups_written"] = group_rollups_recompute()
    return counts


def rollups_audit() -> RollupAudit:
    """Recompute everything from source rows, recording (and logging) every stored difference.

    The fresh computation is the plan-by-plan ORM path, independent of the set-based SQL that
    `recompute_rollups --all` uses, so the audit also cross-checks the two.
    """
    audit = RollupAudit.objects.create(started_at=timezone.now())
    for plan_id in Plan.objects.order_by("pk").values_list("pk", flat=True).iterator():
        plan_rollup_recompute(plan_id=plan_id, audit=audit)
    _audit_groups(audit)
    audit.refresh_from_db()
    audit.finished_at = timezone.now()
    audit.save(update_fields=["finished_at"])
    real = audit.discrepancies.filter(plan_was_dirty=False).count()
    log = logger.error if real else logger.info
    log(
        "Rollup audit %s: %s rows checked, %s differences (%s on plans not marked dirty)",
        audit.pk,
        audit.rows_checked,
        audit.discrepancy_count,
        real,
    )
    for diff in audit.discrepancies.filter(plan_was_dirty=False)[:100]:
        logger.error("Rollup audit %s: %s", audit.pk, diff)
    return audit


def _audit_groups(audit: RollupAudit) -> None:
    from .models import GroupRollup

    with transaction.atomic():
        stale = group_rollups_are_stale()
        diffs = _Diffs(audit, None, stale)
        for dimension in GroupRollup.Dimension.values:
            existing = {r.key: r for r in GroupRollup.objects.filter(dimension=dimension)}
            for group in selectors.group_figures(dimension):
                row = {**group.figures.as_row(), "received_costed_usd": group.figures.counted}
                diffs.compare(
                    RollupDiscrepancy.Scope.GROUP,
                    f"{dimension}={group.key}",
                    existing.pop(group.key, None),
                    row,
                )
            for key, row in existing.items():
                diffs.compare(
                    RollupDiscrepancy.Scope.GROUP,
                    f"{dimension}={key}",
                    row,
                    dict.fromkeys([*Figures.ROW_FIELDS, "received_costed_usd"]),
                )
        for diff in diffs.rows:
            diff.plan = None
        RollupDiscrepancy.objects.bulk_create(diffs.rows)
        RollupAudit.objects.filter(pk=audit.pk).update(
            rows_checked=F("rows_checked") + diffs.checked,
            discrepancy_count=F("discrepancy_count") + len(diffs.rows),
        )
    group_rollups_recompute()


def plan_mark_dirty(*, plan_id: int) -> None:
    """Mark a plan's rollups stale in the caller's transaction; schedule a recompute on commit.

    Only the edit that turns a clean plan dirty enqueues, so a burst of edits coalesces into few
    recomputes; a plan left dirty (queue down, worker killed) is picked up by the beat sweep.
    Edits of a published plan also mark the cross-plan group rollups stale.
    """
    from . import tasks  # tasks import services: import as a module, at call time

    with transaction.atomic():
        # Lock the plan row, as the recompute does. Without the lock, an edit committed while a
        # recompute runs could see the plan still dirty, skip the enqueue, and then have its
        # change missed when the recompute clears the mark: a stale total until the next edit.
        # With it, the edit waits for a running recompute and then finds the plan clean.
        row = (
            Plan.objects.select_for_update()
            .filter(pk=plan_id)
            .values_list("rollup_dirty_since", "status")
            .first()
        )
        if row is None:
            return  # the plan is being deleted in this transaction
        dirty_since, status = row
        if dirty_since is None:
            Plan.objects.filter(pk=plan_id).update(rollup_dirty_since=timezone.now())
            transaction.on_commit(lambda: tasks.enqueue_plan_rollup(plan_id=plan_id))
        if status == Plan.Status.PUBLISHED:
            group_rollups_mark_dirty_on_commit()


def plans_mark_dirty(*, plan_ids) -> None:
    """Mark several plans dirty, locking them in id order so two such edits cannot deadlock."""
    for plan_id in sorted({pid for pid in plan_ids if pid is not None}):
        plan_mark_dirty(plan_id=plan_id)


def group_rollups_mark_dirty_on_commit() -> None:
    """Count an edit against the group rollups once the caller's transaction has committed.

    After commit, not inside it: the counter is one row shared by every plan, and holding its lock
    until an edit commits would serialise edits of different plans and could deadlock an edit
    of two plans against an edit of one. Counting after commit is still exact, since a group
    recompute reads the counter before it reads the (by then committed) data. Should the process
    die in between, the plan's own dirty mark was committed, and the nightly audit checks groups.
    """
    transaction.on_commit(group_rollups_mark_dirty)


def group_rollups_mark_dirty() -> None:
    """Count an edit against the group rollups; schedule their recompute if they were fresh.

    Its own short transaction (see group_rollups_mark_dirty_on_commit).
    """
    from . import tasks

    with transaction.atomic():
        updated = GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).update(
            edits=F("edits") + 1
        )
        if not updated:
            GroupRollupState.objects.get_or_create(pk=GroupRollupState.SINGLETON)
            GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).update(
                edits=F("edits") + 1
            )
        edits, computed = GroupRollupState.objects.values_list("edits", "computed_edits").get(
            pk=GroupRollupState.SINGLETON
        )
        if edits == computed + 1:  # this edit turned them stale: the only one that enqueues
            transaction.on_commit(tasks.enqueue_group_rollups)


@transaction.atomic
def intervention_move(*, intervention: Intervention, objective: Objective) -> Intervention:
    """Move an intervention under another objective (possibly of another plan).

    Its earmarked contributions follow it (their plan and objective change with it, so that the
    money still counts at its destination and every level above it, once), and both plans' rollups
    are marked stale.
    """
    old_objective = Objective.objects.select_related("plan").get(pk=intervention.objective_id)
    if old_objective.pk == objective.pk:
        return intervention
    intervention_move_check(intervention=intervention, objective=objective)
    new_plan = objective.plan
    intervention.objective = objective
    intervention.save(update_fields=["objective", "updated_at"])
    Contribution.objects.filter(intervention=intervention).update(
        plan=new_plan, objective=objective, updated_at=timezone.now()
    )
    plans_mark_dirty(plan_ids=[old_objective.plan_id, new_plan.pk])
    return intervention


def intervention_move_check(*, intervention: Intervention, objective: Objective) -> None:
    """Raise ValidationError if the intervention cannot move under `objective` (forms call it)."""
    new_plan = objective.plan
    outside = sorted(
        intervention.requirements.exclude(
            year__gte=new_plan.start_year, year__lte=new_plan.end_year
        ).values_list("year", flat=True)
    )
    if outside:
        raise ValidationError(
            {
                "objective": _(
                    "This intervention has requirements for %(years)s, outside the period "
                    "%(period)s of the plan it would move to."
                )
                % {"years": ", ".join(map(str, outside)), "period": new_plan.period_label}
            }
        )
    if new_plan.status == Plan.Status.ARCHIVED and intervention.contributions.exists():
        raise ValidationError({"objective": _("That plan is archived; it takes no new funding.")})


# Any constant both sides agree on: serialises group recomputes on PostgreSQL, so an older
# computation never overwrites a newer one. SQLite runs one writer at a time anyway.
_GROUP_LOCK_KEY = 7_301_903


def group_rollups_recompute() -> int:
    """Rebuild the cross-plan grouped rollups from source rows; write only what changed. Idempotent.

    Returns the number of group rows written or deleted. If edits arrived while it ran, another
    recompute is scheduled, so the groups never stay stale beyond the next one (or the sweep).
    """
    from . import tasks
    from .models import GroupRollup

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GROUP_LOCK_KEY])
        state, _created = GroupRollupState.objects.get_or_create(pk=GroupRollupState.SINGLETON)
        seen = state.edits  # read before computing: edits committed later count as unseen
        now = timezone.now()
        written = 0
        for dimension in GroupRollup.Dimension.values:
            groups = selectors.group_figures(dimension)
            existing = {r.key: r for r in GroupRollup.objects.filter(dimension=dimension)}
            for group in groups:
                row = existing.pop(group.key, None)
                values = {
                    **group.figures.as_row(),
                    "received_costed_usd": group.figures.counted,
                    "label": group.label,
                }
                if row is not None and all(getattr(row, k) == v for k, v in values.items()):
                    continue
                GroupRollup.objects.update_or_create(
                    dimension=dimension, key=group.key, defaults={**values, "computed_at": now}
                )
                written += 1
            if existing:
                GroupRollup.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
                written += len(existing)
        if written:  # public pages show these figures; retire their cached copies once committed
            transaction.on_commit(pagecache.pages_bump)
        GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).update(
            computed_edits=Greatest(F("computed_edits"), seen), computed_at=now
        )
        if GroupRollupState.objects.get(pk=GroupRollupState.SINGLETON).is_stale:
            transaction.on_commit(tasks.enqueue_group_rollups)
    return written


def group_rollups_are_stale() -> bool:
    state = GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).first()
    return state is not None and state.is_stale
