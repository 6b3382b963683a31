"""Bad input to the partner API is a 400 that says why, never a 500 (issue 11, items 5 and 7):
JSON nested too deep or too large; `format` never leaks into a resource's URL; the answer cache
never serves one host's absolute URLs to another."""

from __future__ import annotations

import pytest

from crp_portal.api.parsers import MAX_BYTES, MAX_DEPTH
from funding.models import Contribution
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(api_client):
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    api_client.force_authenticate(user)
    return user


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"donor": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
    ],
    ids=["lists-100000-deep", "objects-100000-deep", "just-too-deep"],
)
def test_a_deeply_nested_body_is_a_400(api_client, officer, body):
    PlanFactory(slug="tjk")
    response = api_client.post("/api/v1/contributions/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert f"deeper than {MAX_DEPTH}" in response.json()["detail"]
    assert not Contribution.objects.exists()


def test_a_body_too_large_is_a_400(api_client, officer):
    body = '{"reference": "' + "x" * MAX_BYTES + '"}'
    response = api_client.post("/api/v1/contributions/", body, content_type="application/json")
    assert response.status_code == 400
    assert f"larger than {MAX_BYTES} bytes" in response.json()["detail"]


@pytest.mark.parametrize("body", ['{"amount": NaN}', "{", b'{"a": "\xff"}'])
def test_broken_json_is_a_400(api_client, officer, body):
    response = api_client.post("/api/v1/contributions/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_an_ordinary_body_still_parses(api_client, officer):
    from funding.tests.factories import DonorFactory

    PlanFactory(slug="tjk")
    body = {
        "donor": DonorFactory().pk,
        "plan": "tjk",
        "amount": "10.00",
        "currency": "USD",
        "status": "paid",
        "contributed_on": "2020-02-01",
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 201, response.content


PAK = "pakistan-crp-2020-2021"


@pytest.mark.parametrize("query", ["?format=json", "?format=json&country=PAK", ""])
def test_format_never_leaks_into_a_plans_url(api_client, demo, query):
    listed = api_client.get(f"/api/v1/plans/{query}").json()["results"]
    urls = {p["slug"]: p["url"] for p in listed}
    assert urls[PAK] == f"http://testserver/api/v1/plans/{PAK}/"
    detail = api_client.get(f"/api/v1/plans/{PAK}/{query}").json()
    assert detail["url"] == f"http://testserver/api/v1/plans/{PAK}/"


def test_the_answer_cache_is_keyed_by_scheme_and_host(api_client, demo):
    url = f"/api/v1/plans/{PAK}/"
    first = api_client.get(url, HTTP_HOST="localhost")
    assert first.json()["url"] == f"http://localhost/api/v1/plans/{PAK}/"
    assert api_client.get(url, HTTP_HOST="localhost")["X-Answer-Cache"] == "hit"
    other = api_client.get(url, HTTP_HOST="127.0.0.1")
    assert other["X-Answer-Cache"] == "miss"
    assert other.json()["url"] == f"http://127.0.0.1/api/v1/plans/{PAK}/"
    secure = api_client.get(url, HTTP_HOST="localhost", secure=True)
    assert secure["X-Answer-Cache"] == "miss"
    assert secure.json()["url"] == f"https://localhost/api/v1/plans/{PAK}/"
    listed = api_client.get("/api/v1/plans/", HTTP_HOST="127.0.0.1").json()["results"]
    assert {p["url"].split("/")[2] for p in listed} == {"127.0.0.1"}
