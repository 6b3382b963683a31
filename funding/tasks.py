"""Celery tasks that keep the stored funding rollups fresh. All are idempotent.

Flow: an edit marks its plan dirty in its own transaction (`services.dirty.plan_mark_dirty`); the edit
that turns the plan dirty enqueues `recompute_plan_rollup` after commit with a short countdown, so
a burst of edits is folded into one recompute. Edits of published plans likewise mark the group
rollups stale and the first one enqueues `recompute_group_rollups`, with a longer countdown.
If the broker is down the enqueue fails fast and is only logged: the marks stay in the database
and `sweep_dirty_plans` (every minute, beat) finds them. `audit_rollups` (nightly) recomputes
everything and records what was wrong.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from crp_portal import queueing
from plans.models import Plan

# The recomputes only: funding.services.dirty imports this module to enqueue, never the reverse.
from .services import audit, rollups

logger = logging.getLogger(__name__)

# Edits within this many seconds of the first one are folded into one recompute: 100 edits in a
# second cost at most 3 recomputes even on a loaded machine where they take ~4 s to commit, and
# an edit still shows within ~2.1 s (the issue promises 5 s).
COALESCE_SECONDS = 2
# Group rollups scan every published plan, so they are folded over a longer window.
GROUP_COALESCE_SECONDS = 5
# The sweep leaves plans dirty for less than this to the recompute their edit enqueued.
SWEEP_GRACE_SECONDS = 30
# One sweep recomputes at most this many plans one by one; beyond, the set-based full recompute
# is cheaper (a few statements for all plans).
SWEEP_PLAN_LIMIT = 200


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_plan_rollup(*, plan_id: int) -> None:
    """Rebuild one plan's funding rollups from source rows. Idempotent.

    A plan whose figures cannot be stored is recorded (RollupFailure) and left dirty for the
    sweep, not retried here: the same rows would fail the same way."""
    rollups.plan_rollup_recompute_isolated(plan_id=plan_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_group_rollups() -> None:
    """Rebuild the cross-plan group rollups from source rows. Idempotent."""
    rollups.group_rollups_recompute(reschedule=enqueue_group_rollups)


@shared_task
def sweep_dirty_plans(*, grace_seconds: int = SWEEP_GRACE_SECONDS) -> dict[str, int]:
    """Recompute plans left dirty (queue was down, worker killed) and stale groups. Idempotent.

    Runs every minute from beat. Recomputes in this task rather than enqueueing, so it makes
    progress with a single worker and does not depend on the queue it is cleaning up after.
    A plan whose recompute fails is recorded, logged and left dirty (retried at the next sweep);
    the other plans and the groups are recomputed all the same (issue 11, item 3).
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=grace_seconds)
    dirty = list(
        Plan.objects.filter(rollup_dirty_since__lte=cutoff)
        .order_by("rollup_dirty_since")
        .values_list("pk", flat=True)[: SWEEP_PLAN_LIMIT + 1]
    )
    if len(dirty) > SWEEP_PLAN_LIMIT:
        logger.warning("Sweep: over %s dirty plans; recomputing all plans", SWEEP_PLAN_LIMIT)
        counts = rollups.plans_rollup_recompute_all(reschedule_groups=enqueue_group_rollups)
        failed = counts.get("failed", 0)
        return {"plans": counts["plans"] - failed, "groups": 1, "failed": failed}
    failed = sum(rollups.plan_rollup_recompute_isolated(plan_id=pk) is None for pk in dirty)
    groups = 0
    if rollups.group_rollups_are_stale():
        rollups.group_rollups_recompute(reschedule=enqueue_group_rollups)
        groups = 1
    if dirty or groups:
        log = logger.warning if failed else logger.info
        log(
            "Sweep: recomputed %s dirty plans (%s failed, left dirty), groups: %s",
            len(dirty) - failed,
            failed,
            bool(groups),
        )
    return {"plans": len(dirty) - failed, "groups": groups, "failed": failed}


@shared_task(acks_late=True)
def audit_rollups() -> int:
    """Nightly: recompute every rollup, recording and logging each stored difference. Idempotent.

    Returns the RollupAudit id (see the admin: Funding › Rollup audits).
    """
    return audit.rollups_audit(reschedule_groups=enqueue_group_rollups).pk


def _enqueue(task, **kwargs) -> None:
    """Queue a task after commit; if the broker is down, the mark stays for the sweep."""
    queueing.enqueue(task, countdown=_countdown(task), **kwargs)


def _countdown(task) -> int:
    return GROUP_COALESCE_SECONDS if task is recompute_group_rollups else COALESCE_SECONDS


def enqueue_plan_rollup(*, plan_id: int) -> None:
    """Queue a plan's recompute; if the broker is down, log it and leave the plan dirty."""
    _enqueue(recompute_plan_rollup, plan_id=plan_id)


def enqueue_group_rollups() -> None:
    """Queue the group rollups' recompute; if the broker is down, the sweep does it."""
    _enqueue(recompute_group_rollups)
