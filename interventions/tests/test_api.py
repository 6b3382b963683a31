import pytest

from funding.models import Requirement
from funding.services import plan_rollup_recompute
from interventions.models import Intervention, PlanType
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _body(target, **overrides):
    body = {
        "objective": target.pk,
        "title": "Psychosocial support",
        "sector": "mental-health-and-psychosocial-support",
        "activities": ["Train counsellors", "Run hotlines"],
        "requirements": [{"year": 2020, "amount_usd": "150000.00"}],
    }
    body.update(overrides)
    return body


def test_editor_creates_an_intervention_with_requirements(
    api_client, editor, django_capture_on_commit_callbacks
):
    objective = ObjectiveFactory(plan=PlanFactory(status=Plan.Status.DRAFT))
    plan_rollup_recompute(plan_id=objective.plan_id)  # a clean plan: the next edit enqueues
    api_client.force_authenticate(editor)
    with django_capture_on_commit_callbacks(execute=True):  # the rollup runs on commit
        response = api_client.post("/api/v1/interventions/", _body(objective), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [a["text"] for a in body["activities"]] == ["Train counsellors", "Run hotlines"]
    assert body["requirements"] == [{"year": 2020, "funding_required": "150000.00"}]
    detail = api_client.get(f"/api/v1/interventions/{body['id']}/")
    assert detail.json()["funding_required"] == "150000.00"
    response = api_client.patch(
        f"/api/v1/interventions/{body['id']}/",
        {"requirements": [{"year": 2020, "amount_usd": "1.50"}]},
        format="json",
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert response.status_code == 200, response.content
    assert Requirement.objects.get().amount_usd == 1.5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requirements": [{"year": 2031, "amount_usd": "5"}]}, "requirements"),
        ({"requirements": [{"year": 2020, "amount_usd": "-5"}]}, "requirements"),
        ({"requirements": [{"year": 2020, "amount_usd": "x"}]}, "requirements"),
        ({"sector": "astrology"}, "sector"),
        ({"title": "t" * 301}, "title"),
        ({"objective": 99999}, "objective"),
        ({"people_targeted": -1}, "people_targeted"),
    ],
)
def test_bad_intervention_is_a_400_and_nothing_half_written(api_client, editor, overrides, field):
    objective = ObjectiveFactory(plan=PlanFactory())
    api_client.force_authenticate(editor)
    response = api_client.post(
        "/api/v1/interventions/", _body(objective, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Intervention.objects.count() == 0 and Requirement.objects.count() == 0


def test_other_countries_editor_cannot_write(api_client, pak_editor):
    objective = ObjectiveFactory(plan=PlanFactory())
    api_client.force_authenticate(pak_editor)
    response = api_client.post("/api/v1/interventions/", _body(objective), format="json")
    assert response.status_code == 403
    assert Intervention.objects.count() == 0


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(i["title"] for i in response.json()["results"])


def test_interventions_filter_by_sector_and_plan_type(demo, api_client):
    """Each filter keeps exactly the matching rows: the demo's ten interventions span nine
    sectors, and plan types are given here to three of them."""
    everything = _titles(api_client.get("/api/v1/interventions/"))
    assert len(everything) == 10

    assert _titles(api_client.get("/api/v1/interventions/?sector=displacement-tracking")) == [
        "Displacement tracking"
    ]
    movement = [
        "Voluntary humanitarian return assistance",
        "Voluntary return and reintegration of Afghan nationals",
    ]
    assert _titles(api_client.get("/api/v1/interventions/?sector=movement-assistance")) == movement
    assert _titles(
        api_client.get(
            "/api/v1/interventions/?sector=movement-assistance&sector=displacement-tracking"
        )
    ) == sorted([*movement, "Displacement tracking"])

    flash, inside = (
        PlanType.objects.get(slug="flash-appeal"),
        PlanType.objects.get(slug="within-an-inter-agency-humanitarian-response-plan"),
    )
    by_title = {i.title: i for i in Intervention.objects.all()}
    by_title["Displacement tracking"].plan_types.set([flash, inside])
    by_title["Voluntary humanitarian return assistance"].plan_types.set([flash])
    by_title["Emergency preparedness"].plan_types.set([inside])
    assert _titles(api_client.get("/api/v1/interventions/?plan_type=flash-appeal")) == [
        "Displacement tracking",
        "Voluntary humanitarian return assistance",
    ]
    both = "/api/v1/interventions/?plan_type=flash-appeal&plan_type=" + inside.slug
    assert _titles(api_client.get(both)) == [  # each once, though one matches twice
        "Displacement tracking",
        "Emergency preparedness",
        "Voluntary humanitarian return assistance",
    ]
    assert _titles(
        api_client.get("/api/v1/interventions/?sector=movement-assistance&plan_type=flash-appeal")
    ) == ["Voluntary humanitarian return assistance"]

    assert api_client.get("/api/v1/interventions/?sector=nope").status_code == 400
    assert api_client.get("/api/v1/interventions/?plan_type=nope").status_code == 400


def test_objectives_filter_by_target_group(demo, api_client):
    def keys(query):
        response = api_client.get("/api/v1/objectives/" + query)
        assert response.status_code == 200, response.content
        return sorted(
            (o["plan"], o["strategic_objective"]["number"]) for o in response.json()["results"]
        )

    assert len(keys("")) == 6
    pak = "pakistan-crp-2020-2021"
    assert keys("?target_group=idps") == [(pak, 1), (pak, 2)]
    assert keys("?target_group=international-migrants") == [
        (pak, 1),
        ("tajikistan-crp-2020", 2),
    ]
    assert keys("?target_group=idps&target_group=local-population") == [
        (pak, 1),
        (pak, 2),
        (pak, 3),
    ]
    assert keys("?target_group=refugees") == []
    assert api_client.get("/api/v1/objectives/?target_group=nope").status_code == 400
