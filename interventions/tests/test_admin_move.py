"""Moving an intervention in the admin takes its earmarked money along, through the service."""

from decimal import Decimal

from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Currency
from funding.tests.factories import ContributionFactory, RequirementFactory
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.tests.factories import PlanFactory


def _move(client, intervention, objective):
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = form_data(client.get(url).content.decode(), "intervention_form")
    data["objective"] = [str(objective.pk)]
    return client.post(url, data)


def test_moving_an_intervention_moves_its_earmarked_contributions(client, superuser):
    intervention = InterventionFactory()
    target = ObjectiveFactory(plan=PlanFactory())
    contribution = ContributionFactory(
        plan=intervention.objective.plan,
        intervention=intervention,
        currency=Currency.objects.get(code="USD"),
        amount=Decimal("10.00"),
    )
    client.force_login(superuser)
    assert _move(client, intervention, target).status_code == 302
    contribution.refresh_from_db()
    assert (contribution.plan_id, contribution.objective_id) == (target.plan_id, target.pk)


def test_a_move_outside_the_plans_years_is_refused_with_a_message(client, superuser):
    intervention = InterventionFactory()
    RequirementFactory(intervention=intervention, year=2020)
    target = ObjectiveFactory(plan=PlanFactory(start_year=2024, end_year=2024))
    client.force_login(superuser)
    response = _move(client, intervention, target)
    assert response.status_code == 200
    assert "Year 2020 is outside the plan&#x27;s period 2024." in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.objective.plan_id != target.plan_id


def test_an_api_move_takes_the_earmarked_money_along_as_the_admin_does(api_client, superuser):
    intervention = InterventionFactory()
    target = ObjectiveFactory(plan=PlanFactory())
    contribution = ContributionFactory(
        plan=intervention.objective.plan,
        intervention=intervention,
        currency=Currency.objects.get(code="USD"),
        amount=Decimal("10.00"),
    )
    api_client.force_authenticate(superuser)
    url = f"/api/v1/interventions/{intervention.pk}/"
    response = api_client.patch(
        url, {"objective": target.pk}, format="json", HTTP_IF_MATCH=api_client.get(url)["ETag"]
    )
    assert response.status_code == 200, response.content
    contribution.refresh_from_db()
    assert (contribution.plan_id, contribution.objective_id) == (target.plan_id, target.pk)
    intervention.refresh_from_db()
    assert intervention.objective_id == target.pk
