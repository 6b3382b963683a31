"""The stored funding rollups, recomputed from source rows (never incremented).

Imported by funding.tasks; never imports the tasks (the re-enqueue of a group recompute is passed
in by the caller), so tasks and rollups load without a cycle.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from crp_portal import outages, pagecache
from plans.models import Plan

from .. import rollup_sql, selectors
from ..figures import Figures
from ..models import (
    GroupRollup,
    GroupRollupState,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
    RollupAudit,
    RollupDiscrepancy,
    RollupFailure,
)
from .failures import TRANSIENT, rollup_failure_record, rollup_failures_clear

logger = logging.getLogger(__name__)


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
        RollupAudit.objects.filter(pk=diffs.audit.pk).update(
            rows_checked=F("rows_checked") + diffs.checked,
            discrepancy_count=F("discrepancy_count") + len(diffs.rows),
        )

    _plan_mark_clean(plan, dirty_since, wrote, now)
    return wrote


def plan_rollup_recompute_isolated(
    *, plan_id: int, audit: RollupAudit | None = None
) -> bool | None:
    """plan_rollup_recompute, but a plan whose recompute raises is recorded and skipped.

    Returns None when it failed: its transaction was rolled back, so the plan stays dirty and the
    sweep retries it; the failure is logged and kept as a RollupFailure until a recompute succeeds.
    Transient database errors (connection lost) still raise, for the caller's retry. The sweep,
    the task, the full recompute's fallback and the audit call this, so one plan whose figures
    cannot be stored never stops the others (issue 11, item 3).
    """
    try:
        wrote = plan_rollup_recompute(plan_id=plan_id, audit=audit)
    except TRANSIENT:
        raise
    except Exception as error:
        rollup_failure_record(
            scope=RollupFailure.Scope.PLAN, scope_key=str(plan_id), plan_id=plan_id, error=error
        )
        return None
    rollup_failures_clear(scope=RollupFailure.Scope.PLAN, scope_keys=[str(plan_id)])
    return wrote


def _plan_mark_clean(plan: Plan, dirty_since, wrote: bool, now) -> None:
    # The plan is locked, so nothing re-marked it since we read it: clear the mark.
    updates: dict[str, datetime.datetime | None] = {}
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
    if not outages.CACHE.available():
        return
    try:
        if cache.add(key, 1, timeout=RECOMPUTE_COUNT_TTL):
            return
        cache.incr(key)
    except Exception:  # the count is a diagnostic; Redis being down must not stop the recompute
        outages.CACHE.failed()


RECOMPUTE_COUNT_TTL = 24 * 3600


def recompute_count(*, plan_id: int) -> int:
    """Recomputes of the plan counted in the last day (0 when the cache cannot be reached)."""
    if not outages.CACHE.available():
        return 0
    try:
        return int(cache.get(f"rollup:recomputes:{plan_id}") or 0)
    except Exception:
        outages.CACHE.failed()
        return 0


def plans_rollup_recompute_all(
    *, reschedule_groups: Callable[[], object], progress=None
) -> dict[str, int]:
    """Recompute every plan's rollups, then the group rollups. Idempotent.

    `reschedule_groups`: as `reschedule` in group_rollups_recompute.

    On PostgreSQL: set-based (funding.rollup_sql), a few big statements whatever the number of
    plans. Elsewhere (SQLite on a laptop): plan by plan. `progress(n)` is called as plans are done.
    """
    now = timezone.now()
    counts = None
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                counts = rollup_sql.full_recompute(now=now)
        except TRANSIENT:
            raise
        except Exception:
            # One plan's figures cannot be stored: the statements cover every plan, so redo the
            # plans one by one, each on its own, and record the ones that fail.
            logger.exception("Set-based recompute failed; recomputing plan by plan")
        else:
            RollupFailure.objects.filter(scope=RollupFailure.Scope.PLAN).delete()
            if progress is not None:
                progress(counts["plans"])
    if counts is None:
        counts = {"plans": 0, "changed": 0, "failed": 0}
        for plan_id in Plan.objects.order_by("pk").values_list("pk", flat=True).iterator():
            counts["plans"] += 1
            wrote = plan_rollup_recompute_isolated(plan_id=plan_id)
            counts["changed"] += bool(wrote)
            counts["failed"] += wrote is None
            if progress is not None:
                progress(1)
    if counts.get("changed"):
        pagecache.pages_bump()
    counts["groups_written"] = group_rollups_recompute(reschedule=reschedule_groups)
    return counts


# Any constant both sides agree on: serialises group recomputes on PostgreSQL, so an older
# computation never overwrites a newer one. SQLite runs one writer at a time anyway.
_GROUP_LOCK_KEY = 7_301_903


def group_rollups_recompute(*, reschedule: Callable[[], object]) -> int:
    """Rebuild the cross-plan grouped rollups from source rows; write only what changed. Idempotent.

    Returns the number of group rows written or deleted. If edits arrived while it ran,
    `reschedule` (the queue's enqueue, given by funding.tasks or funding.services.dirty) runs after
    commit, so the groups never stay stale beyond the next recompute (or the sweep).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GROUP_LOCK_KEY])
        state, _created = GroupRollupState.objects.get_or_create(pk=GroupRollupState.SINGLETON)
        seen = state.edits  # read before computing: edits committed later count as unseen
        now = timezone.now()
        written = 0
        failed: set[str] = set()
        for dimension in GroupRollup.Dimension.values:
            written += _group_dimension_store(dimension, now, failed)
        if written:  # public pages show these figures; retire their cached copies once committed
            transaction.on_commit(pagecache.pages_bump)
        done = RollupFailure.objects.filter(scope=RollupFailure.Scope.GROUP).exclude(
            scope_key__in=failed
        )
        rollup_failures_clear(
            scope=RollupFailure.Scope.GROUP, scope_keys=done.values_list("scope_key", flat=True)
        )
        if failed:
            # Every other group is written; these stay stale (computed_edits not advanced), so
            # the sweep retries them each minute. Not re-enqueued: that would loop every 5 s.
            return written
        GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).update(
            computed_edits=Greatest(F("computed_edits"), seen), computed_at=now
        )
        if GroupRollupState.objects.get(pk=GroupRollupState.SINGLETON).is_stale:
            transaction.on_commit(reschedule)
    return written


def _group_dimension_store(dimension: str, now, failed: set[str]) -> int:
    """Write one dimension's changed group rows, each in a savepoint: a row that cannot be stored
    is recorded in `failed` (and as a RollupFailure) and the others are still written."""
    try:
        groups = selectors.group_figures(dimension)
    except TRANSIENT:
        raise
    except Exception as error:
        failed.add(dimension)
        rollup_failure_record(scope=RollupFailure.Scope.GROUP, scope_key=dimension, error=error)
        return 0
    existing = {r.key: r for r in GroupRollup.objects.filter(dimension=dimension)}
    written = 0
    for group in groups:
        row = existing.pop(group.key, None)
        values = {
            **group.figures.as_row(),
            "received_costed_usd": group.figures.counted,
            "label": group.label,
        }
        if row is not None and all(getattr(row, k) == v for k, v in values.items()):
            continue
        try:
            with transaction.atomic():
                GroupRollup.objects.update_or_create(
                    dimension=dimension, key=group.key, defaults={**values, "computed_at": now}
                )
        except TRANSIENT:
            raise
        except Exception as error:
            scope_key = f"{dimension}={group.key}"
            failed.add(scope_key)
            rollup_failure_record(scope=RollupFailure.Scope.GROUP, scope_key=scope_key, error=error)
            continue
        written += 1
    if existing:
        GroupRollup.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        written += len(existing)
    return written


def group_rollups_are_stale() -> bool:
    state = GroupRollupState.objects.filter(pk=GroupRollupState.SINGLETON).first()
    return state is not None and state.is_stale
