"""A contribution is dated within its plan's years (issue 11, item 6): 0001-01-01 or 9999-12-31
made "by year" groups of years 1 and 9999 and a plan's years stopped adding up to its total.
The admin, the API and a plan whose period shrinks all say it in the period rule's words."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Contribution
from funding.tests.factories import ContributionFactory, DonorFactory
from plans import services as plan_services
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(api_client):
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    api_client.force_authenticate(user)
    return user


def _body(**overrides) -> dict:
    return {
        "donor": DonorFactory().pk,
        "plan": "tjk",
        "amount": "1000.00",
        "currency": "USD",
        "status": "paid",
        "contributed_on": "2020-06-01",
        **overrides,
    }


@pytest.mark.parametrize(
    ("on", "year"), [("0001-01-01", 1), ("9999-12-31", 9999), ("2019-12-31", 2019)]
)
def test_a_contribution_dated_outside_the_plan_is_a_400(api_client, officer, on, year):
    PlanFactory(slug="tjk", start_year=2020, end_year=2021)
    response = api_client.post("/api/v1/contributions/", _body(contributed_on=on), format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "contributed_on": [f"Year {year} is outside the plan's period 2020–2021."]
    }
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("on", ["2020-01-01", "2021-12-31"])
def test_the_first_and_last_day_of_the_period_are_accepted(api_client, officer, on):
    PlanFactory(slug="tjk", start_year=2020, end_year=2021)
    response = api_client.post("/api/v1/contributions/", _body(contributed_on=on), format="json")
    assert response.status_code == 201, response.content


def test_a_correction_dated_outside_the_plan_is_a_400(api_client, officer):
    contribution = ContributionFactory(plan=PlanFactory(slug="tjk"))
    url = f"/api/v1/contributions/{contribution.pk}/"
    etag = api_client.get(url)["ETag"]
    response = api_client.patch(
        url, {"contributed_on": "9999-12-31"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"contributed_on": ["Year 9999 is outside the plan's period 2020."]}
    contribution.refresh_from_db()
    assert contribution.contributed_on == datetime.date(2020, 3, 1)


def test_the_admin_says_the_same(admin_client, demo):
    contribution = Contribution.objects.filter(plan=demo["tajikistan-crp-2020"]).first()
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    data = form_data(admin_client.get(url).content.decode(), "contribution_form")
    response = admin_client.post(url, {**data, "contributed_on": ["2099-06-01"]})
    assert response.status_code == 200
    assert "Year 2099 is outside the plan&#x27;s period 2020." in response.content.decode()
    assert Contribution.objects.get(pk=contribution.pk).version == 1


def test_a_plan_period_cannot_shrink_past_its_contributions(superuser):
    plan = PlanFactory(slug="tjk", start_year=2020, end_year=2021)
    ContributionFactory(plan=plan, contributed_on=datetime.date(2021, 5, 1))
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_update(plan=plan, actor=superuser, end_year=2020)
    assert refused.value.message_dict == {
        "end_year": ["Year 2021 is outside the plan's period 2020."]
    }
    plan.refresh_from_db()
    assert plan.end_year == 2021
