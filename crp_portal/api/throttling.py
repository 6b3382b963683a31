"""Throttles read from settings: anonymous clients and partners, fixed windows in the cache."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .. import outages


class _FixedWindowThrottle(BaseThrottle):
    """At most N requests per window and client: one atomic counter (INCR) in the shared cache.

    DRF's SimpleRateThrottle keeps every request's timestamp in one cache value, re-read and
    re-written whole on each request: at partner rates that list grows to thousands of entries.
    Rates are read from settings per request, so deploys and tests can change them. Without
    the cache (Redis down) the throttle fails open for a bounded time (crp_portal.outages).
    """

    scope = ""

    def get_client(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        rate = settings.API_THROTTLE_RATES.get(self.scope)
        client = self.get_client(request)
        if not rate or client is None:
            return True
        if not outages.CACHE.available():
            return True  # fail open while the shared cache is known to be down (see below)
        limit, period = _parse_rate(rate)
        now = time.time()
        key = throttle_key(self.scope, client, now, period)
        try:
            count = _count(key, period)
        except Exception:
            # Redis unreachable: let the request in rather than answer 500 (issue 11). Logged,
            # and only for outages.RETRY_AFTER_SECONDS at a time: the counting resumes once the
            # cache answers again. The counters live in Redis, so nothing else can count.
            outages.CACHE.failed()
            return True
        self._wait = period - (now % period)
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


def _count(key: str, period: int) -> int:
    """This request's number in its window: one atomic INCR of the window's counter."""
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


def _parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def throttle_key(scope: str, client: str, now: float, period: int) -> str:
    return f"throttle:{scope}:{client}:{int(now // period)}"


class AnonThrottle(_FixedWindowThrottle):
    """Anonymous clients, by IP address (API_NUM_PROXIES says how many proxies to trust)."""

    scope = "anon"

    def get_client(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class PartnerThrottle(_FixedWindowThrottle):
    """Authenticated clients (API token or session), by account: a higher limit."""

    scope = "partner"

    def get_client(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None
