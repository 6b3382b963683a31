"""Project-wide views."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("healthz: database unreachable")
        return False


def _queue_ok() -> bool:
    if not settings.REDIS_URL:
        return True  # one-machine mode: tasks run inline, there is no queue to reach
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except Exception:
        logger.exception("healthz: queue unreachable")
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the queue answer, 503 otherwise; no details leak."""
    checks = {"database": _database_ok(), "queue": _queue_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        **{k: ("ok" if v else "down") for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
