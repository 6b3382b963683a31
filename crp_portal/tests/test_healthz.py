"""/healthz: which of the database, the queue and the cache answer, without details; 503 only
when the database does not (the site serves without Redis, issue 11)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _assert_no_details(body: dict) -> None:
    assert set(body) == {"status", "database", "queue", "cache"}
    assert set(body.values()) <= {"ok", "down", "degraded", "unavailable"}


def test_healthy_with_the_real_redis(client, db, settings):
    redis_url = os.environ.get("REDIS_URL", "")
    require(bool(redis_url), "needs Redis: set REDIS_URL")
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_one_machine_mode_has_no_queue_to_reach(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").status_code == 200


def test_unreachable_queue_is_degraded_not_503_and_named(client, db, settings):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    response = client.get("/healthz")
    assert response.status_code == 200  # the site still serves: keep it behind the balancer
    body = response.json()
    assert body == {"status": "degraded", "database": "ok", "queue": "down", "cache": "ok"}
    _assert_no_details(body)
    assert b"127.0.0.1" not in response.content and b"refused" not in response.content.lower()


def test_unreachable_cache_is_degraded_and_named(client, db, settings):
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "degraded", "database": "ok", "queue": "ok", "cache": "down"}
    _assert_no_details(body)
    assert b"127.0.0.1" not in response.content


def test_only_get(client, db):
    assert client.post("/healthz").status_code == 405


def test_unreachable_database_is_503_without_details():
    """A real process pointed at a PostgreSQL port where nothing listens (no mocks)."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.content.decode()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crp_portal.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "REDIS_URL": "",
        "LOG_LEVEL": "CRITICAL",
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status, content = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503
    body = json.loads(content)
    assert body == {"status": "unavailable", "database": "down", "queue": "ok", "cache": "ok"}
    assert "5432" not in content and "nowhere" not in content and "port" not in content.lower()


@pytest.mark.parametrize("path", ["/healthz"])
def test_healthz_is_not_redirected_to_https(client, db, settings, path):
    settings.SECURE_SSL_REDIRECT = True  # the load balancer probes plain HTTP
    settings.REDIS_URL = ""
    assert client.get(path).status_code == 200
