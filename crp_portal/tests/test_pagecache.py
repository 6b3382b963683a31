"""The public page cache: served from cache, retired when rollups or content change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crp_portal import outages, pagecache
from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from funding import services

pytestmark = pytest.mark.usefixtures("public_pages")


def test_second_view_is_served_from_the_cache_without_queries(
    client, demo, django_assert_num_queries
):
    first = client.get("/plans/tajikistan-crp-2020/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/plans/tajikistan-crp-2020/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    download = client.get("/plans/?format=csv")
    cached = client.get("/plans/?format=csv")
    assert cached["X-Page-Cache"] == "hit"
    assert cached["Content-Disposition"] == download["Content-Disposition"]


def test_each_url_is_its_own_page(client, demo):
    client.get("/plans/?country=TJK")
    assert client.get("/plans/?country=PAK")["X-Page-Cache"] == "miss"
    assert "Pakistan" in client.get("/plans/?country=PAK").content.decode()


def test_a_recompute_that_writes_bumps_the_version_after_commit(
    demo, django_capture_on_commit_callbacks
):
    from funding.models import Donor
    from funding.tests.factories import ContributionFactory

    plan = demo["tajikistan-crp-2020"]
    before = pagecache.pages_version()
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.plan_rollup_recompute(plan_id=plan.pk)  # nothing changed
    assert pagecache.pages_version() == before

    ContributionFactory(plan=plan, donor=Donor.objects.get(name="Japan"), amount=Decimal("10"))
    bumped = pagecache.pages_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.plan_rollup_recompute(plan_id=plan.pk)
    assert pagecache.pages_version() == bumped  # not before the commit
    for callback in callbacks:
        callback()
    assert pagecache.pages_version() > bumped

    settled = pagecache.pages_version()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.group_rollups_recompute() > 0
    assert pagecache.pages_version() > settled


def test_content_edits_retire_cached_pages(client, demo, django_capture_on_commit_callbacks):
    plan = demo["tajikistan-crp-2020"]
    client.get("/plans/tajikistan-crp-2020/")
    with django_capture_on_commit_callbacks(execute=True):
        plan.vision_statement = "A renewed vision"
        plan.save(update_fields=["vision_statement"])
    response = client.get("/plans/tajikistan-crp-2020/")
    assert response["X-Page-Cache"] == "miss"
    assert "A renewed vision" in response.content.decode()


def test_signed_in_users_are_never_served_cached_pages(client, demo, superuser):
    client.get("/")
    client.force_login(superuser)
    assert "X-Page-Cache" not in client.get("/")


def test_pages_render_when_the_cache_is_unreachable(client, demo, settings):
    # A cache server on a port where nothing listens: pages must still render.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # (Django's setting_changed receiver rebuilds the cache handlers for the new CACHES.)
    response = client.get("/plans/tajikistan-crp-2020/")
    assert response.status_code == 200
    assert "$1,075,000" in response.content.decode()
    assert "X-Page-Cache" not in response
    # Further reads and bumps leave the unreachable cache alone for a while.
    assert not outages.CACHE.available()
    pagecache.pages_bump()
    assert pagecache.pages_version() == 0
