"""Issue 11, item 12: a write body with a field the endpoint does not write — read-only (status,
version, slug, countries, amount_usd, id, ...) or unknown — is a 400 naming each such field, and
nothing is written; a body of writable fields alone still goes through."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from funding.models import Contribution
from plans.models import Plan

TJK = "tajikistan-crp-2020"
READ_ONLY = ["This field is read-only; it cannot be written here."]
UNKNOWN = ["Unknown field."]


def _client(api_client, username):
    api_client.force_authenticate(get_user_model().objects.get(username=username))
    return api_client


def _patch(client, url, body):
    return client.patch(url, body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])


def test_plan_patch_naming_read_only_fields_is_400_and_writes_nothing(api_client, demo):
    client = _client(api_client, "editor.tjk")
    plan = demo[TJK]
    url = f"/api/v1/plans/{TJK}/"
    response = _patch(
        client,
        url,
        {
            "title": "Renamed",
            "status": "published",
            "version": 99,
            "slug": "hijacked",
            "countries": ["PAK"],
            "id": 1,
            "funding_required": "1.00",
            "colour": "red",
        },
    )
    assert response.status_code == 400, response.content
    body = response.json()
    # countries are writable (POST/PATCH plans, issue 14); the rest are read-only.
    for name in ("status", "version", "slug", "id", "funding_required"):
        assert body[name] == READ_ONLY, name
    assert body["colour"] == UNKNOWN
    assert "title" not in body
    fresh = Plan.objects.get(pk=plan.pk)
    assert (fresh.title, fresh.slug, fresh.version) == (plan.title, plan.slug, plan.version)

    assert _patch(client, url, {"title": "Renamed"}).status_code == 200


def test_contribution_patch_with_amount_usd_is_400(api_client, demo):
    client = _client(api_client, "funding")
    contribution = Contribution.objects.filter(plan=demo[TJK]).first()
    url = f"/api/v1/contributions/{contribution.pk}/"
    # units_per_usd is writable since issue 13 (the agreement's rate, for those who may set rates).
    response = _patch(client, url, {"amount_usd": "1.00", "units_per_usd": "9", "id": 5})
    assert response.status_code == 400, response.content
    assert response.json() == {"amount_usd": READ_ONLY, "id": READ_ONLY}
    fresh = Contribution.objects.get(pk=contribution.pk)
    assert (fresh.amount_usd, fresh.version) == (contribution.amount_usd, contribution.version)
    assert _patch(client, url, {"reference": "checked"}).status_code == 200


def test_objective_and_intervention_bodies_name_their_dropped_fields(api_client, demo):
    client = _client(api_client, "editor.tjk")
    objective = demo[TJK].objectives.first()
    intervention = objective.interventions.first()
    response = _patch(client, f"/api/v1/objectives/{objective.pk}/", {"interventions": []})
    assert response.status_code == 400 and response.json() == {"interventions": READ_ONLY}

    url = f"/api/v1/interventions/{intervention.pk}/"
    response = _patch(client, url, {"plan": "pakistan-crp-2020-2021", "title": "Moved"})
    assert response.status_code == 400 and response.json() == {"plan": READ_ONLY}
    body = {"requirements": [{"year": 2020, "funding_required": "5.00"}]}
    response = _patch(client, url, body)
    assert response.status_code == 400, response.content
    assert response.json() == {"requirements": {"0": {"funding_required": READ_ONLY}}}
    intervention.refresh_from_db()
    assert intervention.objective_id == objective.pk and intervention.title != "Moved"
    assert not intervention.requirements.filter(amount_usd=0).exists()


@pytest.mark.parametrize("extra", [{"amount_usd": "5.00"}, {"nonsense": 1}])
def test_contribution_post_with_a_field_it_does_not_write_is_400(api_client, demo, extra):
    client = _client(api_client, "funding")
    before = Contribution.objects.count()
    body = {
        "donor": Contribution.objects.first().donor_id,
        "plan": TJK,
        "amount": "10.00",
        "currency": "USD",
        "status": "paid",
        "contributed_on": "2020-03-01",
        **extra,
    }
    response = client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == list(extra)
    assert Contribution.objects.count() == before
