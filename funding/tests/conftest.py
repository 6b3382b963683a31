"""Fixtures for tests with a real Celery worker on a real Redis (marked `redis`).

`celery_worker` starts `celery -A crp_portal worker` as a subprocess on the test database (its
name is read from settings.DATABASES once pytest-django has created it, e.g. test_crp_ci in CI)
and on the broker of REDIS_URL. `private_redis` starts a redis-server of its own on a free port,
which a test may stop and start again (the shared Redis is never stopped).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from conftest import require

BASE_DIR = Path(__file__).resolve().parents[2]
READY_SECONDS = 30


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Worker:
    """A `celery worker` subprocess; its log is kept for the failure message."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.name = f"pytest-{uuid.uuid4().hex[:8]}@%h"
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crp_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + READY_SECONDS
        while "ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the Celery worker did not start:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


@contextlib.contextmanager
def celery_app_on(broker_url: str):
    """Point this process's Celery app at a broker (and back), dropping pooled connections."""
    from crp_portal.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _configure(app, broker_url, eager=False)
    try:
        yield app
    finally:
        _configure(app, *saved)


def _configure(app, broker_url: str, eager: bool) -> None:
    # Celery 5.6 looks up the Django-namespaced keys (CELERY_*) before the plain ones: set both.
    app.conf.broker_url = app.conf.CELERY_BROKER_URL = broker_url
    app.conf.task_always_eager = app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    app._after_fork()  # Celery's own reset of the connection and producer pools


@pytest.fixture
def services_for_worker(settings):
    """PostgreSQL (the worker shares the test database) and a reachable REDIS_URL."""
    require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "worker tests need PostgreSQL: set DATABASE_URL",
    )
    require(bool(settings.REDIS_URL), "worker tests need Redis: set REDIS_URL")
    require(_redis_up(settings.REDIS_URL), f"Redis at {settings.REDIS_URL} is unreachable")
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def celery_worker(services_for_worker, settings):
    """A real worker on REDIS_URL and the test database; the queue is purged first."""
    with celery_app_on(settings.REDIS_URL) as app:
        app.control.purge()
        worker = Worker(settings.REDIS_URL)
        try:
            yield worker
        finally:
            worker.stop()


class PrivateRedis:
    """A redis-server of this test's own, on a free port: safe to stop and start."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _redis_up(self.url):
            if time.monotonic() > deadline:
                pytest.fail("the private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(services_for_worker):
    server = PrivateRedis()
    require(server.binary is not None, "redis-server is not installed")
    server.start()
    try:
        yield server
    finally:
        server.stop()
