import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from crp_portal.api.throttling import throttle_key
from partners import services
from partners.models import ApiToken, Deletion, token_hash
from plans.models import Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_authenticates(api_client, partner):
    token, secret = services.api_token_create(user=partner, name="sync")
    assert secret not in (token.hashed_secret, token.prefix)
    assert token.hashed_secret == token_hash(secret)
    response = api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_or_wrong_token_is_refused(api_client, partner):
    token, secret = services.api_token_create(user=partner, name="sync")
    bad = secret[:-2] + "xx"
    assert api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {bad}").status_code == 401
    services.api_token_revoke(token=token)
    assert api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401
    assert api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Token nonsense").status_code == 401


def test_anonymous_throttled_lower_than_tokens(api_client, partner, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/hour", "partner": "5/hour"}
    now = time.time()
    # The cache (Redis in CI) outlives test databases: start from empty counters.
    cache.delete_many([throttle_key("anon", "127.0.0.1", now, 3600)])
    cache.delete_many([throttle_key("partner", str(partner.pk), now, 3600)])
    codes = [api_client.get("/api/v1/regions/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # A forged X-Forwarded-For does not reset the count.
    forged = api_client.get("/api/v1/regions/", HTTP_X_FORWARDED_FOR="10.9.8.7")
    assert forged.status_code == 429 and "Retry-After" in forged
    _token, secret = services.api_token_create(user=partner, name="sync")
    auth = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    codes = [api_client.get("/api/v1/regions/", **auth).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_admin_shows_the_secret_once_and_revokes(client, superuser, partner, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client.force_login(superuser)
    response = client.post(
        reverse("admin:partners_apitoken_add"), {"name": "ReliefWeb", "user": partner.pk}
    )
    assert response.status_code == 200  # the secret is in this page's body (test_token_admin)
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert token.hashed_secret == token_hash(secret)
    page = client.get(reverse("admin:partners_apitoken_change", args=[token.pk]))
    assert secret not in page.content.decode()
    client.post(
        reverse("admin:partners_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_deletions_feed_lists_deleted_and_withdrawn_plans(api_client, superuser):
    from django.utils import timezone

    gone = PlanFactory(slug="gone", published_at=timezone.now())
    withdrawn = PlanFactory(slug="withdrawn", published_at=timezone.now())
    past = PlanFactory(slug="past", published_at=timezone.now())
    secret_draft = PlanFactory(slug="secret-draft", status=Plan.Status.DRAFT)
    gone.delete()
    secret_draft.delete()
    withdrawn.status = Plan.Status.WITHDRAWN
    withdrawn.save()
    withdrawn.save()  # a second save records nothing new
    past.status = Plan.Status.ARCHIVED  # a past plan stays public: no tombstone
    past.save()
    body = api_client.get("/api/v1/deletions/?kind=plan").json()
    assert sorted((d["lookup"], d["reason"]) for d in body["results"]) == [
        ("gone", "deleted"),
        ("withdrawn", "withdrawn"),
    ]
    api_client.force_authenticate(superuser)
    lookups = {d["lookup"] for d in api_client.get("/api/v1/deletions/").json()["results"]}
    assert "secret-draft" in lookups
    assert Deletion.objects.filter(kind="objective").count() == 0
