"""Celery tasks that keep the stored funding rollups fresh. All are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)

# Edits within this many seconds of the first one are folded into one recompute.
COALESCE_SECONDS = 1


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_plan_rollup(*, plan_id: int) -> None:
    """Rebuild one plan's funding rollups from source rows. Idempotent."""
    services.plan_rollup_recompute(plan_id=plan_id)


def enqueue_plan_rollup(*, plan_id: int) -> None:
    """Queue a plan's recompute; if the broker is down, log it and leave the plan dirty."""
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            recompute_plan_rollup.apply(kwargs={"plan_id": plan_id}, throw=True)
        else:
            recompute_plan_rollup.apply_async(
                kwargs={"plan_id": plan_id}, countdown=COALESCE_SECONDS, retry=False
            )
    except OperationalError:
        raise
    except Exception:  # the broker is unreachable: the beat sweep will pick the plan up
        logger.warning("Could not enqueue rollup of plan %s; left dirty for the sweep", plan_id)
