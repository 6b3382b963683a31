"""An intervention of a multi-country plan may name the country it is in, one of its plan's
(issue 12, item 3); a plan covering several countries says it is regional."""

import pytest

from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional_objective():
    plan = PlanFactory(status=Plan.Status.DRAFT, countries=["AFG", "IRN"])
    return ObjectiveFactory(plan=plan)


@pytest.fixture
def regional_editor():
    user = UserFactory(username="editor-afg-irn")
    assign(user, Role.EDITOR, "AFG", "IRN")
    return user


def _post(api_client, objective, country):
    body = {
        "objective": objective.pk,
        "title": "Cross-border returns",
        "sector": "mental-health-and-psychosocial-support",
        "country": country,
        "requirements": [{"year": 2020, "amount_usd": "1000.00"}],
    }
    return api_client.post("/api/v1/interventions/", body, format="json")


def test_an_intervention_names_one_of_its_plans_countries(
    api_client, regional_objective, regional_editor
):
    api_client.force_authenticate(regional_editor)
    response = _post(api_client, regional_objective, "AFG")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "AFG"


def test_a_country_outside_the_plan_is_refused_in_words(
    api_client, regional_objective, regional_editor
):
    api_client.force_authenticate(regional_editor)
    response = _post(api_client, regional_objective, "PAK")
    assert response.status_code == 400, response.content
    message = response.json()["country"][0]
    assert "Pakistan" in message and "not one of this plan's countries" in message
    assert "Afghanistan" in message and "Iran" in message
    assert not regional_objective.interventions.exists()


def test_a_plan_of_several_countries_is_regional_in_the_api(api_client, regional_editor):
    regional = PlanFactory(countries=["AFG", "IRN"])
    single = PlanFactory(countries=["TJK"])
    answers = {
        plan.slug: api_client.get(f"/api/v1/plans/{plan.slug}/").json()["is_regional"]
        for plan in (regional, single)
    }
    assert answers == {regional.slug: True, single.slug: False}
