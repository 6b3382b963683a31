"""One write path (issue 10): the admin and the API change the same things through the same
services, so a broken rule says the same words in both, nothing is half-written, and a page
save is one version of its plan."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Contribution, Requirement
from funding.tests.factories import ContributionFactory
from interventions.models import Intervention
from objectives.models import Objective
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan

PAK = "pakistan-crp-2020-2021"
TJK = "tajikistan-crp-2020"
PERIOD_RULE = "Year 2021 is outside the plan's period 2020."


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def pak_page(client, demo):
    client.force_login(_user("editor.pak"))
    return client


@pytest.fixture
def pak_api(api_client, demo):
    api_client.force_authenticate(_user("editor.pak"))
    return api_client


def _page_post(client, url, form_id, **changes):
    data = form_data(client.get(url).content.decode(), form_id)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    data["_continue"] = ["Save and continue editing"]
    return client.post(url, data)


def _text(response) -> str:
    return unescape(response.content.decode())


def test_shrinking_a_plan_past_its_years_says_the_same_in_the_admin_and_the_api(
    pak_page, pak_api, demo
):
    plan = demo[PAK]
    before = Plan.objects.get(pk=plan.pk).version

    page = _page_post(
        pak_page, reverse("admin:plans_plan_change", args=[plan.pk]), "plan_form", end_year="2020"
    )
    assert page.status_code == 200
    assert PERIOD_RULE in _text(page)

    url = f"/api/v1/plans/{PAK}/"
    etag = pak_api.get(url)["ETag"]
    api = pak_api.patch(url, {"end_year": 2020}, format="json", HTTP_IF_MATCH=etag)
    assert api.status_code == 400
    assert PERIOD_RULE in str(api.json())

    plan.refresh_from_db()
    assert (plan.end_year, plan.version) == (2021, before)  # neither wrote anything


def test_a_plan_page_save_is_one_version_however_many_rows_change(pak_page, demo):
    plan = demo[PAK]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(pak_page.get(url).content.decode(), "plan_form")
    before = Plan.objects.get(pk=plan.pk).version
    vision = [k for k in data if k == "vision_statement"]
    # The plan page's rows: its objectives (interventions are edited on their own pages).
    texts = [k for k in data if k.startswith("objectives-") and k.endswith("-people_description")]
    assert vision and len(texts) >= 2
    data["vision_statement"] = ["A changed vision"]
    for key in texts:
        data[key] = [data[key][0] + " (revised)"]
    data["_continue"] = ["Save and continue editing"]
    assert pak_page.post(url, data).status_code == 302

    plan.refresh_from_db()
    assert plan.version == before + 1
    assert plan.vision_statement == "A changed vision"
    revised = Objective.objects.filter(plan=plan, people_description__endswith="(revised)")
    assert revised.count() == len(texts)
    assert plan.history.filter(version=before + 1).count() == 1  # one record of the plan


def test_a_refused_page_save_writes_nothing_and_keeps_what_was_typed(pak_page, demo):
    plan = demo[PAK]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(pak_page.get(url).content.decode(), "plan_form")
    text_key = next(k for k in data if k.startswith("objectives-") and k.endswith("-narrative"))
    data[text_key] = ["Typed before the refusal"]
    data["end_year"] = ["2020"]  # the service refuses: Pakistan has 2021 figures
    response = pak_page.post(url, data)
    assert response.status_code == 200
    assert "Typed before the refusal" in _text(response)  # the page shows what was typed
    assert not Objective.objects.filter(narrative="Typed before the refusal").exists()


def test_deleting_an_intervention_with_money_is_refused_alike_on_its_page_and_in_bulk(client, demo):
    plan = demo[TJK]
    intervention = Intervention.objects.filter(objective__plan=plan).first()
    ContributionFactory(plan=plan, objective=intervention.objective, intervention=intervention)
    client.force_login(_user("editor.tjk"))
    message = f"Intervention “{intervention.title}” has contributions earmarked to it"

    page = client.post(
        reverse("admin:interventions_intervention_delete", args=[intervention.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert message in _text(page)

    bulk = client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "delete_selected", "_selected_action": [intervention.pk], "post": "yes"},
        follow=True,
    )
    assert message in _text(bulk)
    assert Intervention.objects.filter(pk=intervention.pk).exists()


def test_bulk_delete_goes_through_the_services_and_makes_open_pages_stale(client, demo):
    plan = demo[TJK]
    objective = ObjectiveFactory(plan=plan)
    client.force_login(_user("editor.tjk"))
    before = Plan.objects.get(pk=plan.pk).version
    client.post(
        reverse("admin:objectives_objective_changelist"),
        {"action": "delete_selected", "_selected_action": [objective.pk], "post": "yes"},
    )
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert Plan.objects.get(pk=plan.pk).version == before + 1
    assert plan.history.first().history_change_reason.startswith("Objective deleted")


def test_an_earmark_to_another_plan_says_the_same_in_the_admin_and_the_api(
    client, api_client, demo
):
    contribution = Contribution.objects.filter(plan=demo[TJK]).first()
    elsewhere = Objective.objects.filter(plan=demo[PAK]).first()
    message = "This objective belongs to another plan."
    client.force_login(_user("admin"))
    page = _page_post(
        client,
        reverse("admin:funding_contribution_change", args=[contribution.pk]),
        "contribution_form",
        objective=str(elsewhere.pk),
        intervention="",
    )
    assert page.status_code == 200
    assert message in _text(page)

    api_client.force_authenticate(_user("funding"))
    url = f"/api/v1/contributions/{contribution.pk}/"
    etag = api_client.get(url)["ETag"]
    body = {"objective": elsewhere.pk, "intervention": None}
    api = api_client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert api.status_code == 400
    assert api.json()["objective"] == [message]
    assert Contribution.objects.get(pk=contribution.pk).objective_id == contribution.objective_id


def test_an_api_intervention_write_with_requirements_is_one_version(demo, api_client):
    plan = demo[TJK]
    intervention = Intervention.objects.filter(objective__plan=plan).first()
    api_client.force_authenticate(_user("editor.tjk"))
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = api_client.get(url)["ETag"]
    before = Plan.objects.get(pk=plan.pk).version
    response = api_client.patch(
        url,
        {"title": "Retitled", "requirements": [{"year": 2020, "amount_usd": "123.45"}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert Plan.objects.get(pk=plan.pk).version == before + 1
    assert list(
        Requirement.objects.filter(intervention=intervention).values_list("amount_usd", flat=True)
    ) == [Decimal("123.45")]


def test_a_refused_requirement_leaves_the_title_unwritten(demo, api_client):
    plan = demo[TJK]
    intervention = Intervention.objects.filter(objective__plan=plan).first()
    api_client.force_authenticate(_user("editor.tjk"))
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = api_client.get(url)["ETag"]
    response = api_client.patch(
        url,
        {"title": "Never saved", "requirements": [{"year": 2031, "amount_usd": "1.00"}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert "Year 2031 is outside the plan's period 2020." in str(response.json())
    assert Intervention.objects.get(pk=intervention.pk).title != "Never saved"


def test_the_demo_command_says_the_same_when_a_seed_breaks_the_rule(demo):
    """load_demo writes through the same services: a seed shrunk past its figures is refused
    with the admin's and the API's words, and nothing of it is written."""
    import json

    from django.core.exceptions import ValidationError

    from demo import loader

    data = json.loads((loader.SEEDS / "pakistan_crp_2020_2021.json").read_text())
    data["end_year"] = 2020
    with pytest.raises(ValidationError) as refused:
        loader._load_plan(data, actor=_user("admin"))
    assert PERIOD_RULE in str(refused.value)
