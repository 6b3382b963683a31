"""The nightly audit: recompute every rollup and record each stored figure that differed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plans.models import Plan

from .. import selectors
from ..figures import Figures
from ..models import GroupRollup, RollupAudit, RollupDiscrepancy
from .rollups import (
    _Diffs,
    group_rollups_are_stale,
    group_rollups_recompute,
    plan_rollup_recompute_isolated,
)

logger = logging.getLogger(__name__)


def rollups_audit(*, reschedule_groups: Callable[[], object]) -> RollupAudit:
    """Recompute everything from source rows, recording (and logging) every stored difference.

    `reschedule_groups`: as `reschedule` in rollups.group_rollups_recompute.

    The fresh computation is the plan-by-plan ORM path, independent of the set-based SQL that
    `recompute_rollups --all` uses, so the audit also cross-checks the two. A plan that cannot be
    recomputed is recorded as a RollupFailure and the audit goes on with the others.
    """
    audit = RollupAudit.objects.create(started_at=timezone.now())
    for plan_id in Plan.objects.order_by("pk").values_list("pk", flat=True).iterator():
        plan_rollup_recompute_isolated(plan_id=plan_id, audit=audit)
    _audit_groups(audit, reschedule_groups)
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


def _audit_groups(audit: RollupAudit, reschedule_groups: Callable[[], object]) -> None:
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
            for key, stored in existing.items():
                diffs.compare(
                    RollupDiscrepancy.Scope.GROUP,
                    f"{dimension}={key}",
                    stored,
                    dict.fromkeys([*Figures.ROW_FIELDS, "received_costed_usd"]),
                )
        for diff in diffs.rows:
            diff.plan = None
        RollupDiscrepancy.objects.bulk_create(diffs.rows)
        RollupAudit.objects.filter(pk=audit.pk).update(
            rows_checked=F("rows_checked") + diffs.checked,
            discrepancy_count=F("discrepancy_count") + len(diffs.rows),
        )
    group_rollups_recompute(reschedule=reschedule_groups)
