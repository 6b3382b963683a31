"""Issue 11, item 10: an archived plan's content and money are read-only — through the API, the
admin, restores — until a reviewer un-archives it (the review workflow's "unarchive" step)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Contribution
from plans import services_workflow as workflow
from plans.models import Plan

TJK = "tajikistan-crp-2020"
READ_ONLY = (
    "Tajikistan Crisis Response Plan 2020 is archived: its content and funding are read-only "
    "until a reviewer un-archives it."
)


def _user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def archived(demo):
    return workflow.plan_archive(plan=demo[TJK], actor=_user("reviewer"), comment="Superseded")


def _patch(client, url, body):
    etag = client.get(url)["ETag"]
    return client.patch(url, body, format="json", HTTP_IF_MATCH=etag)


def _messages(response) -> list[str]:
    body = response.json()
    return [m for value in body.values() for m in (value if isinstance(value, list) else [value])]


def test_contribution_patch_onto_an_archived_plan_is_refused(api_client, archived):
    contribution = Contribution.objects.filter(plan=archived).first()
    before = (contribution.amount, contribution.version)
    api_client.force_authenticate(_user("funding"))
    url = f"/api/v1/contributions/{contribution.pk}/"
    response = _patch(api_client, url, {"amount": "1.00"})
    assert response.status_code == 400, response.content
    assert response.json()["plan"] == [READ_ONLY]
    contribution.refresh_from_db()
    assert (contribution.amount, contribution.version) == before


def test_contribution_cannot_move_to_or_from_an_archived_plan(api_client, archived, demo):
    api_client.force_authenticate(_user("funding"))
    elsewhere = Contribution.objects.exclude(plan=archived).first()
    url = f"/api/v1/contributions/{elsewhere.pk}/"
    response = _patch(api_client, url, {"plan": TJK})
    assert response.status_code == 400 and response.json()["plan"] == [READ_ONLY]

    mine = Contribution.objects.filter(plan=archived).first()
    url = f"/api/v1/contributions/{mine.pk}/"
    response = _patch(api_client, url, {"plan": "pakistan-crp-2020-2021"})
    assert response.status_code == 400 and response.json()["plan"] == [READ_ONLY]
    mine.refresh_from_db()
    assert mine.plan_id == archived.pk


def test_contribution_on_an_archived_plan_cannot_be_deleted_or_added(api_client, archived):
    api_client.force_authenticate(_user("funding"))
    contribution = Contribution.objects.filter(plan=archived).first()
    url = f"/api/v1/contributions/{contribution.pk}/"
    response = api_client.delete(url, HTTP_IF_MATCH=api_client.get(url)["ETag"])
    assert response.status_code == 400 and response.json()["plan"] == [READ_ONLY]
    assert Contribution.objects.filter(pk=contribution.pk).exists()
    body = {
        "donor": contribution.donor_id,
        "plan": TJK,
        "amount": "10.00",
        "currency": "USD",
        "status": "paid",
        "contributed_on": "2020-03-01",
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 400 and response.json()["plan"] == [READ_ONLY]


def test_editor_cannot_patch_an_archived_plans_content(api_client, archived):
    api_client.force_authenticate(_user("editor.tjk"))
    objective = archived.objectives.first()
    intervention = objective.interventions.first()
    for url, body in [
        (f"/api/v1/plans/{TJK}/", {"title": "Changed after archiving"}),
        (f"/api/v1/objectives/{objective.pk}/", {"narrative": "Changed after archiving"}),
        (f"/api/v1/interventions/{intervention.pk}/", {"title": "Changed after archiving"}),
        (
            f"/api/v1/interventions/{intervention.pk}/",
            {"requirements": [{"year": 2020, "amount_usd": "1.00"}]},
        ),
    ]:
        response = _patch(api_client, url, body)
        assert response.status_code == 400, (url, response.content)
        assert READ_ONLY in _messages(response)
    archived.refresh_from_db()
    assert archived.title == "Tajikistan Crisis Response Plan 2020"
    assert not archived.objectives.filter(narrative="Changed after archiving").exists()
    assert not archived.objectives.filter(
        interventions__requirements__amount_usd=Decimal("1.00")
    ).exists()


def test_admin_plan_page_of_an_archived_plan_refuses_the_save(client, archived):
    client.force_login(_user("editor.tjk"))
    url = reverse("admin:plans_plan_change", args=[archived.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    data["title"] = ["Changed after archiving"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert READ_ONLY in response.content.decode()
    archived.refresh_from_db()
    assert archived.title == "Tajikistan Crisis Response Plan 2020"


def test_reviewer_unarchives_from_the_admin_and_then_edits_and_money_go_through(
    client, api_client, archived
):
    client.force_login(_user("reviewer"))
    url = reverse("admin:plans_plan_change", args=[archived.pk])
    assert 'value="unarchive"' in client.get(url).content.decode()
    response = client.post(url, {"_transition": "unarchive", "_transition_comment": ""})
    assert response.status_code == 302
    archived.refresh_from_db()
    assert archived.status == Plan.Status.ARCHIVED  # a reason is required
    client.post(url, {"_transition": "unarchive", "_transition_comment": "Figures to correct"})
    archived.refresh_from_db()
    assert archived.status == Plan.Status.PUBLISHED
    assert (
        archived.transitions.get(from_status=Plan.Status.ARCHIVED).comment == "Figures to correct"
    )

    api_client.force_authenticate(_user("funding"))
    contribution = Contribution.objects.filter(plan=archived).first()
    response = _patch(api_client, f"/api/v1/contributions/{contribution.pk}/", {"amount": "1.00"})
    assert response.status_code == 200, response.content


def test_editor_may_not_unarchive(client, archived):
    client.force_login(_user("editor.tjk"))
    url = reverse("admin:plans_plan_change", args=[archived.pk])
    assert 'value="unarchive"' not in client.get(url).content.decode()
    response = client.post(url, {"_transition": "unarchive", "_transition_comment": "please"})
    assert response.status_code == 403
    archived.refresh_from_db()
    assert archived.status == Plan.Status.ARCHIVED
