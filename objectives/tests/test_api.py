"""/api/v1/objectives/: who sees which objectives, and writes with If-Match (428 / 412 / 400)."""

import pytest

from objectives.models import Objective, StrategicObjective, TargetGroup
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/objectives/"
ONE_PER_SO = "This plan already has an objective under that strategic objective."


def _so(number: int) -> StrategicObjective:
    return StrategicObjective.objects.get(number=number)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def objectives():
    """A published and a draft plan of Tajikistan, and a draft of Pakistan, one objective each
    (and one more under the published plan)."""
    published = PlanFactory(slug="published-tjk")
    draft = PlanFactory(slug="draft-tjk", status=Plan.Status.DRAFT)
    pak_draft = PlanFactory(slug="draft-pak", status=Plan.Status.DRAFT, countries=["PAK"])
    return {
        "published": ObjectiveFactory(plan=published, strategic_objective=_so(1)),
        "published-2": ObjectiveFactory(plan=published, strategic_objective=_so(2)),
        "draft": ObjectiveFactory(plan=draft, strategic_objective=_so(1)),
        "pak-draft": ObjectiveFactory(plan=pak_draft, strategic_objective=_so(3)),
    }


def test_anonymous_sees_objectives_of_published_plans_only(api_client, objectives):
    published = [objectives["published"].pk, objectives["published-2"].pk]
    assert _ids(api_client.get(URL)) == published
    assert _ids(api_client.get(URL + "?plan=draft-tjk")) == []
    row = api_client.get(f"{URL}{objectives['published'].pk}/")
    assert row.status_code == 200
    assert row.json()["plan"] == "published-tjk"
    assert row.json()["strategic_objective"]["number"] == 1
    for hidden in ("draft", "pak-draft"):
        assert api_client.get(f"{URL}{objectives[hidden].pk}/").status_code == 404


def test_a_partner_and_an_outsider_see_published_only(api_client, objectives, partner, outsider):
    published = [objectives["published"].pk, objectives["published-2"].pk]
    for user in (partner, outsider):
        api_client.force_authenticate(user)
        assert _ids(api_client.get(URL)) == published
        assert api_client.get(f"{URL}{objectives['draft'].pk}/").status_code == 404


def test_an_editor_sees_their_countrys_drafts_and_not_others(
    api_client, objectives, editor, pak_editor, superuser
):
    api_client.force_authenticate(editor)
    assert _ids(api_client.get(URL)) == [
        objectives["draft"].pk,
        objectives["published"].pk,
        objectives["published-2"].pk,
    ]  # ordered by plan slug, then strategic objective
    assert api_client.get(f"{URL}{objectives['draft'].pk}/").status_code == 200
    assert api_client.get(f"{URL}{objectives['pak-draft'].pk}/").status_code == 404

    api_client.force_authenticate(pak_editor)
    assert _ids(api_client.get(URL)) == [
        objectives["pak-draft"].pk,
        objectives["published"].pk,
        objectives["published-2"].pk,
    ]
    assert api_client.get(f"{URL}{objectives['draft'].pk}/").status_code == 404

    api_client.force_authenticate(superuser)
    assert len(_ids(api_client.get(URL))) == 4


def test_filters_select_the_matching_objectives_only(api_client, objectives):
    objectives["published-2"].target_groups.set(TargetGroup.objects.filter(slug="refugees"))
    assert _ids(api_client.get(URL + "?target_group=refugees")) == [objectives["published-2"].pk]
    assert _ids(api_client.get(URL + "?strategic_objective=1")) == [objectives["published"].pk]
    assert _ids(api_client.get(URL + "?plan=published-tjk&strategic_objective=3")) == []
    assert api_client.get(URL + "?target_group=nope").status_code == 400


def test_editor_creates_an_objective_and_gets_its_etag(api_client, editor):
    plan = PlanFactory(slug="draft-tjk", status=Plan.Status.DRAFT)
    version = plan.version
    api_client.force_authenticate(editor)
    response = api_client.post(
        URL,
        {
            "plan": "draft-tjk",
            "strategic_objective": 2,
            "target_groups": ["idps", "refugees"],
            "people_targeted": 500,
            "narrative": "Solutions",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["plan"] == "draft-tjk"
    assert body["strategic_objective"]["number"] == 2
    assert sorted(g["slug"] for g in body["target_groups"]) == ["idps", "refugees"]
    assert (body["people_targeted"], body["narrative"]) == (500, "Solutions")
    assert response["ETag"].startswith(f'"v{version + 1}-')
    stored = Objective.objects.get(pk=body["id"])
    assert stored.plan == plan and stored.people_targeted == 500
    assert Plan.objects.get(pk=plan.pk).version == version + 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"narrative": "No plan"},
            {
                "plan": ["This field is required."],
                "strategic_objective": ["This field is required."],
            },
        ),
        ({"plan": "no-such-plan", "strategic_objective": 1}, {"plan": ["No plan with this code."]}),
        ({"plan": "draft-pak", "strategic_objective": 1}, {"plan": ["No plan with this code."]}),
        ({"plan": "draft-tjk", "strategic_objective": 1}, {"non_field_errors": [ONE_PER_SO]}),
        ({"plan": "draft-tjk", "strategic_objective": 99}, "strategic_objective"),
        ({"plan": "draft-tjk", "strategic_objective": 2, "target_groups": ["x"]}, "target_groups"),
        ({"plan": "draft-tjk", "strategic_objective": 2, "people_targeted": -1}, "people_targeted"),
    ],
)
def test_a_bad_create_is_a_400_with_its_message_and_writes_nothing(
    api_client, objectives, editor, body, errors
):
    before = Objective.objects.count()
    versions = dict(Plan.objects.values_list("slug", "version"))
    api_client.force_authenticate(editor)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    if isinstance(errors, str):  # the field is named; the wording is DRF's
        assert list(response.json()) == [errors] and response.json()[errors]
    else:
        assert response.json() == errors
    assert Objective.objects.count() == before
    assert dict(Plan.objects.values_list("slug", "version")) == versions


def test_anonymous_and_other_countries_cannot_create(api_client, objectives, pak_editor):
    body = {"plan": "published-tjk", "strategic_objective": 4}
    assert api_client.post(URL, body, format="json").status_code == 401
    api_client.force_authenticate(pak_editor)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not change the plans of this country."
    assert not Objective.objects.filter(strategic_objective__number=4).exists()


def test_patch_with_if_match_writes_and_answers_the_next_etag(api_client, objectives, editor):
    objective = objectives["draft"]
    url = f"{URL}{objective.pk}/"
    api_client.force_authenticate(editor)
    read = api_client.get(url)
    version = objective.plan.version
    assert read["ETag"].startswith(f'"v{version}-')
    response = api_client.patch(
        url,
        {"people_targeted": 42, "target_groups": ["local-population"]},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["people_targeted"] == 42
    assert [g["slug"] for g in response.json()["target_groups"]] == ["local-population"]
    assert response["ETag"].startswith(f'"v{version + 1}-')
    # The answer's ETag is good for the next write.
    again = api_client.patch(
        url, {"narrative": "Second edit"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert again.status_code == 200, again.content
    stored = Objective.objects.get(pk=objective.pk)
    assert (stored.people_targeted, stored.narrative) == (42, "Second edit")
    assert Plan.objects.get(pk=objective.plan_id).version == version + 2


def test_patch_without_if_match_is_428_and_writes_nothing(api_client, objectives, editor):
    objective = objectives["draft"]
    version = objective.plan.version
    api_client.force_authenticate(editor)
    response = api_client.patch(f"{URL}{objective.pk}/", {"people_targeted": 7}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert response.json()["current_version"] == version
    assert Objective.objects.get(pk=objective.pk).people_targeted is None
    assert Plan.objects.get(pk=objective.plan_id).version == version


def test_a_stale_patch_is_412_with_what_changed_and_writes_nothing(
    api_client, objectives, editor, superuser
):
    objective = objectives["draft"]
    url = f"{URL}{objective.pk}/"
    api_client.force_authenticate(editor)
    stale = api_client.get(url)["ETag"]
    version = objective.plan.version

    api_client.force_authenticate(superuser)
    first = api_client.patch(url, {"people_targeted": 100}, format="json", HTTP_IF_MATCH=stale)
    assert first.status_code == 200, first.content

    api_client.force_authenticate(editor)
    response = api_client.patch(url, {"people_targeted": 5}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412, response.content
    body = response.json()
    assert (body["your_version"], body["current_version"]) == (version, version + 1)
    assert body["changed_by"] == "root"
    assert body["changes"] == [{"field": "people_targeted", "their_value": 100, "your_value": 5}]
    assert Objective.objects.get(pk=objective.pk).people_targeted == 100
    assert Plan.objects.get(pk=objective.plan_id).version == version + 1


def test_an_if_match_this_api_never_gave_is_412(api_client, objectives, editor):
    objective = objectives["draft"]
    api_client.force_authenticate(editor)
    response = api_client.patch(
        f"{URL}{objective.pk}/", {"people_targeted": 5}, format="json", HTTP_IF_MATCH='"nope"'
    )
    assert response.status_code == 412
    assert Objective.objects.get(pk=objective.pk).people_targeted is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"plan": "published-tjk"}, {"plan": ["An objective stays in its plan."]}),
        ({"strategic_objective": 1}, {"non_field_errors": [ONE_PER_SO]}),
        ({"people_targeted": -1}, "people_targeted"),
        ({"target_groups": ["nope"]}, "target_groups"),
    ],
)
def test_a_bad_patch_is_a_400_with_its_message_and_writes_nothing(
    api_client, objectives, editor, body, errors
):
    objective = ObjectiveFactory(plan=objectives["draft"].plan, strategic_objective=_so(4))
    version = Plan.objects.get(pk=objective.plan_id).version
    api_client.force_authenticate(editor)
    response = api_client.patch(f"{URL}{objective.pk}/", body, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400, response.content
    if isinstance(errors, str):  # the field is named; the wording is DRF's
        assert list(response.json()) == [errors] and response.json()[errors]
    else:
        assert response.json() == errors
    stored = Objective.objects.get(pk=objective.pk)
    assert stored.strategic_objective.number == 4 and stored.people_targeted is None
    assert Plan.objects.get(pk=objective.plan_id).version == version


def test_other_countries_editor_cannot_patch_even_with_a_good_etag(
    api_client, objectives, pak_editor
):
    objective = objectives["published"]
    url = f"{URL}{objective.pk}/"
    etag = api_client.get(url)["ETag"]
    api_client.force_authenticate(pak_editor)
    response = api_client.patch(url, {"narrative": "Not mine"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    assert Objective.objects.get(pk=objective.pk).narrative == ""
