"""Dirty marks and enqueueing: an edit marks its plan (and the groups) stale, and the edit that
turns them stale enqueues their recompute after commit.

This module imports funding.tasks; the tasks import funding.services.rollups and .audit, never this
module. The recomputes below are the ones every other caller uses: they reschedule the group
rollups through the queue when edits arrived while they ran.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plans.models import PUBLIC_STATUSES, Plan

from .. import tasks
from ..models import GroupRollupState, RollupAudit
from . import audit, rollups


def plan_mark_dirty(*, plan_id: int) -> None:
    """Mark a plan's rollups stale in the caller's transaction; schedule a recompute on commit.

    Only the edit that turns a clean plan dirty enqueues, so a burst of edits coalesces into few
    recomputes; a plan left dirty (queue down, worker killed) is picked up by the beat sweep.
    Edits of a published plan also mark the cross-plan group rollups stale.
    """
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
        if status in PUBLIC_STATUSES:
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


def group_rollups_recompute() -> int:
    """rollups.group_rollups_recompute, rescheduled through the queue if edits arrived meanwhile."""
    return rollups.group_rollups_recompute(reschedule=tasks.enqueue_group_rollups)


def plans_rollup_recompute_all(*, progress=None) -> dict[str, int]:
    """rollups.plans_rollup_recompute_all, the groups rescheduled through the queue if needed."""
    return rollups.plans_rollup_recompute_all(
        reschedule_groups=tasks.enqueue_group_rollups, progress=progress
    )


def rollups_audit() -> RollupAudit:
    """audit.rollups_audit, the groups rescheduled through the queue if needed."""
    return audit.rollups_audit(reschedule_groups=tasks.enqueue_group_rollups)
