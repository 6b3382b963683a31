"""Redis is a speed-up and a queue, never a dependency of a request (issue 11).

Every use of Redis goes through one of the two services below: the shared cache (page cache,
API answer cache, throttles, diagnostic counters) and the Celery broker (enqueueing). When a
call fails, the caller goes on as if Redis were not configured (render without the cache, let
the request through the throttle, leave the plan dirty for the sweep) and marks the service
down; for RETRY_AFTER_SECONDS nothing waits on it again, so a busy page or a bulk import does
not pay a connect timeout per row or request. The next call after that tries Redis again: once
Redis is back, caching, throttling and enqueueing resume within RETRY_AFTER_SECONDS.
`/healthz` reports a service marked down (crp_portal/views.py).

The marks are per process (each gunicorn or Celery process learns on its own); that is enough,
since each learns from its first failed call.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# How long a failed service is left alone: a bounded time without caching, throttling (throttles
# fail open) or enqueueing (the beat sweep recomputes dirty plans meanwhile).
RETRY_AFTER_SECONDS = 15


class RedisService:
    """One Redis-backed service of this process, and whether it is known to be unreachable."""

    def __init__(self, name: str, without_it: str) -> None:
        self.name = name
        self.without_it = without_it  # what callers do meanwhile, for the log
        self._down_until = 0.0

    def available(self) -> bool:
        """False for RETRY_AFTER_SECONDS after a failure: callers skip Redis altogether."""
        return time.monotonic() >= self._down_until

    def failed(self) -> None:
        """Call from the `except` of a failed call: logs it (with the error) and marks it down."""
        first = self.available()
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:  # one warning per outage and process, not one per request
            logger.warning(
                "%s unreachable: %s for %s s, then retrying",
                self.name,
                self.without_it,
                RETRY_AFTER_SECONDS,
                exc_info=True,
            )

    def reset(self) -> None:
        self._down_until = 0.0


CACHE = RedisService("shared cache (Redis)", "no page or answer cache, throttles let requests in")
BROKER = RedisService("Celery broker (Redis)", "not enqueueing; dirty plans wait for the sweep")
SERVICES = (CACHE, BROKER)


def reset() -> None:
    """Forget every failure (tests: one that broke Redis must not disable it for the next)."""
    for service in SERVICES:
        service.reset()
