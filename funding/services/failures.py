"""Recomputes that failed: recorded, logged and retried, so one bad scope never freezes the rest.

A plan whose figures cannot be recomputed (a figure its column cannot hold, a broken row) is left
dirty and recorded here; the sweep retries it every minute and the first recompute that succeeds
deletes the record. Group rows likewise. Ref: issue 11, item 3.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import RollupFailure

logger = logging.getLogger(__name__)

# Transient: the database is unreachable, so recording would fail too; callers retry these.
TRANSIENT = (OperationalError, InterfaceError)


def rollup_failure_record(
    *, scope: str, scope_key: str, error: BaseException, plan_id: int | None = None
) -> RollupFailure:
    """Record (or count again) a failed recompute of one scope, in its own short transaction."""
    now = timezone.now()
    text = f"{type(error).__name__}: {error}".strip()[:2000]
    with transaction.atomic():
        failure, created = RollupFailure.objects.select_for_update().get_or_create(
            scope=scope,
            scope_key=scope_key,
            defaults={
                "plan_id": plan_id,
                "error": text,
                "first_failed_at": now,
                "last_failed_at": now,
            },
        )
        if not created:
            RollupFailure.objects.filter(pk=failure.pk).update(
                attempts=F("attempts") + 1, error=text, last_failed_at=now
            )
            failure.refresh_from_db()
    logger.error(
        "Rollup recompute of %s %s failed (%s times since %s); left dirty for the sweep: %s",
        scope,
        scope_key,
        failure.attempts,
        failure.first_failed_at.isoformat(),
        text,
    )
    return failure


def rollup_failures_clear(*, scope: str, scope_keys) -> None:
    """Forget the failures of scopes that have now been recomputed."""
    keys = list(scope_keys)
    if keys:
        cleared = RollupFailure.objects.filter(scope=scope, scope_key__in=keys).delete()[0]
        if cleared:
            logger.info("Rollup recompute of %s %s succeeded again", scope, ", ".join(keys))
