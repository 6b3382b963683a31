"""Without Redis the API answers as without a cache (issue 11): throttles fail open for a bounded
time, reads and writes succeed, enqueueing leaves plans dirty for the sweep.

Redis here is a server address where nothing listens (port 1): the same ConnectionError the
fixed-window throttle raised in the fault run. The fault test under load, with a real
redis-server stopped and started, is in funding/tests/test_worker_faults.py.
"""

from __future__ import annotations

import time

import pytest

from crp_portal import outages
from funding.models import Contribution
from funding.tests.factories import DonorFactory
from plans.models import Plan
from plans.tests.factories import Role, UserFactory, assign

pytestmark = pytest.mark.django_db

URL = "/api/v1/plans/"
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
IN_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def officer():
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    return user


def _contribution(plan: Plan, n: int) -> dict:
    return {
        "donor": DonorFactory(name=f"Donor {n}").pk,
        "plan": plan.slug,
        "amount": "1000.00",
        "currency": "USD",
        "status": "paid",
        "contributed_on": f"{plan.start_year}-02-01",
        "reference": f"REDIS-DOWN-{n}",
    }


def test_with_the_cache_unreachable_reads_and_writes_answer_and_throttles_fail_open(
    api_client, demo, officer, settings, caplog
):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "partner": "3/min"}
    settings.CACHES = UNREACHABLE
    plan = demo["tajikistan-crp-2020"]

    reads = [api_client.get(URL) for _ in range(10)]  # over the anonymous limit of 3
    assert [r.status_code for r in reads] == [200] * 10
    assert reads[0].json()["count"] == reads[-1].json()["count"] >= 1
    assert "X-Answer-Cache" not in reads[-1]  # rendered, not served from a cache

    api_client.force_authenticate(officer)
    writes = [
        api_client.post("/api/v1/contributions/", _contribution(plan, n), format="json")
        for n in range(5)
    ]
    assert [w.status_code for w in writes] == [201] * 5, writes[0].content
    assert Contribution.objects.filter(reference__startswith="REDIS-DOWN-").count() == 5
    assert "shared cache (Redis) unreachable" in caplog.text  # logged, once per outage
    assert caplog.text.count("shared cache (Redis) unreachable") == 1


def test_throttling_resumes_within_the_bound_once_the_cache_answers(
    api_client, demo, settings, monkeypatch
):
    monkeypatch.setattr(outages, "RETRY_AFTER_SECONDS", 0.5)  # 15 s in production
    settings.API_THROTTLE_RATES = {"anon": "2/min", "partner": None}
    settings.API_ANSWER_CACHE = False
    settings.CACHES = UNREACHABLE
    assert [api_client.get(URL).status_code for _ in range(4)] == [200] * 4  # open

    settings.CACHES = IN_MEMORY  # Redis is back
    assert api_client.get(URL).status_code == 200  # still within the bound: not yet counted
    time.sleep(0.6)
    assert [api_client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
