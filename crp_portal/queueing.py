"""Queueing a Celery task from a request without ever making the request wait on Redis.

Every enqueue of the app goes through `enqueue`: with no broker configured tasks run inline (one
machine, local development); with a broker that is down the call fails fast, is logged, and the
broker is left alone for outages.RETRY_AFTER_SECONDS, so a burst of saves with Redis down does not
wait ~2 s each on the broker timeouts. What the task would have done is then left to a sweep (the
caller's marks stay in the database), never lost.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import OperationalError

from . import outages

logger = logging.getLogger(__name__)


def enqueue(task, *, countdown: int = 0, **kwargs) -> bool:
    """Queue `task(**kwargs)` (or run it inline without a broker). False when the broker is down:
    the caller's sweep does the work later."""
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if not eager and not outages.BROKER.available():
        logger.info("Broker down; %s%s left for the sweep", task.name, kwargs)
        return False
    try:
        if eager:
            task.apply(kwargs=kwargs, throw=True)
        else:
            # retry=False and the broker timeouts in settings make this fail within ~2 s.
            task.apply_async(kwargs=kwargs, countdown=countdown, retry=False)
    except OperationalError:
        raise
    except Exception:  # the broker is unreachable: the sweep will pick the work up
        if not eager:
            outages.BROKER.failed()
        logger.warning("Could not enqueue %s%s; left for the sweep", task.name, kwargs)
        return False
    return True
