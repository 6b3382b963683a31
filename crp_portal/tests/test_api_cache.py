"""The shared answer cache of the partner API: anonymous JSON reads are stored until anything
they may show changes; throttles still count; signed-in clients are never served from it."""

from __future__ import annotations

from decimal import Decimal

from funding.models import Contribution
from funding.tests.factories import ContributionFactory

URL = "/api/v1/plans/tajikistan-crp-2020/"


def test_an_anonymous_read_is_stored_and_served_without_queries(
    api_client, demo, django_assert_num_queries
):
    first = api_client.get(URL)
    assert first["X-Answer-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = api_client.get(URL)
    assert second["X-Answer-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and second["ETag"].startswith('"v')
    assert second["Last-Modified"] == first["Last-Modified"]
    assert api_client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_each_query_and_accept_header_is_its_own_answer(api_client, demo):
    api_client.get("/api/v1/plans/?country=TJK")
    other = api_client.get("/api/v1/plans/?country=PAK")
    assert other["X-Answer-Cache"] == "miss"
    assert [p["slug"] for p in other.json()["results"]] == ["pakistan-crp-2020-2021"]
    assert api_client.get(URL, HTTP_ACCEPT="text/csv")["X-Answer-Cache"] == "miss"


def test_a_change_retires_stored_answers_once_committed(
    api_client, demo, django_capture_on_commit_callbacks
):
    before = api_client.get("/api/v1/contributions/?plan=tajikistan-crp-2020").json()["count"]
    with django_capture_on_commit_callbacks(execute=True):
        ContributionFactory(plan=demo["tajikistan-crp-2020"], amount=Decimal("10.00"))
    response = api_client.get("/api/v1/contributions/?plan=tajikistan-crp-2020")
    assert response["X-Answer-Cache"] == "miss"
    assert (
        response.json()["count"]
        == before + 1
        == Contribution.objects.filter(plan=demo["tajikistan-crp-2020"]).count()
    )


def test_signed_in_clients_and_exports_are_never_served_from_it(api_client, demo, superuser):
    api_client.get(URL)
    assert "X-Answer-Cache" not in api_client.get("/api/v1/plans/?format=csv")
    api_client.force_authenticate(superuser)
    assert "X-Answer-Cache" not in api_client.get(URL)


def test_throttles_count_answers_from_the_cache(api_client, demo, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/h", "partner": None}
    assert api_client.get(URL).status_code == 200
    assert api_client.get(URL)["X-Answer-Cache"] == "hit"
    assert api_client.get(URL).status_code == 429
