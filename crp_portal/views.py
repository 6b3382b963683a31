"""Project-wide views."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from . import outages

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


def _cache_ok() -> bool:
    try:
        cache.get("healthz:probe")
        return True
    except Exception:
        logger.exception("healthz: shared cache unreachable")
        outages.CACHE.failed()
        return False


@never_cache
@require_GET
def healthz(request):
    """Which backing service answers, without details: 503 when the database does not.

    Without Redis (queue or cache down) the site still answers every request, only slower and
    with throttles open (crp_portal.outages): "degraded" with 200, so a load balancer keeps
    serving while monitoring sees what is down.
    """
    checks = {"database": _database_ok(), "queue": _queue_ok(), "cache": _cache_ok()}
    if all(checks.values()):
        status = "ok"
    elif checks["database"]:
        status = "degraded"
    else:
        status = "unavailable"
    body = {"status": status, **{k: ("ok" if v else "down") for k, v in checks.items()}}
    return JsonResponse(body, status=503 if status == "unavailable" else 200)


@require_GET
def favicon(request):
    """Browsers that ask for /favicon.ico without reading the page's <link rel="icon">."""
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception=None):
    """A path no URL matches: JSON under /api/ (what partners' clients and the schema expect),
    the site's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
