"""Issue 14, item 1: a plan entered and taken through its workflow through the API alone."""

import pytest

from plans.models import Plan, PlanTransition
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db

NEW_PLAN = {
    "slug": "tjk-crp-2030",
    "title": "Tajikistan CRP 2030-2031",
    "kind": "country",
    "countries": ["TJK"],
    "start_year": 2030,
    "end_year": 2031,
    "vision_statement": "Safe and dignified migration.",
    "years": [
        {"year": 2030, "people_in_need": 120000, "people_targeted": 45000},
        {"year": 2031, "people_in_need": 90000, "people_targeted": 30000, "entities_targeted": 12},
    ],
}


def _post(client, path, body=None, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.post(path, body or {}, format="json", **headers)


def test_editor_creates_a_draft_plan_with_its_years_and_people_figures(api_client, editor):
    api_client.force_authenticate(editor)
    response = _post(api_client, "/api/v1/plans/", NEW_PLAN)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"].startswith('"v')
    assert (body["slug"], body["status"], body["countries"]) == (
        "tjk-crp-2030",
        "draft",
        [{"code": "TJK", "name": "Tajikistan"}],
    )
    assert [
        (y["year"], y["people_in_need"], y["people_targeted"], y["entities_targeted"])
        for y in body["years"]
    ] == [(2030, 120000, 45000, None), (2031, 90000, 30000, 12)]
    assert body["funding_required"] is None  # not yet costed: null, never "0.00"
    # A PATCH shrinks the period and its years in one write.
    response = api_client.patch(
        "/api/v1/plans/tjk-crp-2030/",
        {"end_year": 2030, "years": [{"year": 2030, "people_in_need": 100000}]},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 200, response.content
    assert [(y["year"], y["people_in_need"]) for y in response.json()["years"]] == [(2030, 100000)]


def test_plan_create_refuses_countries_the_editor_does_not_edit_and_bad_years(api_client, editor):
    api_client.force_authenticate(editor)
    response = _post(api_client, "/api/v1/plans/", {**NEW_PLAN, "countries": ["TJK", "PAK"]})
    assert response.status_code == 400
    assert response.json() == {"countries": ["You are not an editor for Pakistan."]}
    response = _post(api_client, "/api/v1/plans/", {**NEW_PLAN, "years": [{"year": 2040}]})
    assert response.status_code == 400
    assert response.json() == {"year": ["Year 2040 is outside the plan's period 2030–2031."]}
    assert not Plan.objects.filter(slug__startswith="tjk-crp-2030").exists()  # nothing half-made
    api_client.force_authenticate(None)
    assert _post(api_client, "/api/v1/plans/", NEW_PLAN).status_code in (401, 403)


def test_writes_take_json_only(api_client, editor):
    api_client.force_authenticate(editor)
    response = api_client.post("/api/v1/plans/", {"slug": "x"}, format="multipart")
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_submit_publish_return_and_archive_follow_the_admin_rules(api_client, editor):
    reviewer = UserFactory(username="reviewer-tjk")
    assign(reviewer, Role.REVIEWER, "TJK")
    PlanFactory(slug="tjk", title="Tajikistan CRP", status=Plan.Status.DRAFT)
    api_client.force_authenticate(editor)
    etag = api_client.get("/api/v1/plans/tjk/")["ETag"]
    assert _post(api_client, "/api/v1/plans/tjk/submit/").status_code == 428
    response = _post(api_client, "/api/v1/plans/tjk/publish/", etag=etag)
    assert response.status_code == 403  # an editor does not publish
    response = _post(api_client, "/api/v1/plans/tjk/submit/", etag=etag)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    api_client.force_authenticate(reviewer)
    stale = _post(api_client, "/api/v1/plans/tjk/publish/", etag=etag)
    assert stale.status_code == 412 and stale.json()["current_version"] > 1
    etag = response["ETag"]
    refused = _post(api_client, "/api/v1/plans/tjk/return/", {"comment": " "}, etag=etag)
    assert refused.status_code == 400
    assert refused.json() == {"comment": ["Say what the editors should change."]}
    response = _post(api_client, "/api/v1/plans/tjk/return/", {"comment": "Fix 2021"}, etag=etag)
    assert response.json()["status"] == "draft"
    response = _post(api_client, "/api/v1/plans/tjk/archive/", etag=response["ETag"])
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Tajikistan CRP is draft; this step needs it to be published."]
    }
    assert list(
        PlanTransition.objects.filter(plan__slug="tjk")
        .order_by("at", "id")
        .values_list("to_status", "comment")
    ) == [("in_review", ""), ("draft", "Fix 2021")]
