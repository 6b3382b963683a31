"""Rollups kept fresh by a real Celery worker on Redis and PostgreSQL (few, quick tests).

Every edit here commits on its own (transactional_db), as in production, so the on-commit
enqueues really go to the broker and the worker really recomputes.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from funding import services, tasks
from funding.models import PlanRollup
from funding.tests.conftest import Worker, celery_app_on
from funding.tests.factories import ContributionFactory, RequirementFactory
from plans.models import Plan

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

FRESH_WITHIN = 5.0  # seconds: the promise for an edit to show in the stored rollup


def wait_for(condition, *, within: float = FRESH_WITHIN, what: str) -> float:
    """Poll until `condition()` is true; fail after `within` seconds. Returns the time taken."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within:
            pytest.fail(f"not within {within} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def received(plan: Plan) -> Decimal | None:
    row = PlanRollup.objects.filter(plan=plan).first()
    return None if row is None else row.received_usd


def is_clean(plan: Plan) -> bool:
    return Plan.objects.get(pk=plan.pk).rollup_dirty_since is None


def test_an_edit_shows_in_the_stored_rollup_within_5_seconds(celery_worker):
    plan = RequirementFactory(amount_usd=Decimal("1000.00")).intervention.objective.plan
    wait_for(lambda: PlanRollup.objects.filter(plan=plan, required_usd=1000).exists(), what="cost")

    ContributionFactory(plan=plan, amount=Decimal("250.00"))

    wait_for(lambda: received(plan) == Decimal("250.00"), what="the new contribution")
    assert PlanRollup.objects.get(plan=plan).coverage_percent == Decimal("25.00")
    wait_for(lambda: is_clean(plan), what="the plan marked clean")


def test_a_burst_of_100_edits_coalesces_into_one_recompute_per_window(celery_worker):
    requirement = RequirementFactory(
        amount_usd=Decimal("1.00"), intervention__objective__plan__status=Plan.Status.DRAFT
    )
    plan = requirement.intervention.objective.plan
    wait_for(lambda: is_clean(plan), what="the first recompute")
    cache.delete(f"rollup:recomputes:{plan.pk}")

    started = time.monotonic()
    for n in range(1, 101):  # 100 edits, each its own transaction
        requirement.amount_usd = Decimal(n)
        requirement.save(update_fields=["amount_usd", "updated_at"])
    burst = time.monotonic() - started

    wait_for(
        lambda: PlanRollup.objects.filter(plan=plan, required_usd=100).exists() and is_clean(plan),
        what="the burst's last figure",
    )
    count = services.recompute_count(plan_id=plan.pk)
    # Coalescing means one recompute per countdown window the burst spans, not one per edit:
    # at most 3 for a burst of under two windows, as on a quiet machine (about 1 s); a shared,
    # loaded machine stretches the burst, and so the number of windows, never the rule.
    windows = math.ceil(burst / tasks.COALESCE_SECONDS)
    assert 1 <= count <= max(3, windows + 1), f"{count} recomputes for 100 edits in {burst:.2f} s"


def test_with_the_broker_down_a_save_succeeds_and_the_sweep_catches_up(private_redis, settings):
    plan = RequirementFactory(amount_usd=Decimal("1000.00")).intervention.objective.plan
    services.plan_rollup_recompute(plan_id=plan.pk)

    with celery_app_on(private_redis.url):
        private_redis.stop()  # the queue is down
        started = time.monotonic()
        ContributionFactory(plan=plan, amount=Decimal("400.00"))
        took = time.monotonic() - started
        # The broker timeouts in settings (2 s) bound this; a hang would never return.
        assert took < 5, f"a save took {took:.1f} s with the broker down"
        assert not is_clean(plan)
        assert received(plan) == Decimal("0.00")  # nothing recomputed: nothing was queued

        private_redis.start()  # the queue is back, empty: the enqueue was lost
        worker = Worker(private_redis.url)
        try:
            # What beat sends every minute (grace 0: no need to wait out the 30 s here).
            tasks.sweep_dirty_plans.apply_async(kwargs={"grace_seconds": 0})
            wait_for(lambda: received(plan) == Decimal("400.00"), what="the sweep's recompute")
            wait_for(lambda: is_clean(plan), what="the plan marked clean")
        finally:
            worker.stop()
