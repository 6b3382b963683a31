"""Change history: who changed what, diffs in the admin, restore, and "what did it say on X"."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from crp_portal.tests.forms import form_data, requirement_change
from crp_portal.translated_columns import english_copies
from funding.models import Requirement
from plans import services_workflow as workflow
from plans.models import Plan
from plans.tests.factories import PlanFactory


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def tjk_client(client, demo):
    client.force_login(_user("editor.tjk"))
    return client


def _save_plan_page(client, plan, **changes):
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data), data


def test_an_admin_save_is_recorded_with_who_and_what(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    response, _ = _save_plan_page(tjk_client, plan, vision_statement="A new vision")
    assert response.status_code == 302
    latest = plan.history.first()
    assert latest.history_user == _user("editor.tjk")
    # title_en repeats the English of title (django-modeltranslation): one change, not two.
    delta = latest.diff_against(latest.prev_record, excluded_fields=english_copies(Plan))
    assert [c.field for c in delta.changes] == ["vision_statement"]
    assert latest.version == latest.prev_record.version + 1


def test_reloading_the_demo_records_nothing_new(demo):
    from demo import loader

    counts = (Plan.history.count(), Requirement.history.count())
    loader.demo_load()
    assert (Plan.history.count(), Requirement.history.count()) == counts


def test_history_page_shows_diffs_of_the_plan_and_its_rows(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(tjk_client.get(url).content.decode(), "plan_form")
    data["title"] = ["Tajikistan CRP 2020 (revised)"]
    assert tjk_client.post(url, data).status_code == 302
    assert requirement_change(tjk_client, old="700000.00", new="720000.00").status_code == 302
    html = tjk_client.get(reverse("admin:plans_plan_history", args=[plan.pk])).content.decode()
    assert "Tajikistan CRP 2020 (revised)" in html  # the plan's own diff
    assert "700000.00" in html and "720000.00" in html  # a requirement row's diff
    assert "editor.tjk" in html


def test_an_earlier_version_can_be_restored(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    original_title = plan.title
    _save_plan_page(tjk_client, plan, title="Wrong title")
    plan.refresh_from_db()
    assert plan.title == "Wrong title"
    old = plan.history.filter(title=original_title).first()
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, old.history_id])
    data = form_data(tjk_client.get(url).content.decode(), "restore-form")
    assert data["loaded_version"] == [str(plan.version)]
    response = tjk_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.title == original_title
    assert plan.history.first().history_user == _user("editor.tjk")


def test_admin_as_of_page_shows_the_plan_then(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    before = timezone.now()
    Requirement.objects.filter(amount_usd=Decimal("700000.00")).update(amount_usd=1)  # no history
    req = Requirement.objects.get(amount_usd=1)
    req.amount_usd = Decimal("800000.00")
    req.save()
    url = reverse("admin:plans_plan_as_of", args=[plan.pk])
    then = tjk_client.get(url, {"at": before.isoformat()}).content.decode()
    now = tjk_client.get(url).content.decode()
    assert "USD 700000.00" in then and "USD 800000.00" not in then
    assert "USD 800000.00" in now
    bad = tjk_client.get(url, {"at": "yesterday-ish"})
    assert bad.status_code == 200 and "Give the moment as an ISO date" in bad.content.decode()


@pytest.fixture
def evolving_plan(editor):
    """A TJK plan drafted, then published, then revised in place."""
    from plans.tests.factories import Role, UserFactory, assign

    reviewer = UserFactory(username="rev")
    assign(reviewer, Role.REVIEWER, "TJK")
    plan = PlanFactory(status=Plan.Status.DRAFT, vision_statement="draft words")
    t_draft = timezone.now()
    workflow.plan_submit(plan=plan, actor=editor)
    workflow.plan_publish(plan=plan, actor=reviewer)
    t_published = timezone.now()
    plan.refresh_from_db()
    plan.vision_statement = "revised words"
    plan.save()
    return plan, t_draft, t_published


def test_api_as_of_answers_what_the_plan_said(api_client, evolving_plan):
    plan, _, t_published = evolving_plan
    url = f"/api/v1/plans/{plan.slug}/as-of/"
    then = api_client.get(url, {"at": t_published.isoformat()})
    assert then.status_code == 200
    assert then.json()["vision_statement"] == "draft words"
    assert then.json()["status"] == "published"
    assert then.json()["countries"] == ["TJK"]
    now = api_client.get(url, {"at": timezone.now().isoformat()})
    assert now.json()["vision_statement"] == "revised words"


def test_api_as_of_hides_unpublished_moments_from_the_public(api_client, editor, evolving_plan):
    plan, t_draft, _ = evolving_plan
    url = f"/api/v1/plans/{plan.slug}/as-of/"
    assert api_client.get(url, {"at": t_draft.isoformat()}).status_code == 404
    api_client.force_authenticate(editor)
    assert api_client.get(url, {"at": t_draft.isoformat()}).json()["status"] == "draft"


def test_api_as_of_refuses_drafts_and_bad_dates(api_client, db):
    draft = PlanFactory(status=Plan.Status.DRAFT)
    url = f"/api/v1/plans/{draft.slug}/as-of/"
    assert api_client.get(url, {"at": timezone.now().isoformat()}).status_code == 404
    published = PlanFactory()
    url = f"/api/v1/plans/{published.slug}/as-of/"
    assert api_client.get(url, {"at": "not a date"}).status_code == 400
    assert api_client.get(url).json()["slug"] == published.slug  # no moment: now
    year_2000 = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC).isoformat()
    assert api_client.get(url, {"at": year_2000}).status_code == 404  # did not exist yet
    assert api_client.get(url, {"at": "2999-01-01"}).status_code == 200  # a date is accepted


def test_activities_written_by_the_intervention_service_are_in_the_history(editor):
    from interventions import services as intervention_services
    from objectives.tests.factories import ObjectiveFactory
    from plan_history.history import plan_as_of

    objective = ObjectiveFactory(plan=PlanFactory(status=Plan.Status.DRAFT))
    intervention = intervention_services.intervention_create(
        objective=objective, title="Shelter", actor=editor, activities=["First", "Second"]
    )
    then = timezone.now()
    intervention_services.intervention_update(
        intervention=intervention, actor=editor, activities=["Only"]
    )
    snapshot = plan_as_of(plan_id=objective.plan_id, at=then)
    assert snapshot["objectives"][0]["interventions"][0]["activities"] == ["First", "Second"]
    now = plan_as_of(plan_id=objective.plan_id, at=timezone.now())
    assert now["objectives"][0]["interventions"][0]["activities"] == ["Only"]


def test_as_of_tells_the_target_groups_and_plan_types_then(db):
    from interventions.models import PlanType
    from interventions.tests.factories import InterventionFactory
    from objectives.models import TargetGroup
    from plan_history.history import plan_as_of

    intervention = InterventionFactory()
    objective = intervention.objective
    objective.target_groups.set(TargetGroup.objects.filter(slug="refugees"))
    intervention.plan_types.set(PlanType.objects.order_by("slug")[:1])
    then = timezone.now()
    objective.target_groups.set(TargetGroup.objects.filter(slug="idps"))
    intervention.plan_types.clear()
    snapshot = plan_as_of(plan_id=objective.plan_id, at=then)["objectives"][0]
    assert snapshot["target_groups"] == ["refugees"]
    assert snapshot["interventions"][0]["plan_types"] == [PlanType.objects.order_by("slug")[0].slug]
    now = plan_as_of(plan_id=objective.plan_id, at=timezone.now())["objectives"][0]
    assert now["target_groups"] == ["idps"] and now["interventions"][0]["plan_types"] == []
