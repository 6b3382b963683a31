"""Retired catalog entries (strategic objectives, sectors, plan types) stay on the content that
uses them, but a plan starting on or after their retirement date cannot choose them, in the API
and the admin alike, with one message naming the entry and the date (issue 12, item 7)."""

import datetime

import pytest
from django.urls import reverse

from crp_portal.tests.forms import form_data
from interventions.models import Intervention, PlanType, Sector
from interventions.tests.factories import InterventionFactory
from objectives.models import Objective, StrategicObjective
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

RETIRED_ON = datetime.date(2019, 12, 31)


def _refused(entry, year: int = 2020) -> str:
    return (
        f"“{entry}” was retired on 2019-12-31; it cannot be chosen for a plan starting in "
        f"{year} (it stays on the plans that already use it)."
    )


def _retire(model, **lookup):
    entry = model.objects.get(**lookup)
    entry.retired_on = RETIRED_ON
    entry.save(update_fields=["retired_on"])
    return entry


def _draft(year: int = 2020) -> Plan:
    return PlanFactory(status=Plan.Status.DRAFT, start_year=year, end_year=year)


def _patch(api_client, url, body):
    return api_client.patch(url, body, format="json", HTTP_IF_MATCH=api_client.get(url)["ETag"])


def test_the_api_refuses_a_retired_strategic_objective_for_a_later_plan(api_client, editor):
    retired = _retire(StrategicObjective, number=2)
    later, earlier = _draft(2020), _draft(2019)
    api_client.force_authenticate(editor)
    response = api_client.post(
        "/api/v1/objectives/",
        {"plan": later.slug, "strategic_objective": 2},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"strategic_objective": [_refused(retired)]}
    assert not Objective.objects.filter(plan=later).exists()
    assert Plan.objects.get(pk=later.pk).version == later.version
    # A plan that started before the retirement may still choose it.
    response = api_client.post(
        "/api/v1/objectives/",
        {"plan": earlier.slug, "strategic_objective": 2},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_an_objective_keeps_its_retired_strategic_objective_but_cannot_change_to_one(
    api_client, editor
):
    kept = ObjectiveFactory(
        plan=_draft(), strategic_objective=StrategicObjective.objects.get(number=1)
    )
    other = ObjectiveFactory(
        plan=kept.plan, strategic_objective=StrategicObjective.objects.get(number=3)
    )
    retired_first = _retire(StrategicObjective, number=1)
    retired = _retire(StrategicObjective, number=2)
    api_client.force_authenticate(editor)
    response = _patch(api_client, f"/api/v1/objectives/{kept.pk}/", {"narrative": "Still here"})
    assert response.status_code == 200, response.content
    assert response.json()["strategic_objective"]["number"] == retired_first.number
    response = _patch(api_client, f"/api/v1/objectives/{other.pk}/", {"strategic_objective": 2})
    assert response.status_code == 400, response.content
    assert response.json() == {"strategic_objective": [_refused(retired)]}
    assert Objective.objects.get(pk=other.pk).strategic_objective.number == 3


def _intervention_body(objective, **overrides):
    return {
        "objective": objective.pk,
        "title": "Psychosocial support",
        "sector": "mental-health-and-psychosocial-support",
        "requirements": [{"year": 2020, "amount_usd": "150000.00"}],
        **overrides,
    }


def test_the_api_refuses_a_retired_sector_or_plan_type_for_a_later_plan(api_client, editor):
    sector = _retire(Sector, slug="protection")
    plan_type = _retire(PlanType, slug="flash-appeal")
    objective = ObjectiveFactory(plan=_draft())
    api_client.force_authenticate(editor)
    for overrides, errors in [
        ({"sector": "protection"}, {"sector": [_refused(sector)]}),
        ({"plan_types": ["flash-appeal"]}, {"plan_types": [_refused(plan_type)]}),
    ]:
        response = api_client.post(
            "/api/v1/interventions/", _intervention_body(objective, **overrides), format="json"
        )
        assert response.status_code == 400, response.content
        assert response.json() == errors
    assert not Intervention.objects.exists()
    earlier = ObjectiveFactory(plan=_draft(2019))
    response = api_client.post(
        "/api/v1/interventions/",
        _intervention_body(
            earlier,
            sector="protection",
            plan_types=["flash-appeal"],
            requirements=[{"year": 2019, "amount_usd": "1.00"}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.content


def test_an_intervention_keeps_its_retired_sector_and_plan_types(api_client, editor):
    intervention = InterventionFactory(
        objective=ObjectiveFactory(plan=_draft()), sector=Sector.objects.get(slug="protection")
    )
    intervention.plan_types.set([PlanType.objects.get(slug="flash-appeal")])
    _retire(Sector, slug="protection")
    _retire(PlanType, slug="flash-appeal")
    api_client.force_authenticate(editor)
    url = f"/api/v1/interventions/{intervention.pk}/"
    response = _patch(
        api_client,
        url,
        {
            "title": "Renamed",
            "sector": "protection",
            "plan_types": ["flash-appeal", "regional-refugee-and-resilience-plan"],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["sector"]["slug"] == "protection"
    assert Intervention.objects.get(pk=intervention.pk).title == "Renamed"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _admin_post(client, admin_name, obj, **changes):
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    data = form_data(client.get(url).content.decode(), admin_name.split("_")[1] + "_form")
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [str(value)]
    return client.post(url, data)


def test_the_admin_refuses_a_retired_strategic_objective_with_the_same_message(admin_client):
    objective = ObjectiveFactory(
        plan=_draft(), strategic_objective=StrategicObjective.objects.get(number=1)
    )
    retired = _retire(StrategicObjective, number=2)
    response = _admin_post(
        admin_client, "objectives_objective", objective, strategic_objective=retired.pk
    )
    assert response.status_code == 200
    assert _refused(retired) in response.content.decode()
    assert Objective.objects.get(pk=objective.pk).strategic_objective.number == 1
    # Keeping a retired one is fine: the objective under SO 1 stays once SO 1 is retired.
    _retire(StrategicObjective, number=1)
    response = _admin_post(admin_client, "objectives_objective", objective, narrative="Kept")
    assert response.status_code == 302
    assert Objective.objects.get(pk=objective.pk).narrative == "Kept"


def test_the_admin_refuses_a_retired_sector_and_a_move_into_a_later_plan(admin_client):
    sector = _retire(Sector, slug="protection")
    # Another sector named, not the factory's turn: that could be Protection itself, and then
    # choosing it would change nothing (it failed so after other tests made interventions).
    intervention = InterventionFactory(
        objective=ObjectiveFactory(plan=_draft(2020)),
        sector=Sector.objects.get(slug="health-support"),
    )
    response = _admin_post(
        admin_client, "interventions_intervention", intervention, sector=sector.pk
    )
    assert response.status_code == 200
    assert _refused(sector) in response.content.decode()
    assert Intervention.objects.get(pk=intervention.pk).sector_id != sector.pk
    # Its 2019 plan started before the retirement: it keeps the sector, but cannot take it
    # into a plan starting in 2020.
    earlier = InterventionFactory(objective=ObjectiveFactory(plan=_draft(2019)), sector=sector)
    later = ObjectiveFactory(plan=_draft(2020))
    response = _admin_post(admin_client, "interventions_intervention", earlier, objective=later.pk)
    assert response.status_code == 200
    assert _refused(sector) in response.content.decode()
    assert Intervention.objects.get(pk=earlier.pk).objective.plan_id != later.plan_id
